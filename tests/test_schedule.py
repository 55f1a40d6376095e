"""`/community schedule`, and the rule that a new day or time applies from the next week."""
from datetime import datetime, timedelta, timezone

from bot.clock import FakeClock
from bot.groups import GroupService
from bot.periods import next_run, weekly_time
from bot.store import MemoryStore


def test_schedule_lists_each_weekly_job_in_the_groups_time(group):
    answer = group.run("UALICE", "schedule")  # members may look
    assert answer.startswith("Weekly work of <#C1> (times in Europe/Paris):")
    assert "• recognition of contributors: next on Friday 2026-11-27 at 16:00" in answer
    assert "• the owners' weekly checklist: next on Monday 2026-11-23 at 09:30" in answer  # due today, not yet done
    assert "• conversation starter: next on Tuesday 2026-11-24 at 10:00" in answer
    group.run("UOWNER", "config prompts off")
    assert "• conversation starter: off (`/community config prompts on` to turn it on)" in group.run("UOWNER", "schedule")


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
