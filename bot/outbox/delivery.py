"""The delivery worker: takes queued posts out of the outbox and hands them to the platform.

One thread, so the order of posts to one destination is kept (a post that must wait holds back the
later posts to the same destination). It:
- paces each destination (channel or person) like Slack asks, about one message per second with
  a short burst allowed (a token bucket), so a flood of welcomes is spread, not refused;
- retries what failed for a passing reason: HTTP 429 after its `Retry-After`, 5xx, connection
  errors and timeouts with exponential backoff up to `MAX_BACKOFF`; for `give_up_after` (hours);
  a 429 also pauses the whole destination for its `Retry-After`;
- records permanent refusals (`channel_not_found`, `not_in_channel`, `is_archived`…) with their
  reason and does not retry them;
- tells the group's owners about a post it could not deliver (`report_failure`), so nothing is
  dropped silently.
Nothing here sleeps in a listener: a storm only delays the queue.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from ..clock import Clock, parse_iso
from ..ports import DeliveryError, Transport
from . import Outbox, post_from_doc

log = logging.getLogger(__name__)
FIRST_BACKOFF = 2.0
MAX_BACKOFF = 300.0
PACE_PER_SECOND = 1.0
BURST = 3


@dataclass
class _Pace:
    tokens: float = BURST
    updated: datetime | None = None
    paused_until: datetime | None = None

    def ready_at(self, now: datetime) -> datetime:
        """When this destination may take its next post."""
        if self.updated is not None:
            self.tokens = min(BURST, self.tokens + (now - self.updated).total_seconds() * PACE_PER_SECOND)
        self.updated = now
        at = now if self.tokens >= 1 else now + timedelta(seconds=(1 - self.tokens) / PACE_PER_SECOND)
        return max(at, self.paused_until) if self.paused_until else at


@dataclass(order=True)
class _Due:
    at: datetime
    seq: int
    key: str = field(compare=False)


class DeliveryWorker:
    def __init__(self, outbox: Outbox, transport: Transport, *, give_up_after: timedelta = timedelta(hours=6),
                 report_failure: Callable[[dict, str], None] | None = None, clock: Clock | None = None):
        self.outbox = outbox
        self.transport = transport
        self.clock = clock or outbox.clock
        self.give_up_after = give_up_after
        self.report_failure = report_failure or (lambda doc, reason: None)
        self._docs: dict[str, dict] = {}
        self._heap: list[_Due] = []
        self._seq = itertools.count()
        self._paces: dict[str, _Pace] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        outbox.on_queued(self._schedule)
        for doc in outbox.waiting():  # what a previous run left: delivered first, in queue order
            self._schedule(doc)

    def _schedule(self, doc: dict) -> None:
        with self._lock:
            self._docs[doc["key"]] = doc
            heapq.heappush(self._heap, _Due(parse_iso(doc["next_attempt_at"]), next(self._seq), doc["key"]))
            self._idle.clear()

    # --- running -------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 20.0) -> None:
        """Stop after the delivery in progress (the Slack client's own timeout is 15 s)."""
        self._stop.set()
        with self.outbox._wake:
            self.outbox._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once nothing is due any more (tests; shutdown)."""
        return self._idle.wait(timeout)

    def pending(self) -> int:
        with self._lock:
            return len(self._docs)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception:  # a bug in one delivery must not stop every later one
                log.exception("delivery worker step failed; continuing")
                wait = 1.0
            if wait is None:
                with self._lock:  # a post queued since `step` looked must not be reported idle
                    if not self._heap:
                        self._idle.set()
                wait = 1.0
            self.outbox.wait_for_work(min(wait, 1.0))

    def step(self) -> float | None:
        """Deliver everything due now; seconds until the next post is due (None: nothing queued)."""
        while not self._stop.is_set():
            now = self.clock.now()
            with self._lock:
                if not self._heap:
                    return None
                due = self._heap[0]
                if due.at > now:
                    return (due.at - now).total_seconds()
                heapq.heappop(self._heap)
                doc = self._docs.get(due.key)
                if doc is None:
                    continue
                post = post_from_doc(doc)
                ready = self._paces.setdefault(post.destination, _Pace()).ready_at(now)
                if ready > now:  # this destination is paced or paused: try again then
                    heapq.heappush(self._heap, _Due(ready, next(self._seq), due.key))
                    continue
                self._paces[post.destination].tokens -= 1
            self._deliver(doc, post, now)
        return None

    def _deliver(self, doc: dict, post, now: datetime) -> None:
        sent = self.outbox.was_sent(doc["key"])
        if sent is not None:  # queued twice, or left queued by a crash after its delivery: done
            self.outbox.finish(doc, sent["ref"])
            with self._lock:
                self._docs.pop(doc["key"], None)
            return
        try:
            ref = self.transport.deliver(post, self._replacing(post)) if post.replaces else self.transport.deliver(post)
        except DeliveryError as error:
            self._failed(doc, post, error, now)
            return
        except Exception as error:  # an unexpected error is treated as passing, and logged
            log.exception("delivering %s failed unexpectedly", doc["key"])
            self._failed(doc, post, DeliveryError(type(error).__name__, permanent=False), now)
            return
        self.outbox.record_sent(doc, ref)
        with self._lock:
            self._docs.pop(doc["key"], None)

    def _replacing(self, post) -> str:
        """The platform's id of the message an edit replaces. Not delivered yet: wait for it (the
        same destination keeps its order, so this is brief). Failed or unknown: so does the edit."""
        original = self.outbox.was_sent(post.replaces)
        if original is not None:
            return original["ref"]
        if self.outbox.is_queued(post.replaces):
            raise DeliveryError("original_not_delivered_yet", permanent=False, retry_after=1.0)
        raise DeliveryError("original_not_delivered", permanent=True)

    def _failed(self, doc: dict, post, error: DeliveryError, now: datetime) -> None:
        queued_for = now - parse_iso(doc["queued_at"])
        if error.permanent or queued_for >= self.give_up_after:
            reason = error.code if error.permanent else f"gave up after {_hours(queued_for)}: {error.code}"
            log.warning("could not deliver %s: %s", doc["key"], reason)
            self.outbox.record_failed(doc, reason)
            with self._lock:
                self._docs.pop(doc["key"], None)
            self.report_failure(doc, reason)
            return
        # Slack's Retry-After says exactly when to come back; without it, back off exponentially.
        wait = error.retry_after if error.retry_after else min(FIRST_BACKOFF * 2 ** doc["attempts"], MAX_BACKOFF)
        at = now + timedelta(seconds=wait)
        # The whole destination waits, not just this post: later posts to the same channel or
        # thread must not overtake it (a 429 is also per channel at Slack).
        with self._lock:
            self._paces.setdefault(post.destination, _Pace()).paused_until = at
        log.info("delivery of %s failed (%s); retrying in %.0f s", doc["key"], error.code, wait)
        updated = self.outbox.record_retry(doc, error.code, at)
        if updated is not None:
            self._schedule(updated)


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"
