"""Calendar periods in a group's own time zone: the keys that make periodic work idempotent.

A week is an ISO week (Monday to Sunday) and a day a local day, both in the group's time zone, so
"once a week" means what the group's members mean by it, wherever the server runs.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from .groups.config import DAYS
from .worktime import local_date, zone


def local_day(moment: datetime, tz: str = "UTC") -> str:
    return local_date(moment, tz)


def iso_week(moment: datetime, tz: str = "UTC") -> str:
    year, week, _ = moment.astimezone(zone(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def ten_minutes(moment: datetime) -> str:
    """A UTC slot for housekeeping that belongs to no group."""
    return moment.strftime("%Y-%m-%dT%H:") + f"{moment.minute // 10}0"


def weekly_time(moment: datetime, tz: str, day: str, at: str) -> datetime:
    """This ISO week's `day` at `at` (HH:MM) in `tz`, the week being the one `moment` is in there.

    The wall time is kept across a daylight-saving change: 16:00 in Paris is 15:00 UTC in winter
    and 14:00 UTC in summer. A wall time skipped by the change (02:30 on the spring night) is
    taken as the instant after the gap, like a clock that jumped.
    """
    local = moment.astimezone(zone(tz))
    monday = local.date() - timedelta(days=local.weekday())
    hour, minute = (int(part) for part in at.split(":"))
    wall = datetime.combine(monday + timedelta(days=DAYS.index(day)), time(hour, minute), zone(tz))
    return wall.astimezone(zone("UTC")).astimezone(zone(tz))


def due_this_week(moment: datetime, tz: str, day: str, at: str) -> bool:
    """True from the week's set time to the end of that local day: a bot that was down at the time
    still does the week's work when it comes back the same day (the grace), and skips it after."""
    scheduled = weekly_time(moment, tz, day, at)
    local = moment.astimezone(zone(tz))
    return scheduled <= local and local.date() == scheduled.date()
