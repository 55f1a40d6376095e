"""Work that waits until Slack has its answer.

    with answering() as answer:        # the front door, around one request
        ...                            # a listener calls after_ack(callback)
        ...                            # the front door sends the answer
    # leaving the block runs the callbacks, in order (also when the request failed)

The inbox wakes an event's lane through `after_ack`, so the thread that applies the event starts
only once the 200 is written and never competes with the request thread for the interpreter while
it answers. Outside `answering` (a test calling a listener directly) a callback runs at once.
Both front doors use it: the HTTP gate (`handlers.http_server`) and Socket Mode (`handlers.runtime`).
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

log = logging.getLogger(__name__)
_request = threading.local()


class Answer:
    def __init__(self):
        self.callbacks: list[Callable[[], None]] = []


@contextmanager
def answering() -> Iterator[Answer]:
    """Around the handling of one request, on its thread: run what was deferred on leaving."""
    answer = Answer()
    outer = getattr(_request, "answer", None)
    _request.answer = answer
    try:
        yield answer
    finally:
        _request.answer = outer
        for callback in answer.callbacks:
            try:
                callback()
            except Exception:  # one failing must not keep the others (other lanes' wake-ups) from running
                log.exception("a callback after the acknowledgement failed")


def after_ack(callback: Callable[[], None]) -> None:
    """Run `callback` once the current request is answered (at once outside a request)."""
    answer = getattr(_request, "answer", None)
    if answer is None:
        callback()
    else:
        answer.callbacks.append(callback)
