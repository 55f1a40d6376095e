"""Calendar periods in a group's own time zone: the keys that make periodic work idempotent.

A week is an ISO week (Monday to Sunday) and a day a local day, both in the group's time zone, so
"once a week" means what the group's members mean by it, wherever the server runs.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from typing import Callable

from .clock import Clock, utc_iso
from .store import Store
from .worktime import DAYS, local_date, zone

JOB_RUNS = "job_runs"


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


def once_per_period(store: Store, clock: Clock, job_id: str, period_key: str, work: Callable[[], object]) -> bool:
    """Run `work` unless a run of `job_id` for `period_key` is recorded; True when it ran.

    `period_key` names the group and its calendar period (`T1:C1:2026-W48`). The record is written
    before the work, and the work only queues posts with keys of their own in the outbox, so a
    crash mid-run never posts twice.
    """
    record = {"job_id": job_id, "period": period_key, "started_at": utc_iso(clock.now())}
    if not store.insert_if_absent(JOB_RUNS, f"{job_id}:{period_key}", record):
        return False
    work()
    return True


def done(store: Store, job_id: str, period_key: str) -> bool:
    return store.get(JOB_RUNS, f"{job_id}:{period_key}") is not None


def next_run(group, slot: str, moment: datetime, is_done: Callable[[str], bool]) -> tuple[bool, datetime]:
    """(on, when) of a group's weekly job: this week's time if it is still to come (or due and not
    yet done), else next week's, in the group's time zone."""
    tz = group.config["timezone"]
    on, day, at = group.slot(slot, moment)
    this_week = weekly_time(moment, tz, day, at)
    if this_week > moment.astimezone(zone(tz)) or (due_this_week(moment, tz, day, at) and not is_done(iso_week(moment, tz))):
        return on, this_week
    following = moment + timedelta(days=7 - moment.astimezone(zone(tz)).weekday())
    _, day, at = group.slot(slot, following)
    return on, weekly_time(following, tz, day, at)
