"""Clocks: the fake one tests move, and the offset one the local workspace runs on."""
from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import FakeClock, OffsetClock

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def test_an_offset_clock_runs_with_the_wall_and_moves_forward_on_demand():
    wall = FakeClock(MONDAY)
    clock = OffsetClock(source=wall)
    assert clock.now() == MONDAY
    wall.advance(minutes=2)  # time passes as on the wall…
    assert clock.now() == MONDAY + timedelta(minutes=2)
    assert clock.advance(hours=1) == MONDAY + timedelta(hours=1, minutes=2)  # …and jumps when asked
    wall.advance(seconds=30)
    assert clock.now() == MONDAY + timedelta(hours=1, minutes=2, seconds=30)
    assert clock.offset == timedelta(hours=1)


def test_an_offset_clock_can_start_at_any_moment_and_be_rebuilt_from_its_offset():
    wall = FakeClock(MONDAY)
    clock = OffsetClock.starting_at(MONDAY - timedelta(days=3), source=wall)  # in the past of the wall
    assert clock.now() == MONDAY - timedelta(days=3)
    clock.advance(timedelta(days=1))
    again = OffsetClock(clock.offset, source=wall)  # what a restart does with the saved offset
    assert again.now() == clock.now() == MONDAY - timedelta(days=2)


def test_an_offset_clock_never_goes_back_and_needs_an_aware_start():
    clock = OffsetClock(source=FakeClock(MONDAY))
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        OffsetClock.starting_at(datetime(2026, 11, 23, 9, 0))
    assert clock.now() == MONDAY


def test_the_default_offset_clock_reads_the_system_time():
    before = datetime.now(timezone.utc)
    now = OffsetClock(timedelta(days=7)).now()
    assert before + timedelta(days=7) <= now <= datetime.now(timezone.utc) + timedelta(days=7)
    assert now.tzinfo is not None
