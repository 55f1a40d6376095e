"""The inbox: acked means kept.

An adapter hands each event it is about to acknowledge to `Inbox.accept`, which journals it
(`bot.inbox.journal`: synced to disk, grouped across concurrent requests) and only then returns, so
the platform's 200 is sent for events already on disk. Events are applied by `workers` threads
after the acknowledgement; all events of one lane (a channel) go to the same worker, in journal
order, so a reply is never applied before its question, while different channels run in parallel.
At start, `start` first re-queues the events a previous run acked but had not applied.

An event whose applier raises is logged and left un-done in the journal, so the next start applies
it again; the lane goes on with the next event.
"""
from __future__ import annotations

import logging
import queue
import threading
import zlib
from pathlib import Path
from typing import Callable

from .journal import Entry, Journal

log = logging.getLogger(__name__)
Applier = Callable[[Entry], None]


class Inbox:
    def __init__(self, directory: str | Path, apply: Applier, workers: int = 4):
        self.journal = Journal(directory)
        self.apply = apply
        self._queues = [queue.Queue() for _ in range(workers)]
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._idle = threading.Condition()

    def start(self) -> int:
        """Replay what was acked but not applied, then start the workers; how many were replayed."""
        waiting = self.journal.open()
        for entry in waiting:
            self._enqueue(entry)
        for index, lane_queue in enumerate(self._queues):
            thread = threading.Thread(target=self._work, args=(lane_queue,), name=f"inbox-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if waiting:
            log.info("replaying %d event(s) acknowledged before the last stop", len(waiting))
        return len(waiting)

    def accept(self, event_id: str, lane: str, event: dict) -> bool:
        """Journal the event (on disk when this returns); False for a redelivered event id."""
        return self.journal.append(event_id, lane, event, on_sequenced=self._enqueue) is not None

    def _enqueue(self, entry: Entry) -> None:
        with self._idle:
            self._busy += 1
        self._queues[zlib.crc32(entry.lane.encode()) % len(self._queues)].put(entry)

    def _work(self, lane_queue: queue.Queue) -> None:
        while True:
            entry = lane_queue.get()
            if entry is None:
                return
            try:
                self.journal.wait_durable(entry.seq)
                self.apply(entry)
            except Exception:
                log.exception("could not apply event %s; it stays in the journal and is retried at the next start",
                              entry.event_id)
            else:
                self.journal.mark_done(entry.seq)
            finally:
                with self._idle:
                    self._busy -= 1
                    if self._busy == 0:
                        self._idle.notify_all()

    def backlog(self) -> int:
        with self._idle:
            return self._busy

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every accepted event has been applied (tests, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued (what is not finished is replayed at the next start)."""
        self.wait_idle(timeout)
        for lane_queue in self._queues:
            lane_queue.put(None)
        for thread in self._threads:
            thread.join(timeout=1)
        self.journal.close()
