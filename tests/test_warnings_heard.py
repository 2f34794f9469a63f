"""The engine's warnings of one run, heard in the run's thread only."""
import logging
import threading

from plugin.core.warnings_heard import warnings_heard


def test_the_warnings_of_this_thread_are_heard_in_order_and_told_as_they_come():
    engine = logging.getLogger("plugin.core.pipeline")
    told = []
    with warnings_heard(told.append) as heard:
        engine.info("not a warning")
        engine.warning("first %s", "warning")
        engine.warning("first warning")  # again: heard once
        other = threading.Thread(target=lambda: engine.warning("another run's warning"))
        other.start()
        other.join()
        logging.getLogger("plugin.batch").error("second")
        logging.getLogger("elsewhere").warning("not the plugin's")
    engine.warning("after the run")
    assert heard == told == ["first warning", "second"]
    assert not any(isinstance(handler, logging.Handler) and type(handler).__name__ == "_Heard"
                   for handler in logging.getLogger("plugin").handlers)
