"""The inbox: acked means kept.

An adapter hands each event it is about to acknowledge to `Inbox.accept`, which journals it
(`bot.inbox.journal`: synced to disk, grouped across concurrent requests) and only then returns, so
the platform's 200 is sent for events already on disk. Events are applied by `workers` threads
after the acknowledgement; all events of one lane (a channel) go to the same worker, in journal
order, so a reply is never applied before its question, while different channels run in parallel.
At start, `start` first re-queues the events a previous run acked but had not applied.

An event whose applier raises is logged and left un-done in the journal, so the next start applies
it again; the lane goes on with the next event.

"Done" means the event's effects are on disk, not merely that its applier returned. Appliers may
leave writes buffered in memory (the store's activity counters are flushed every few seconds), and
an event marked done is never replayed: marked at once, a `kill -9` would lose those writes for
good. So when the inbox is given `make_durable` (the store's flush), applied events are marked
done in checkpoints, every `checkpoint_seconds` and at close: first `make_durable()`, then their
"done" lines. A crash before that replays them, which the appliers make harmless (keyed writes,
outbox keys, counters counted once per event id).
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
    def __init__(self, directory: str | Path, apply: Applier, workers: int = 4, *,
                 make_durable: Callable[[], None] | None = None, checkpoint_seconds: float = 5.0):
        self.journal = Journal(directory)
        self.apply = apply
        self.make_durable = make_durable
        self.checkpoint_seconds = checkpoint_seconds
        self._queues = [queue.Queue() for _ in range(workers)]
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._idle = threading.Condition()
        self._applied: list[int] = []  # applied, not yet marked done (waiting for a checkpoint)
        self._checkpoint_lock = threading.Lock()
        self._closing = threading.Event()
        self._checkpointer: threading.Thread | None = None

    def start(self) -> int:
        """Replay what was acked but not applied, then start the workers; how many were replayed."""
        waiting = self.journal.open()
        for entry in waiting:
            self._enqueue(entry)
        for index, lane_queue in enumerate(self._queues):
            thread = threading.Thread(target=self._work, args=(lane_queue,), name=f"inbox-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if self.make_durable is not None:
            self._checkpointer = threading.Thread(target=self._checkpoint_periodically, name="inbox-checkpoint", daemon=True)
            self._checkpointer.start()
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
                if self.make_durable is None:
                    self.journal.mark_done(entry.seq)
                else:
                    with self._checkpoint_lock:
                        self._applied.append(entry.seq)
            finally:
                with self._idle:
                    self._busy -= 1
                    if self._busy == 0:
                        self._idle.notify_all()

    def checkpoint(self) -> int:
        """Make what applied events wrote durable, then mark them done; how many were marked."""
        with self._checkpoint_lock:
            applied, self._applied = self._applied, []
        if not applied:
            return 0
        try:
            self.make_durable()
        except BaseException:
            with self._checkpoint_lock:  # not done: kept for the next checkpoint (replayed if we die)
                self._applied = applied + self._applied
            raise
        for seq in applied:
            self.journal.mark_done(seq)
        return len(applied)

    def _checkpoint_periodically(self) -> None:
        while not self._closing.wait(self.checkpoint_seconds):
            try:
                self.checkpoint()
            except Exception:
                log.exception("could not make applied events durable; they stay in the journal, retried later")

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
        self._closing.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=10)  # its checkpoint, if one is running, ends before the last one
        if self.make_durable is not None:
            try:
                self.checkpoint()
            except Exception:
                log.exception("could not make applied events durable at close; they are replayed at the next start")
        self.journal.close()
