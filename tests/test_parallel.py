"""thread_map must give exactly what a plain loop gives, in order, whatever the thread count."""
import threading

import pytest

from plugin.core import parallel


@pytest.mark.parametrize("max_threads", [0, 1, 3])
def test_thread_map_keeps_order_and_results(max_threads):
    items = list(range(257))
    assert parallel.thread_map(lambda x: x * x, items, max_threads) == [x * x for x in items]


def test_thread_map_respects_max_threads(monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 4)
    seen = set()

    def record(item):
        seen.add(threading.get_ident())
        return item

    assert parallel.thread_map(record, range(50), max_threads=1) == list(range(50))
    assert seen == {threading.get_ident()}  # one thread allowed: the caller's own


def test_thread_map_raises_the_first_error():
    def fail(item):
        if item == 7:
            raise ValueError("bad item")
        return item

    with pytest.raises(ValueError, match="bad item"):
        parallel.thread_map(fail, range(20))
