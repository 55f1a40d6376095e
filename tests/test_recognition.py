"""Weekly recognition end to end: the real bot, the real scheduler, a fake clock moved by days."""
from datetime import datetime, timedelta, timezone

from handlers.emulator import decode_json_args, reaction_added_event, reaction_removed_event

FRIDAY_1600_PARIS = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)


def react(ws, user, emoji, ts, author):
    ws.sender.event(reaction_added_event(user, emoji, "C1", ts, item_user=author))
    ws.steward.wait_idle()


def a_helpful_week(ws):
    """UALICE answers UBOB's question about kubernetes and gets kudos; UDAN only chats."""
    question = ws.say("UBOB", "How do I roll back a kubernetes deployment?")
    reply = ws.say("UALICE", "kubectl rollout undo deployment/web", thread_ts=question)
    react(ws, "UBOB", "white_check_mark", reply, "UALICE")  # the asker's ✅ on the reply: UALICE answered
    react(ws, "UCAROL", "raised_hands", reply, "UALICE")
    react(ws, "UALICE", "raised_hands", reply, "UALICE")  # self-kudos count for nothing
    for n in range(20):
        ws.say("UDAN", f"lol {n}")


def recognition_posts(ws):
    return [p for p in ws.posts("C1") if p["text"].startswith("*Thank you!*")]


def test_the_weekly_post_names_helpers_with_reasons_once(group):
    a_helpful_week(group)
    group.clock.set(FRIDAY_1600_PARIS - timedelta(minutes=1))
    group.settle()
    assert recognition_posts(group) == []  # not yet
    group.advance(minutes=1)
    [post] = recognition_posts(group)
    assert post["text"].splitlines()[:3] == [
        "*Thank you!* Here is who helped in <#C1> this week:",
        "<@UALICE> — answered 1 question about deployment, kubernetes, received 1 kudos",
        "<@UBOB> — started 1 thread others joined"]
    assert "UDAN" not in post["text"]  # chatter scores nothing
    blocks = decode_json_args(post)["blocks"]
    assert blocks[-1]["elements"][0]["action_id"] == "recognition_opt_out"
    group.restart()  # a restart after posting posts nothing
    group.advance(hours=1)
    assert len(recognition_posts(group)) == 1


def test_an_empty_week_posts_nothing(group):
    group.say("UDAN", "just chatting")
    group.clock.set(FRIDAY_1600_PARIS)
    group.advance(hours=2)
    assert recognition_posts(group) == []


def test_down_at_the_time_it_posts_once_that_day_and_skips_after(group):
    a_helpful_week(group)
    group.stop()
    group.clock.set(FRIDAY_1600_PARIS + timedelta(hours=5))  # back at 21:00 the same Friday in Paris
    group.start()
    group.settle()
    assert len(recognition_posts(group)) == 1
    react(group, "UBOB", "raised_hands", group.say("UALICE", "another tip"), "UALICE")
    group.stop()
    group.clock.set(FRIDAY_1600_PARIS + timedelta(days=8))  # back on the next Saturday: that week is skipped
    group.start()
    group.settle()
    assert len(recognition_posts(group)) == 1


def test_members_can_opt_out_by_button_or_command_and_owners_preview(group):
    a_helpful_week(group)
    preview = group.run("UOWNER", "recognition preview")
    assert preview.startswith("This week's thanks so far") and "<@UALICE>" in preview
    assert group.run("UALICE", "recognition preview").startswith("Only this group's owners")
    assert group.click("recognition_opt_out", "T1:C1", user="UALICE").startswith("You will not be named")
    assert "<@UALICE>" not in group.run("UOWNER", "recognition preview")
    assert group.run("UALICE", "recognition on") == "You may be named in weekly thanks again."
    assert "<@UALICE>" in group.run("UOWNER", "recognition preview")


def test_a_removed_kudos_is_taken_back(group):
    reply = group.say("UALICE", "here is the doc")
    react(group, "UCAROL", "raised_hands", reply, "UALICE")
    group.sender.event(reaction_removed_event("UCAROL", "raised_hands", "C1", reply, item_user="UALICE"))
    group.steward.wait_idle()
    assert group.run("UOWNER", "recognition preview").startswith("Nobody to thank yet")


import pytest  # noqa: E402  (kept beside the tests that use it)


@pytest.mark.parametrize("zone, before_change, after_change", [
    # 16:00 on the Friday before and after each spring change, in UTC.
    ("Europe/Paris", datetime(2027, 3, 26, 15, 0, tzinfo=timezone.utc), datetime(2027, 4, 2, 14, 0, tzinfo=timezone.utc)),
    ("America/New_York", datetime(2027, 3, 12, 21, 0, tzinfo=timezone.utc), datetime(2027, 3, 19, 20, 0, tzinfo=timezone.utc)),
])
def test_the_post_lands_at_the_local_time_in_daylight_saving_weeks(group, zone, before_change, after_change):
    group.run("UOWNER", f"config timezone {zone}")
    for friday in (before_change, after_change):
        group.clock.set(friday - timedelta(hours=2))
        react(group, "UCAROL", "raised_hands", group.say("UALICE", f"tip of {friday:%b %d}"), "UALICE")
        posted = len(recognition_posts(group))
        group.clock.set(friday - timedelta(minutes=1))
        group.settle()
        assert len(recognition_posts(group)) == posted, f"posted before 16:00 local in {zone}"
        group.advance(minutes=1)
        assert len(recognition_posts(group)) == posted + 1, f"not posted at 16:00 local in {zone}"


def test_a_restart_mid_week_loses_nothing(group):
    a_helpful_week(group)
    group.restart()  # Monday: the week's counters were flushed on close and are read back
    group.clock.set(FRIDAY_1600_PARIS)
    group.settle()
    [post] = recognition_posts(group)
    assert "<@UALICE>" in post["text"]
