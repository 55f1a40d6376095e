"""The local workspace's first morning: a small community, played through the bot's real paths.

Nothing here writes the bot's store. The cast and channels are Slack's side (the emulator); the
group, its purpose and rules, everyone's expertise, the threads, the newcomer's welcome and the
answered question all come from real `/community` commands and signed events, so the bot's state
is built the way it is on Slack, and the page shows what the bot really did.

The clock starts on Monday 09:00 (Paris) of the current week and the morning is played forward to
09:58, when Dev asks a question nobody answers. Alice declared kubernetes and helm and works in
Paris hours, so "+1 hour" on the page is enough to see the bot bring her in: the group waits
`first_wait` (30 min of working time) before asking experts, and the clock control runs the
sweeps after moving time. Sam is in the workspace but not in #general: join as Sam to see a
welcome. Bob answered Chloé's question and Olivia welcomed Dev, so Friday's thanks has names.

The owner toolkit shows on the same morning, at the cost of a few more requests: Olivia plans the
sprint's kick-off with `/community event` (the bot's form, filled in and submitted as the page
does), whose card waits for answers; she pins the sprint announcement (a `pin_added` the bot tracks) and labels it, and bookmarks the sprint tracker
(Slack sends no event for bookmarks: the bot lists it at its daily check); she watches for
passwords posted in the channel (`/community moderation add password*`), so Alice's reminder about
them sends her a report by DM, with its Dismiss and Ask the author buttons; Sam, who is not in
#general, follows kubernetes, so the helm question reaches him in a digest once it is answered.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from .workspace import LocalWorkspace

TIMEZONE = "Europe/Paris"  # the group's (its owner's) time zone
GENERAL, RANDOM = "CGENERAL", "CRANDOM"
OWNER, ALICE, BOB, CHLOE, DEV, SAM = "UOLIVIA", "UALICE", "UBOB", "UCHLOE", "UDEV", "USAM"
TRACKER = ("Sprint tracker", "https://example.org/docs-sprint")

# id: (name, time zone, topics they declare with /community expertise add)
PEOPLE = {
    OWNER: ("Olivia", "Europe/Paris", ""),
    ALICE: ("Alice", "Europe/Paris", "kubernetes, helm, deploy"),
    BOB: ("Bob", "Europe/London", "python, pytest, ci"),
    CHLOE: ("Chloé", "Europe/Berlin", "design, css, accessibility"),
    DEV: ("Dev", "Asia/Kolkata", "postgres, sql, backups"),
    SAM: ("Sam", "America/New_York", ""),
}
NOTES = {
    OWNER: "owner of #general",
    ALICE: "kubernetes, helm, deploy",
    BOB: "python, pytest, ci",
    CHLOE: "design, css, accessibility",
    DEV: "postgres, sql, backups",
    SAM: "not in #general yet",
}


def start_time(wall_now: datetime) -> datetime:
    """Monday 09:00 in the group's time zone, of the week the wall clock is in."""
    local = wall_now.astimezone(ZoneInfo(TIMEZONE))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(9, 0), ZoneInfo(TIMEZONE))


def cast(slack) -> None:
    """Slack's side: the people and the channels as they are before the bot does anything."""
    for user_id, (name, tz, _) in PEOPLE.items():
        slack.add_user(user_id, name, tz=tz, team_id="T1")
    in_general = [OWNER, ALICE, BOB, CHLOE, "UBOT"]  # Dev joins during the morning, Sam later
    slack.add_channel(GENERAL, "general", creator=OWNER, members=in_general)
    slack.add_channel(RANDOM, "random", creator=BOB, members=[OWNER, ALICE, BOB, CHLOE, DEV, SAM, "UBOT"])


