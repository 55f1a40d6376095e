"""Pacing the daily reconciliation's list calls under the platform's rate limits.

Slack limits each Web API method per app and workspace: `pins.list` is in Tier 2 (20+ calls a
minute), `bookmarks.list` in Tier 3 (50+). The `Workspace` port says how many of its `pinned`
and `bookmarked` calls a minute the platform takes (`pin_lists_per_minute`,
`bookmark_lists_per_minute`); `Pacer` keeps, per workspace and call, the times of the calls of
the last minute and grants a call only while fewer than that many were made in it. So, whatever
the number of groups, no rolling minute ever holds more calls than the tier: a sweep over 500
groups takes about 25 minutes (pins.list being the narrower limit), and does the rest at the
next ticks.

Times come from the core's clock, so tests move a fake clock instead of waiting. The window
lives in memory: a restart forgets it, so right after a restart one minute can see up to twice
the limit at worst; Slack then answers 429 and `hold` keeps the call back for a minute.
"""
from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from ..clock import Clock

WINDOW = timedelta(minutes=1)


class Pacer:
    def __init__(self, clock: Clock, limits: dict[str, int], window: timedelta = WINDOW):
        self.clock = clock
        self.limits = dict(limits)
        self.window = window
        self._calls: dict[tuple[str, str], deque[datetime]] = {}
        self._held: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()

    def take(self, team_id: str, calls: tuple[str, ...]) -> bool:
        """Grant one call of each of `calls` now, or none of them (a group needs both lists)."""
        now = self.clock.now()
        with self._lock:
            for name in calls:
                key = (team_id, name)
                made = self._calls.setdefault(key, deque())
                while made and now - made[0] >= self.window:
                    made.popleft()
                if len(made) >= self.limits[name] or self._held.get(key, now) > now:
                    return False
            for name in calls:
                self._calls[(team_id, name)].append(now)
            return True

    def hold(self, team_id: str, name: str, delay: timedelta = WINDOW) -> None:
        """The platform said "too many" (another process shares the token, or a restart): wait."""
        with self._lock:
            self._held[(team_id, name)] = self.clock.now() + delay

    def made(self, team_id: str, name: str) -> list[datetime]:
        """The calls of the last window (for tests and figures)."""
        with self._lock:
            return list(self._calls.get((team_id, name), ()))
