"""Starts the MirroredStrategy run of test_progressive_under_mirrored_strategy.py when collection ends.

That run is a fresh interpreter (logical devices must be set before
TensorFlow starts) which takes ~15 s, mostly on one core; started here, it
runs beside the folder's other tests instead of after them. Only when its
tests are selected, and not for --collect-only.
"""


def pytest_collection_finish(session):
    if session.config.option.collectonly:
        return
    for item in session.items:
        start = getattr(getattr(item, "module", None), "start_in_background", None)
        if start is not None and item.get_closest_marker("skip") is None:
            start()


def pytest_sessionfinish(session):
    for item in session.items:
        stop = getattr(getattr(item, "module", None), "stop_background", None)
        if stop is not None:
            stop()
