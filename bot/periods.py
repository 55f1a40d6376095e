"""Calendar periods in a group's own time zone: the keys that make periodic work idempotent.

A week is an ISO week (Monday to Sunday) and a day a local day, both in the group's time zone, so
"once a week" means what the group's members mean by it, wherever the server runs.
"""
from __future__ import annotations

from datetime import datetime

from .worktime import local_date, zone


def local_day(moment: datetime, tz: str = "UTC") -> str:
    return local_date(moment, tz)


def iso_week(moment: datetime, tz: str = "UTC") -> str:
    year, week, _ = moment.astimezone(zone(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def ten_minutes(moment: datetime) -> str:
    """A UTC slot for housekeeping that belongs to no group."""
    return moment.strftime("%Y-%m-%dT%H:") + f"{moment.minute // 10}0"
