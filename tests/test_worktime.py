"""Working-time arithmetic across time zones."""
from datetime import datetime, timezone

from bot.worktime import add_working_time, is_working

UTC = timezone.utc
WEEK = "mon,tue,wed,thu,fri"


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_wait_inside_working_hours_is_plain():
    assert add_working_time(at("2026-11-23T10:00"), 1800, "UTC", "09:00-18:00", WEEK) == at("2026-11-23T10:30")


def test_a_wait_that_crosses_the_evening_continues_next_morning():
    assert add_working_time(at("2026-11-23T17:50"), 1800, "UTC", "09:00-18:00", WEEK) == at("2026-11-24T09:20")


def test_a_question_on_friday_evening_waits_for_monday():
    assert add_working_time(at("2026-11-27T19:00"), 1800, "UTC", "09:00-18:00", WEEK) == at("2026-11-30T09:30")


def test_the_group_time_zone_decides_the_day():
    # 07:30 UTC is 08:30 in Paris (before hours) and 16:30 in Tokyo (inside).
    assert add_working_time(at("2026-11-23T07:30"), 600, "Europe/Paris", "09:00-18:00", WEEK) == at("2026-11-23T08:10")
    assert add_working_time(at("2026-11-23T07:30"), 600, "Asia/Tokyo", "09:00-18:00", WEEK) == at("2026-11-23T07:40")


def test_is_working_reads_each_persons_own_zone():
    moment = at("2026-11-23T16:00")  # Monday 17:00 Paris, 01:00 Tuesday Tokyo, 08:00 Los Angeles
    assert is_working(moment, "Europe/Paris", "09:00-18:00", WEEK)
    assert not is_working(moment, "Asia/Tokyo", "09:00-18:00", WEEK)
    assert not is_working(moment, "America/Los_Angeles", "09:00-18:00", WEEK)
    assert not is_working(at("2026-11-28T12:00"), "UTC", "09:00-18:00", WEEK)  # Saturday


def test_dst_change_is_respected():
    # Europe/Paris leaves summer time on 2026-10-25: 09:00 local is 07:00 UTC before, 08:00 UTC after.
    assert add_working_time(at("2026-10-23T20:00"), 60, "Europe/Paris", "09:00-18:00", WEEK) == at("2026-10-26T08:01")
