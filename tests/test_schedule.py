"""`/community schedule`, and the rule that a new day or time applies from the next week."""
from datetime import datetime, timedelta, timezone

from bot.clock import FakeClock
from bot.groups import GroupService
from bot.periods import next_run, weekly_time
from bot.store import MemoryStore


def test_schedule_lists_each_weekly_job_in_the_groups_time(group):
    group.settle()  # set up on Monday at 10:00 in Paris: this week's checklist (due 09:30) is handled at the next tick
    answer = group.run("UALICE", "schedule")  # members may look
    assert answer.startswith("Weekly work of <#C1> (times in Europe/Paris):")
    assert "• recognition of contributors: next on Friday 2026-11-27 at 16:00" in answer
    assert "• the owners' weekly checklist: next on Monday 2026-11-30 at 09:30" in answer  # done this week
    assert "• conversation starter: next on Tuesday 2026-11-24 at 10:00" in answer
    group.run("UOWNER", "config prompts off")
    assert "• conversation starter: off (`/community config prompts on` to turn it on)" in group.run("UOWNER", "schedule")


def test_a_job_due_today_and_not_yet_done_is_listed_for_today():
    monday_10_paris = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    group, _ = GroupService(MemoryStore(), FakeClock(monday_10_paris)).create("T1", "C1", "UOWNER", timezone="Europe/Paris")
    on, when = next_run(group, "owner_digest", monday_10_paris, lambda week: False)
    assert on and when.isoformat() == "2026-11-23T09:30:00+01:00"
    on, when = next_run(group, "owner_digest", monday_10_paris, lambda week: True)
    assert when.isoformat() == "2026-11-30T09:30:00+01:00"


def test_a_new_day_applies_from_next_week():
    clock = FakeClock(datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc))  # Tuesday
    groups = GroupService(MemoryStore(), clock)
    group, _ = groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")
    group, _ = groups.set_setting(group, "recognition_day", "mon")
    group, _ = groups.set_setting(group, "recognition_day", "wed")  # changed twice: this week still Friday
    assert group.slot("recognition", clock.now()) == (True, "fri", "16:00")
    assert group.slot("recognition", clock.now() + timedelta(days=7)) == (True, "wed", "16:00")
    on, when = next_run(group, "recognition", clock.now(), lambda week: False)
    assert when == weekly_time(clock.now(), "Europe/Paris", "fri", "16:00")
    clock.advance(days=4, hours=9)  # Saturday: this week's run is behind us
    on, when = next_run(group, "recognition", clock.now(), lambda week: True)
    assert when.isoformat() == "2026-12-02T16:00:00+01:00"
