"""The inbox: acked means kept.

An adapter hands each event it is about to acknowledge to `Inbox.accept`, which journals it
(`bot.inbox.journal`: synced to disk, grouped across concurrent requests) and only then returns, so
the platform's 200 is sent for events already on disk. Events are applied by `workers` threads
after the acknowledgement; all events of one lane (a channel) go to the same worker, in journal
order, so a reply is never applied before its question, while different channels run in parallel.
At start, `start` first re-queues the events a previous run acked but had not applied.

An event whose applier raises is logged and left un-done in the journal, so the next start applies
it again; the lane goes on with the next event.

Applied events are marked done at a checkpoint, every `checkpoint_every` seconds: first the store
writes what it buffers (`checkpoint`, the store's flush: activity counters), then the events
applied before it began are marked done. So an event whose counters a crash lost is still in the
journal and is applied again, and one whose counters were written is not (and if it were, the
counters' once-per-event ids would keep it from counting twice): exactly once in effect.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
import zlib
from pathlib import Path
from typing import Callable

from .journal import Entry, Journal

log = logging.getLogger(__name__)
Applier = Callable[[Entry], None]
HANDOFF_PAUSE = 0.001  # seconds
NOT_JOURNALLED = 0  # the seq of an event queued without the journal (journal seqs start at 1)


class Inbox:
    def __init__(self, directory: str | Path, apply: Applier, workers: int = 4,
                 checkpoint: Callable[[], None] = lambda: None, checkpoint_every: float = 5.0):
        self.journal = Journal(directory)
        self.apply = apply
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every
        self._queues = [queue.Queue() for _ in range(workers)]
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._idle = threading.Condition()
        self._applied: list[int] = []
        self._applied_lock = threading.Lock()
        self._stopping = threading.Event()
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
        self._checkpointer = threading.Thread(target=self._checkpoint_periodically, name="inbox-checkpoint", daemon=True)
        self._checkpointer.start()
        if waiting:
            log.info("replaying %d event(s) acknowledged before the last stop", len(waiting))
        return len(waiting)

    def accept(self, event_id: str, lane: str, event: dict, *, durable: bool = True) -> bool:
        """Journal the event (on disk when this returns); False for a redelivered event id.

        `durable=False` is for events that only feed buffered counters (chatter): they are queued in
        their lane, in order with the rest, without a sync; a crash before the next checkpoint loses
        their counts (the counter window), and a redelivery is counted once by the counters' ids."""
        if not durable:
            self._enqueue(Entry(NOT_JOURNALLED, event_id, lane, event))
            return True
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
            if lane_queue.empty():
                # Woken by a lone event whose request is still being answered: step aside for a
                # moment (releasing the GIL) so the 200 goes out first. Under a backlog, no pause.
                time.sleep(HANDOFF_PAUSE)
            try:
                if entry.seq != NOT_JOURNALLED:
                    self.journal.wait_durable(entry.seq)
                self.apply(entry)
            except Exception:
                log.exception("could not apply event %s; it stays in the journal and is retried at the next start",
                              entry.event_id)
            else:
                if entry.seq != NOT_JOURNALLED:
                    with self._applied_lock:
                        self._applied.append(entry.seq)
            finally:
                with self._idle:
                    self._busy -= 1
                    if self._busy == 0:
                        self._idle.notify_all()

    def _checkpoint_periodically(self) -> None:
        while not self._stopping.wait(self.checkpoint_every):
            try:
                self.checkpoint_now()
            except Exception:  # a full disk: the events stay un-done and are applied again later
                log.exception("checkpoint failed; the applied events stay in the journal for now")

    def checkpoint_now(self) -> None:
        """Write what the store buffers, then mark done the events applied before that."""
        with self._applied_lock:
            applied, self._applied = self._applied, []
        if not applied:
            return
        try:
            self.checkpoint()
        except BaseException:
            with self._applied_lock:
                self._applied = applied + self._applied
            raise
        for seq in applied:
            self.journal.mark_done(seq)

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
        self._stopping.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=10)  # a checkpoint in progress writes its "done" lines first
        self.checkpoint_now()
        self.journal.close()
