"""Processed Slack event ids, so a retried event never does its work twice.

Slack redelivers an event (with `X-Slack-Retry-Num`) when our answer was slow or lost; the first
delivery may also never have arrived, so retries are not dropped blindly: the `event_id` decides.
Ids are remembered in memory for every event (for Slack's retry window). Events whose effect is
not idempotent by itself (joins and leaves: a welcome) are also remembered in the store, so a
restart between a delivery and its retry still dedupes. Questions, replies and resolutions need
no stored id: they are keyed by the message's ts, so doing them twice changes nothing. Keeping the
stored ids to those few events keeps this table, written on each of them, small.
Expired ids are removed by a scheduled job.
"""
from __future__ import annotations

import threading
from datetime import timedelta

from .clock import Clock, parse_iso, utc_iso
from .store import Store

TABLE = "processed_events"
DEFAULT_TTL = timedelta(hours=3)  # Slack retries after ~0 s, 1 min and 5 min
# Ids of events that only bump counters are kept in memory for Slack's retry window alone, so a
# busy workspace (50 events/s) holds tens of thousands of ids, not half a million.
MEMORY_ONLY_TTL = timedelta(minutes=15)


class EventLedger:
    def __init__(self, store: Store, clock: Clock, ttl: timedelta = DEFAULT_TTL):
        self.store = store
        self.clock = clock
        self.ttl = ttl
        self._recent: dict[str, object] = {}
        self._lock = threading.Lock()

    def claim(self, event_id: str | None, *, durable: bool = True) -> bool:
        """True the first time an event id is seen (the caller then does the work)."""
        if not event_id:
            return True  # not an Events API delivery (e.g. local calls): nothing to dedupe
        now = self.clock.now()
        with self._lock:
            expiry = self._recent.get(event_id)
            if expiry is not None and expiry > now:
                return False
            if durable:
                record = {"event_id": event_id, "expires_at": utc_iso(now + self.ttl)}
                if not self.store.insert_if_absent(TABLE, event_id, record):
                    stored = self.store.get(TABLE, event_id)
                    if stored and parse_iso(stored["expires_at"]) > now:
                        return False
                    self.store.put(TABLE, event_id, record)
            self._recent[event_id] = now + (self.ttl if durable else MEMORY_ONLY_TTL)
            return True

    def forget_expired(self) -> int:
        """Drop expired ids from memory and store; returns how many stored ids were removed."""
        now = self.clock.now()
        with self._lock:
            self._recent = {k: v for k, v in self._recent.items() if v > now}
        removed = 0
        for record in self.store.find(TABLE):
            if parse_iso(record["expires_at"]) <= now:
                removed += self.store.delete(TABLE, record["event_id"])
        return removed
