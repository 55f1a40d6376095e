"""An event's timeline: when each step falls due, as pure functions of the event's start and the
time zones involved, and the owner's form read into a start time.

The start is kept as a UTC instant; the owner chose it as a wall time in the group's time zone.
Each step is computed from it, in the time zone of the person it is for:

- the day-before reminder: 18:00 on the day before the event's date *as the attendee sees it*, in
  the attendee's time zone. Not "24 hours before": for a 09:00 event that would wake an attendee
  eight time zones west at 01:00. 18:00 the day before is always at least six hours ahead of the
  start (the latest local start, 23:59, is six hours after it) and always a waking hour;
- the one-hour reminder: one hour before the start (an instant: the same for everyone);
- the follow-up thread: 09:00 in the group's time zone on the day after the event's local date,
  when people are back at their desks with their notes (an evening meetup is followed up the next
  morning, not at midnight);
- the nudge: 10:00 in the attendee's time zone, seven local days after the follow-up's date there.

Local wall times are kept across a daylight-saving change (18:00 is 18:00 in March and in
October), which a fixed number of hours would not do. A wall time that does not exist (02:30 on
the spring night in Paris) is refused when the owner picks it; one that exists twice (02:30 on the
autumn night) is taken as the first of the two.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from ..worktime import zone

DAY_BEFORE_AT = time(18, 0)
HOUR_BEFORE = timedelta(hours=1)
FOLLOW_UP_AT = time(9, 0)
NUDGE_AT = time(10, 0)
NUDGE_AFTER_DAYS = 7
# The last nudge (seven days after the follow-up, at 10:00 in the earliest time zone) is due at
# most 8 days and 14 hours after the follow-up; the event leaves the live table a day after that.
RETIRE_AFTER = timedelta(days=9, hours=12)

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class BadWallTime(ValueError):
    """The form's date and time do not make an instant: `reason` is "date", "time" or "gap"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def start_from_wall(day: str, at: str, tz: str) -> datetime:
    """'2026-03-28', '19:00' in `tz` → the UTC instant. Raises BadWallTime."""
    match = _DATE.match((day or "").strip())
    try:
        local_day = date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        local_day = None
    if local_day is None:
        raise BadWallTime("date")
    match = _TIME.match((at or "").strip())
    if not match:
        raise BadWallTime("time")
    wall = datetime.combine(local_day, time(int(match.group(1)), int(match.group(2))), zone(tz))  # fold=0: the first
    try:
        instant = wall.astimezone(timezone.utc)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by the zone's offset
        raise BadWallTime("date") from None
    if instant.astimezone(zone(tz)).replace(tzinfo=None) != wall.replace(tzinfo=None):
        raise BadWallTime("gap")  # skipped by the clocks going forward
    return instant


def wall(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(zone(tz))


def _at_local(day: date, at: time, tz: str) -> datetime:
    return datetime.combine(day, at, zone(tz)).astimezone(timezone.utc)


def day_before_at(start: datetime, tz: str) -> datetime:
    """18:00 in `tz` on the day before the event's date as seen in `tz`."""
    return _at_local(wall(start, tz).date() - timedelta(days=1), DAY_BEFORE_AT, tz)


def hour_before_at(start: datetime) -> datetime:
    return start - HOUR_BEFORE


def follow_up_at(start: datetime, group_tz: str) -> datetime:
    """09:00 in the group's time zone, the day after the event's local date."""
    return _at_local(wall(start, group_tz).date() + timedelta(days=1), FOLLOW_UP_AT, group_tz)


def nudge_at(follow_up: datetime, tz: str) -> datetime:
    """10:00 in `tz`, seven local days after the follow-up's date there."""
    return _at_local(wall(follow_up, tz).date() + timedelta(days=NUDGE_AFTER_DAYS), NUDGE_AT, tz)


def retire_at(start: datetime, group_tz: str) -> datetime:
    """When every step of a held event is behind it: it leaves the live table."""
    return follow_up_at(start, group_tz) + RETIRE_AFTER
