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

A lane is woken only once the event's acknowledgement is out: the adapter passes `after_ack`, its
way to run a callback after the platform has its answer, and `accept` wakes the lane through it.
The entry is queued at once, in journal order, so a lane already busy takes it in turn; but an
idle lane's thread is not woken while the request thread still has the answer to send, so applying
an event never competes with (and never delays) its own acknowledgement.
"""
from __future__ import annotations

import logging
import threading
import zlib
from collections import deque
from pathlib import Path
from typing import Callable

from .journal import Entry, Journal

log = logging.getLogger(__name__)
Applier = Callable[[Entry], None]
AfterAck = Callable[[Callable[[], None]], None]  # runs a callback once the acknowledgement is sent
NOT_JOURNALLED = 0  # the seq of an event queued without the journal (journal seqs start at 1)


class Inbox:
    def __init__(self, directory: str | Path, apply: Applier, workers: int = 4,
                 checkpoint: Callable[[], None] = lambda: None, checkpoint_every: float = 5.0):
        self.journal = Journal(directory)
        self.apply = apply
        self.checkpoint = checkpoint
        self.checkpoint_every = checkpoint_every
        self._lanes = [_Lane() for _ in range(workers)]
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
        for index, lane in enumerate(self._lanes):
            thread = threading.Thread(target=self._work, args=(lane,), name=f"inbox-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self._checkpointer = threading.Thread(target=self._checkpoint_periodically, name="inbox-checkpoint", daemon=True)
        self._checkpointer.start()
        if waiting:
            log.info("replaying %d event(s) acknowledged before the last stop", len(waiting))
        return len(waiting)

    def accept(self, event_id: str, lane: str, event: dict, *, durable: bool = True,
               after_ack: AfterAck | None = None) -> bool:
        """Journal the event (on disk when this returns); False for a redelivered event id.

        `durable=False` is for events that only feed buffered counters (chatter): they are queued in
        their lane, in order with the rest, without a sync; a crash before the next checkpoint loses
        their counts (the counter window), and a redelivery is counted once by the counters' ids.

        `after_ack(callback)`: the adapter runs `callback` once the acknowledgement is sent (see the
        module docstring); without it the lane is woken at once."""
        chosen = self._lanes[zlib.crc32(lane.encode()) % len(self._lanes)]
        try:
            if not durable:
                self._enqueue(Entry(NOT_JOURNALLED, event_id, lane, event), wake=False)
                return True
            return self.journal.append(event_id, lane, event,
                                       on_sequenced=lambda entry: self._enqueue(entry, wake=False)) is not None
        finally:  # even when the journal refused: an entry it numbered is queued and must not sleep there
            (after_ack or _at_once)(chosen.wake)

    def _enqueue(self, entry: Entry, wake: bool = True) -> None:
        with self._idle:
            self._busy += 1
        self._lanes[zlib.crc32(entry.lane.encode()) % len(self._lanes)].put(entry, wake)

    def _work(self, lane: "_Lane") -> None:
        while True:
            entry = lane.take()
            if entry is None:
                return
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
        for lane in self._lanes:
            lane.put(None)
        for thread in self._threads:
            thread.join(timeout=1)
        self._stopping.set()
        if self._checkpointer is not None:
            self._checkpointer.join(timeout=10)  # a checkpoint in progress writes its "done" lines first
        self.checkpoint_now()
        self.journal.close()


class _Lane:
    """One lane's queue: entries in order; its thread is woken by `wake` (or `put(..., wake=True)`).

    Queued without a wake, an entry waits for the lane's next wake, unless the lane's thread is
    already running: it takes every queued entry before it sleeps, so no entry can be left behind
    by a wake that came while the thread was busy."""

    def __init__(self):
        self._entries: deque[Entry | None] = deque()
        self._ready = threading.Condition(threading.Lock())

    def put(self, entry: Entry | None, wake: bool = True) -> None:
        with self._ready:
            self._entries.append(entry)
            if wake:
                self._ready.notify()

    def wake(self) -> None:
        with self._ready:
            self._ready.notify()

    def take(self) -> Entry | None:
        with self._ready:
            while not self._entries:
                self._ready.wait()
            return self._entries.popleft()


def _at_once(callback: Callable[[], None]) -> None:
    callback()
