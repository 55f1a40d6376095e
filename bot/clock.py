"""Injectable time.

Every piece of the bot that needs "now" asks a clock instead of the system, so tests and the
local workspace can fast-forward days without sleeping. APScheduler jobs also read the clock:
they run on a short real-time tick and decide what is due from `clock.now()`.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FakeClock:
    """A clock that only moves when told to (tests). The local workspace uses `OffsetClock`."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # a Monday
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start time")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs) -> datetime:
        """Move forward by `delta` or by timedelta(**kwargs); returns the new time."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += step
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            if moment < self._now:
                raise ValueError("time only moves forward")
            self._now = moment


class OffsetClock:
    """Real time plus an offset that only grows: the local workspace's clock.

    Time passes as it does on the wall (a question asked now is "2 min" old in two minutes), and
    `advance` moves it ahead on demand ("+1 day"), so a visitor sees a day's work in a second. The
    offset is all there is to keep across a restart (`offset`, then `OffsetClock(offset)`), so the
    workspace's time never runs backwards past what the store already holds.
    """

    def __init__(self, offset: timedelta = timedelta(0), *, source: Clock | None = None):
        self._offset = offset
        self._source = source or SystemClock()  # the wall; tests pass a FakeClock
        self._lock = threading.Lock()

    @classmethod
    def starting_at(cls, moment: datetime, *, source: Clock | None = None) -> "OffsetClock":
        """A clock that reads `moment` now (in the past or the future) and runs on from there."""
        if moment.tzinfo is None:
            raise ValueError("OffsetClock needs a timezone-aware start time")
        wall = source or SystemClock()
        return cls(moment - wall.now(), source=wall)

    @property
    def offset(self) -> timedelta:
        with self._lock:
            return self._offset

    def now(self) -> datetime:
        with self._lock:
            return self._source.now() + self._offset

    def advance(self, delta: timedelta | None = None, **kwargs) -> datetime:
        """Move forward by `delta` or by timedelta(**kwargs); returns the new time."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += step
            return self._source.now() + self._offset


def utc_iso(moment: datetime) -> str:
    """The store keeps times as ISO-8601 UTC strings: sortable, readable, JSON-safe."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)