def play(ws: "LocalWorkspace") -> None:
    """The morning, through the bot's real paths, with the clock moved between the moments."""
    def at(hh_mm: str) -> None:
        hours, minutes = (int(part) for part in hh_mm.split(":"))
        target = start_time(ws.now()).replace(hour=hours, minute=minutes)
        if target > ws.now():
            ws.clock.advance(target - ws.now())

    ws.command(OWNER, GENERAL, "/community setup")
    ws.settle()  # events in a channel that is not yet a group would be ignored
    ws.command(OWNER, GENERAL, "/community purpose The docs and platform team: ask anything, no question is too small.")
    ws.command(OWNER, GENERAL, "/community rules Be kind. Reply in threads. Mark the answer that helped you with ✅.")
    ws.command(OWNER, GENERAL, "/community moderation add password*")
    ws.command(SAM, RANDOM, "/community follow kubernetes")
    for user_id, (_, _, topics) in PEOPLE.items():
        if topics:
            # Expertise belongs to the person, not the channel: Dev, not in #general yet, says it in #random.
            ws.command(user_id, RANDOM if user_id == DEV else GENERAL, f"/community expertise add {topics}")
    ws.settle()

    at("09:02")
    sprint = ws.post(OWNER, GENERAL, "Good morning everyone! The docs sprint starts on Wednesday: pick a page in the tracker.")
    at("09:03")
    kick_off(ws, start_time(ws.now()) + timedelta(days=2, minutes=30))  # Wednesday 09:30
    at("09:06")
    ws.post(ALICE, GENERAL, "I'll take the deployment guide.", thread_ts=sprint)
    at("09:07")
    ws.pin(OWNER, GENERAL, sprint)
    ws.add_bookmark(OWNER, GENERAL, *TRACKER)
    at("09:10")
    ws.post(BOB, RANDOM, "Anyone up for lunch at the Thai place?")
    at("09:14")
    ws.post(ALICE, GENERAL, "Reminder: never paste a password in here, even a staging one. The vault is there for that.")
    at("09:20")
    question = ws.post(CHLOE, GENERAL, "How do I run the test suite locally?")
    at("09:24")
    answer = ws.post(BOB, GENERAL, "`python -m pytest -q` from the repo root; it takes about a minute.", thread_ts=question)
    at("09:26")
    ws.react(CHLOE, GENERAL, answer, "white_check_mark")  # the asker's ✅: answered, and Bob credited
    at("09:30")
    ws.settle()  # the pin is tracked before it is labelled
    ws.command(OWNER, GENERAL, f"/community label {ws.permalink(GENERAL, sprint)} Sprint")
    at("09:40")
    ci = ws.post(BOB, GENERAL, "Pushed the new CI config: the builds are twice as fast now.")
    at("09:41")
    ws.react(ALICE, GENERAL, ci, "raised_hands")  # the group's kudos emoji
    ws.settle()
    at("09:45")
    ws.join(DEV, GENERAL)
    ws.settle()
    at("09:50")
    hello = ws.post(DEV, GENERAL, "Hi all, I'm Dev. I look after the databases.")
    at("09:52")
    ws.post(OWNER, GENERAL, "Welcome aboard, Dev!", thread_ts=hello)
    at("09:58")
    ws.post(DEV, GENERAL, "How can I roll back a helm release on kubernetes without downtime?")
    ws.settle()


def kick_off(ws: "LocalWorkspace", when: datetime) -> None:
    """The sprint's kick-off through the events form. Nobody answers it yet: the bot paces each
    channel in real time (3 posts, then one a second) and the morning plays in a fraction of a
    second, so an edit of the card here would hold the welcome back a second at start."""
    ws.command(OWNER, GENERAL, "/community event")
    if ws.modal(OWNER) is None:  # the form opens on the bot's lazy lane
        ws.settle()
    form = ws.modal(OWNER)
    if form is None or form.get("callback_id") != "event_form":
        return  # a bot without the events duty: the morning goes on without it
    errors = ws.submit(OWNER, {"title": {"value": "Docs sprint kick-off"}, "date": {"value": when.strftime("%Y-%m-%d")},
                               "time": {"value": when.strftime("%H:%M")}, "place": {"value": "Room 4 and the video call"}})
    if errors:
        ws.dismiss(OWNER)
    ws.settle()  # the card is posted at this time, not later
