"""Visit reminders end to end: the real bot, the real scheduler, the emulator, a fake clock moved by days."""
from handlers.emulator import decode_json_args

DM = "DUALICE"  # the emulator's DM with UALICE (a post to a user id lands there)


def reminders_to(ws, user):
    return [p for p in ws.posts(user) if "while you were away" in p["text"]]


def a_week_of_news(ws):
    """A lively thread, a quieter one, and an unanswered question about kubernetes."""
    lively = ws.say("UBOB", "The new CI runners are live")
    for n in range(3):
        ws.say("UOWNER" if n % 2 else "UCAROL", f"builds are much faster now ({n})", thread_ts=lively)
    quiet = ws.say("UOWNER", "Reminder: the meetup moved to Thursday")
    ws.say("UCAROL", "noted", thread_ts=quiet)
    question = ws.say("UBOB", "How do I drain a kubernetes node without downtime?")
    return lively, quiet, question


def away_for_two_weeks(ws):
    """UALICE joins on Monday, says she knows kubernetes, and is not seen again; news a week later."""
    ws.join("UALICE")
    ws.run("UALICE", "expertise add kubernetes")
    ws.advance(days=7)
    news = a_week_of_news(ws)
    ws.advance(days=6, hours=23)
    assert reminders_to(ws, "UALICE") == []
    ws.advance(hours=1)  # Monday 09:00 UTC, two weeks after she joined: 10:00 in Paris
    return news


def test_a_member_away_for_two_weeks_gets_what_they_missed_once(group):
    lively, quiet, question = away_for_two_weeks(group)
    [dm] = reminders_to(group, "UALICE")
    link = "https://community.slack.com/archives/C1/p{}".format
    assert dm["text"].splitlines() == [
        "Hi <@UALICE>, here is what happened in <#C1> while you were away.",
        "*Lively threads*",
        f"• <{link(lively.replace('.', ''))}|3 replies> in a thread started by <@UBOB>",
        f"• <{link(quiet.replace('.', ''))}|1 reply> in a thread started by <@UOWNER>",
        "*Open questions you may know about*",
        f"• How do I drain a kubernetes node without downtime? — asked by <@UBOB> ({'<' + link(question.replace('.', ''))}|answer in the thread>)",
        "You get this after 14 days without activity in <#C1>, at most once every 14 days.",
    ]
    [button] = decode_json_args(dm)["blocks"][-1]["elements"]
    assert (button["action_id"], button["value"], button["text"]["text"]) == ("reminder_opt_out", "T1:C1", "No more reminders")
    assert {c["channel"] for c in group.slack.calls_to("chat.getPermalink")} == {"C1"}
    assert reminders_to(group, "UOWNER") == [] and reminders_to(group, "UBOB") == []  # an owner; active a week ago
    group.advance(hours=6)
    group.advance(days=1)
    assert len(reminders_to(group, "UALICE")) == 1


def test_a_restart_sends_no_second_reminder(group):
    away_for_two_weeks(group)
    assert len(reminders_to(group, "UALICE")) == 1
    group.restart()
    group.advance(hours=1)
    group.restart()
    group.settle()
    assert len(reminders_to(group, "UALICE")) == 1


def test_the_button_opts_out_and_the_command_opts_back_in(group):
    away_for_two_weeks(group)
    answer = group.click("reminder_opt_out", "T1:C1", user="UALICE", channel=DM)
    assert answer == "You will get no more reminders about <#C1>. `/community reminders on` there to change your mind."
    group.advance(days=13)
    a_week_of_news(group)
    group.advance(days=1)
    assert len(reminders_to(group, "UALICE")) == 1
    assert group.run("UALICE", "reminders on") == "You may get a reminder about <#C1> again after a while away."
    group.advance(hours=1)
    assert len(reminders_to(group, "UALICE")) == 2
    assert group.run("UALICE", "reminders off").startswith("You will get no more reminders about <#C1>.")


def test_owners_exclude_and_include_members(group):
    group.join("UALICE")
    assert group.run("UBOB", "reminders exclude <@UALICE>").startswith("Only this group's owners")
    assert group.run("UOWNER", "reminders exclude <@UALICE>") == "No reminders about <#C1> for <@UALICE>."
    assert group.run("UOWNER", "reminders exclude").startswith("Usage: `/community reminders off | on")
    group.advance(days=7)
    a_week_of_news(group)
    group.advance(days=7)
    assert reminders_to(group, "UALICE") == []
    assert group.run("UOWNER", "reminders include <@UALICE>") == "<@UALICE> may get reminders about <#C1> again."
    group.advance(hours=1)
    assert len(reminders_to(group, "UALICE")) == 1


def test_deactivated_accounts_and_other_time_zones(group):
    group.slack.add_user("UZED", tz="Europe/Paris", deleted=True)
    for user in ("UZED", "UCAROL", "UDAN"):
        group.join(user)
    group.advance(days=7)
    a_week_of_news(group)
    group.advance(days=7)  # 09:00 UTC: 18:00 in Tokyo (closed), 01:00 in Los Angeles
    assert reminders_to(group, "UZED") == [] and reminders_to(group, "UDAN") == []
    assert reminders_to(group, "UCAROL") == []  # Carol replied a week ago: not away for long enough
    group.advance(hours=8)  # 09:00 in Los Angeles
    assert len(reminders_to(group, "UDAN")) == 1
    assert reminders_to(group, "UZED") == []
