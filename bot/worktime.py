"""Working hours: when people may be pinged, and waits that only count working time.

Hours and days are group settings ("09:00-18:00", "mon,tue,wed,thu,fri") read in a time zone: the
group's for its own waits, each person's own (from their profile) for when they may be pinged.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")



def _window(hours: str) -> tuple[time, time]:
    start, end = hours.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception:  # an odd profile tz must not stop the ladder
        return ZoneInfo("UTC")


def is_working(moment: datetime, tz: str, hours: str, days: str) -> bool:
    local = moment.astimezone(zone(tz))
    start, end = _window(hours)
    return DAYS[local.weekday()] in days.split(",") and start <= local.time() < end


def add_working_time(start: datetime, seconds: float, tz: str, hours: str, days: str) -> datetime:
    """`start` plus `seconds` of working time (so a wait never runs out at night or at weekends)."""
    local_zone = zone(tz)
    open_at, close_at = _window(hours)
    working_days = set(days.split(","))
    remaining = timedelta(seconds=seconds)
    cursor = start.astimezone(local_zone)
    for _ in range(3700):  # about ten years of days: a guard, never reached with sane settings
        day_open = datetime.combine(cursor.date(), open_at, local_zone)
        day_close = datetime.combine(cursor.date(), close_at, local_zone)
        if DAYS[cursor.weekday()] in working_days and cursor < day_close:
            begin = max(cursor, day_open)
            if begin + remaining <= day_close:
                return (begin + remaining).astimezone(start.tzinfo)
            remaining -= day_close - begin
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), local_zone)
    raise ValueError("no working time in the settings")


def local_date(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).date().isoformat()
