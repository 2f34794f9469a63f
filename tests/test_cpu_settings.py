"""The engine's CPU settings (plugin/core/cpu_settings.py): applied for a registration, undone
after it, shared by overlapping users, and without any effect on the result."""
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from threadpoolctl import OpenBLASController, threadpool_info

from plugin.core import RegistrationOptions, cpu_settings, register
from tests.conftest import ROOT


def blas_threads():
    return sorted((pool["filepath"], pool["num_threads"]) for pool in threadpool_info() if pool["user_api"] == "blas")


def test_blas_runs_in_one_thread_inside_and_as_before_after():
    before = blas_threads()
    assert before, "numpy's BLAS is not visible to threadpoolctl"
    with cpu_settings.engine_settings():
        assert cpu_settings.active()
        assert all(threads == 1 for _, threads in blas_threads())
    assert not cpu_settings.active()
    assert blas_threads() == before


def test_overlapping_users_share_one_setting_and_the_last_restores_it():
    before = blas_threads()
    first, second = cpu_settings.engine_settings(), cpu_settings.engine_settings()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first leaves while the second still runs
    assert cpu_settings.active() and all(threads == 1 for _, threads in blas_threads())
    second.__exit__(None, None, None)
    assert not cpu_settings.active() and blas_threads() == before


def test_threads_entering_and_leaving_at_once_leave_the_process_as_it_was():
    before = blas_threads()

    def use():
        for _ in range(20):
            with cpu_settings.engine_settings():
                pass

    workers = [threading.Thread(target=use) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not cpu_settings.active() and blas_threads() == before


def on_a_thread_that_stays(work):
    """Runs ``work`` on a thread that stays alive afterwards, as QGIS's task threads (a thread pool)
    do; returns a function that lets the thread end."""
    done, release = threading.Event(), threading.Event()

    def run():
        work()
        done.set()
        release.wait(30)

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(30)
    return release.set


def enter_and_leave():
    with cpu_settings.engine_settings():
        pass


def test_a_registration_on_a_pooled_thread_leaves_the_next_one_its_settings():
    # threadpoolctl lets only one live thread set OpenBLAS's threads; a task thread that kept
    # that right after its registration made every later registration on another thread (the
    # next task, the main thread) run BLAS on every core.
    before = blas_threads()
    OpenBLASController.clear_controlling_thread(force=True)  # as in a fresh QGIS: the task's thread sets BLAS first
    release = on_a_thread_that_stays(enter_and_leave)
    try:
        with cpu_settings.engine_settings():
            assert all(threads == 1 for _, threads in blas_threads())
        assert blas_threads() == before
    finally:
        release()


def test_the_last_to_leave_restores_even_on_another_thread():
    before = blas_threads()
    first = cpu_settings.engine_settings()
    first.__enter__()  # applied on this thread
    second = cpu_settings.engine_settings()
    release = on_a_thread_that_stays(second.__enter__)
    try:
        first.__exit__(None, None, None)
        assert all(threads == 1 for _, threads in blas_threads())
        on_a_thread_that_stays(lambda: second.__exit__(None, None, None))()  # the last leaves on another thread
        assert not cpu_settings.active() and blas_threads() == before
    finally:
        release()


def test_an_error_inside_still_restores():
    before = blas_threads()
    with pytest.raises(RuntimeError):
        with cpu_settings.engine_settings():
            raise RuntimeError("boom")
    assert not cpu_settings.active() and blas_threads() == before


def page_faults_in_a_fresh_process(steps: str) -> list:
    """Runs ``steps`` in a process of its own, where ``faults()`` gives the minor page faults while a
    64 MB array is allocated and written after one was freed; returns what it prints, split. Not in
    this process: a large block that earlier tests freed in the middle of its heap is reused whatever
    the settings."""
    script = ("import resource, numpy as np\n"
              "from plugin.core import cpu_settings\n"
              "def faults():\n"
              "    np.ones(16 << 20, np.float32)\n"
              "    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
              "    np.ones(16 << 20, np.float32)\n"
              "    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before\n") + steps
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120).stdout.split()


@pytest.mark.skipif(cpu_settings._glibc() is None, reason="the C library is not glibc")
def test_freed_memory_is_reused_inside_and_given_back_after():
    inside, after = map(int, page_faults_in_a_fresh_process("with cpu_settings.engine_settings():\n"
                                                            "    inside = faults()\n"
                                                            "print(inside, faults())\n"))
    # Fresh memory from the kernel faults at least once per 2 MB huge page (32 for 64 MB), or per 4 kB page.
    assert inside < 8 <= 32 <= after, (inside, after)


def test_pytorch_large_tensors_are_asked_onto_huge_pages():
    assert "THP_MEM_ALLOC_ENABLE" in os.environ  # "1" unless the user set it otherwise


def test_the_registration_is_the_same_with_and_without_the_settings(sample, monkeypatch):
    optical, sar = sample["optical"], sample["sar"]
    with_settings = register(optical, sar, RegistrationOptions())
    monkeypatch.setattr(cpu_settings, "ENABLED", False)
    without = register(optical, sar, RegistrationOptions())
    np.testing.assert_array_equal(with_settings.tie_points.enabled, without.tie_points.enabled)
    np.testing.assert_allclose(with_settings.tie_points.sar_xy, without.tie_points.sar_xy, atol=1e-9)


def test_disabled_registrations_leave_the_process_alone(monkeypatch):
    monkeypatch.setattr(cpu_settings, "ENABLED", True)
    monkeypatch.setattr(cpu_settings, "_THP_SET_HERE", True)
    monkeypatch.setenv("THP_MEM_ALLOC_ENABLE", "1")
    cpu_settings.disable()
    assert not cpu_settings.ENABLED and "THP_MEM_ALLOC_ENABLE" not in os.environ
    before = blas_threads()
    with cpu_settings.engine_settings():
        assert not cpu_settings.active() and blas_threads() == before


@pytest.mark.skipif(cpu_settings._glibc() is None, reason="the C library is not glibc")
def test_a_training_process_keeps_freed_memory_from_then_on():
    # In a process of its own: the setting is not undone (a training command does nothing else).
    output = page_faults_in_a_fresh_process("default = faults()\n"
                                            "applied = cpu_settings.keep_freed_memory()\n"
                                            "print(default, applied, faults(), faults())\n")
    default, applied, kept, still_kept = output
    assert applied == "True"
    assert int(kept) < 8 and int(still_kept) < 8 <= 32 <= int(default), output
