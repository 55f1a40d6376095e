"""Counts that live only as "now" (join requests waiting, open flags, stale content), kept once a
local day per group, so the dashboard can say how each changed against the period before.

Each duty's count is a cheap read of its own small table (`pending_count`, `open_count`,
`stale_count`). The sweep (`schedules/home.py`) records every registered count of every group once
per local day of the group's time zone, in one document per group (`home_counts`, the last
`KEEP_DAYS` days): the day's entry is its own done-record, so a restart or a second tick the same
day writes nothing. The change shown is against the latest day recorded from `days` to twice
`days` ago (a week: 7 to 14 days ago); without one, no change is shown rather than a wrong one.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from ..clock import Clock
from ..groups import Group
from ..store import Store
from ..worktime import local_date

TABLE = "home_counts"
KEEP_DAYS = 70  # twice the longest window the dashboard compares (30 days), and some

Count = Callable[[Group], int]


class DailyCounts:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        self.counts: dict[str, Count] = {}

    def today(self, group: Group) -> date:
        return date.fromisoformat(local_date(self.clock.now(), group.config["timezone"]))

    def record(self, group: Group) -> bool:
        """Keep today's value of every count for `group`, once a local day; True when written."""
        if not self.counts:
            return False
        today = self.today(group).isoformat()
        doc = self.store.get(TABLE, group.key)
        if doc and today in doc.get("days", {}):
            return False
        values = {name: int(count(group)) for name, count in self.counts.items()}
        oldest = (self.today(group) - timedelta(days=KEEP_DAYS)).isoformat()

        def change(stored):
            stored = stored or {"team_id": group.team_id, "channel_id": group.channel_id, "days": {}}
            days = {day: entry for day, entry in stored["days"].items() if day >= oldest}
            days.setdefault(today, values)  # the first of the day wins: a second writer changes nothing
            stored["days"] = days
            return stored
        self.store.update(TABLE, group.key, change)
        return True

    def previous(self, group: Group, name: str, days: int = 7) -> int | None:
        """The count as recorded `days` to `2 * days` days ago (the latest such day), or None."""
        today = self.today(group)
        newest, oldest = (today - timedelta(days=days)).isoformat(), (today - timedelta(days=2 * days)).isoformat()
        recorded = (self.store.get(TABLE, group.key) or {}).get("days", {})
        for day in sorted(recorded, reverse=True):
            if oldest <= day <= newest and name in recorded[day]:
                return int(recorded[day][name])
        return None
