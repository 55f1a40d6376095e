"""Calendar periods in the group's time zone: the keys that make periodic work run once."""
from datetime import datetime, timezone

from bot.clock import FakeClock
from bot.periods import iso_week, local_day, ten_minutes
from bot.store import MemoryStore
from bot.periods import once_per_period


def test_a_week_starts_on_monday_in_the_groups_time_zone():
    sunday_night_utc = datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc)  # Monday 00:30 in Paris
    assert iso_week(sunday_night_utc, "UTC") == "2026-W48"
    assert iso_week(sunday_night_utc, "Europe/Paris") == "2026-W49"
    assert iso_week(datetime(2026, 11, 26, 0, 0, tzinfo=timezone.utc)) == "2026-W48"  # a Thursday is mid-week


def test_a_day_is_the_local_day():
    moment = datetime(2026, 11, 27, 22, 0, tzinfo=timezone.utc)
    assert local_day(moment, "Asia/Tokyo") == "2026-11-28" and local_day(moment, "America/Los_Angeles") == "2026-11-27"


def test_housekeeping_slots_are_ten_minutes():
    assert ten_minutes(datetime(2026, 11, 27, 9, 47, tzinfo=timezone.utc)) == "2026-11-27T09:40"


def test_the_done_record_is_per_group_and_period():
    store, clock, ran = MemoryStore(), FakeClock(), []
    for group in ("T1:C1", "T1:C2", "T1:C1"):
        once_per_period(store, clock, "weekly_recognition", f"{group}:{iso_week(clock.now(), 'Europe/Paris')}",
                        lambda group=group: ran.append(group))
    assert ran == ["T1:C1", "T1:C2"]
