"""Process settings under which the engine runs faster on the CPU, applied for the time of a
registration (``register`` enters ``engine_settings()``) and undone after it, because a QGIS
process shares them with everything else it runs. Measured on 2 cores, 1024 px S1/S2 pairs:
``benchmarks/results/speed.md`` against ``speed-no-cpu-settings.md``; on nine pairs, 3.5 million
page faults and 19 s of system time (against 48 s of user time) without them, 0.3 million and
6 s with them, and the same tie points.

- **BLAS in one thread** (threadpoolctl): the engine spreads its own pieces of work over the cores
  (orientations, templates, tiles: ``parallel.thread_map``). The few matrix products it hands
  numpy's and SciPy's OpenBLAS are small, and OpenBLAS's own threads then spin-wait
  (``sched_yield``) on the cores the engine's threads need.
- **Freed memory kept for reuse** (glibc only): the engine's arrays are large (a 1024 px image's
  8 feature channels take 32 MB, the network's full-resolution activations more), and glibc
  serves every allocation that large with fresh pages from the kernel, which zeroes them first,
  and gives them back when freed (zeroing those pages was the largest single item of a profile,
  about a tenth of all CPU samples). For the registration, large blocks come from the heap and freed memory stays in the
  process; afterwards the defaults return and the unused memory is given back (``malloc_trim``).
- **PyTorch's large tensors on transparent huge pages** (its ``THP_MEM_ALLOC_ENABLE``, which it
  reads once, at its first large allocation: so it is set when this module is imported, and
  only where the user has not set it). 2 MB pages: 512 times fewer page faults.

Nested and concurrent registrations (a batch, two tasks in QGIS) share one setting: the first
to enter applies it, the last to leave restores it, on whichever threads they run. (threadpoolctl
lets only one live thread change OpenBLAS's threads and silently ignores the others; QGIS runs
tasks on pooled threads that stay alive, so the thread that applies or restores takes that right
first and gives it up after: ``_blas_control``.)
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import threading

import threadpoolctl
from threadpoolctl import threadpool_limits

_THP_SET_HERE = "THP_MEM_ALLOC_ENABLE" not in os.environ
os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")

# glibc's mallopt parameters and defaults (malloc.h; DEFAULT_MMAP_MAX, DEFAULT_TRIM_THRESHOLD).
M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
DEFAULT_MMAP_MAX, DEFAULT_TRIM_THRESHOLD = 65536, 128 * 1024
KEEP_FREED_BYTES = 2**31 - 1  # the largest trim threshold mallopt takes: freed memory stays meanwhile
ENABLED = True  # False: register() leaves the process as it is (``disable``)


@functools.lru_cache(maxsize=1)
def _glibc():
    """The C library when it is glibc (it has mallopt and malloc_trim), else None."""
    if not hasattr(os, "confstr"):
        return None
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except (OSError, ValueError):
        return None


def _keep_freed_memory(libc) -> None:
    """glibc serves large blocks from the heap and keeps what is freed there (module docstring)."""
    libc.mallopt(M_MMAP_MAX, 0)
    libc.mallopt(M_TRIM_THRESHOLD, KEEP_FREED_BYTES)


def keep_freed_memory() -> bool:
    """Freed memory kept for reuse from now on, and never given back: for a process that does
    nothing else, a training command (``training.checkpoints.run_command``). A descriptor training
    step frees and asks anew for blocks of about 110 MB (a batch of 128 patches of 96 px), whose
    pages the kernel zeroed again on every step. On the 2-core AVX2 machine of
    ``benchmarks/results/train-time.md`` keeping them took ``make train`` from 2 h 30 min to 1 h
    51 min, to the same weights bit for bit; the descriptor's process then holds its peak (13.2 GB
    resident). Returns whether it applied (glibc only)."""
    libc = _glibc()
    if libc is None:
        return False
    _keep_freed_memory(libc)
    return True


@contextlib.contextmanager
def _blas_control():
    """The calling thread may change OpenBLAS's threads inside the block, and no thread holds that
    right after it (threadpoolctl's ``OpenBLASController``; older threadpoolctl has no such rule)."""
    controller = getattr(threadpoolctl, "OpenBLASController", None)
    clear = getattr(controller, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)
    try:
        yield
    finally:
        if clear is not None:
            clear(force=True)


class _Shared:
    """Applies ``enter`` for the first of any number of overlapping users, ``leave`` after the last."""

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._limits = None

    def enter(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                with _blas_control():
                    self._limits = threadpool_limits(limits=1, user_api="blas")
                libc = _glibc()
                if libc is not None:
                    _keep_freed_memory(libc)

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                with _blas_control():
                    self._limits.restore_original_limits()
                self._limits = None
                libc = _glibc()
                if libc is not None:
                    libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                    libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                    libc.malloc_trim(0)

    @property
    def active(self) -> bool:
        return self._users > 0


_SHARED = _Shared()


@contextlib.contextmanager
def engine_settings():
    """The settings above for the duration of the ``with`` block (re-entrant, thread-safe); a
    no-op when ``ENABLED`` is False."""
    if not ENABLED:
        yield
        return
    _SHARED.enter()
    try:
        yield
    finally:
        _SHARED.leave()


def disable() -> None:
    """From now on, registrations leave the process as it is (for measuring what the settings
    give). Called before PyTorch's first large allocation, it also withdraws the huge-page
    request this module made (not one the user made)."""
    global ENABLED
    ENABLED = False
    if _THP_SET_HERE:
        os.environ.pop("THP_MEM_ALLOC_ENABLE", None)


def active() -> bool:
    """Whether some registration (or batch) has the settings applied now."""
    return _SHARED.active
