"""Events end to end: the real bot over HTTP with signed requests, the Slack emulator, the real
scheduler and a fake clock. `/community event` → views.open → view_submission → the card with
its buttons → answers edit the card (chat.update) → reminders at each attendee's local times →
the follow-up thread → the nudge, once; editing and cancelling; a member's forged edit; bad input.

`test_an_events_life_from_post_to_nudge` writes what the emulator recorded, with the fake clock's
time of each call, to tests/artifacts/events/life.txt (the sample pasted in the report)."""
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.clock import FakeClock
from handlers.emulator import decode_json_args
from tests.harness.workspace import Workspace

UTC = timezone.utc
START = datetime(2026, 3, 25, 9, 0, tzinfo=UTC)  # Wednesday before the spring change in Paris
ARTIFACT = Path(__file__).resolve().parent / "artifacts" / "events" / "life.txt"


@pytest.fixture
def ws(slack, tmp_path):
    slack.join_channel("C1", "UADMIN")  # Nia… the admin, in New York
    workspace = Workspace(slack, tmp_path / "data", clock=FakeClock(START)).start()
    log = []
    slack.subscribe(lambda call, status, body: log.append((workspace.clock.now(), call, body)))
    workspace.log = log
    assert "managed group" in workspace.run("UOWNER", "setup")
    yield workspace
    workspace.stop()


def form_values(title="Spring meetup", day="2026-03-29", at="10:00", place="Café Oberkampf", link=None, description=None,
                cancel=False):
    def text(value):
        return {"value": {"type": "plain_text_input", "value": value}}
    values = {"title": text(title), "date": {"value": {"type": "datepicker", "selected_date": day}},
              "time": {"value": {"type": "timepicker", "selected_time": at}}, "place": text(place),
              "link": text(link), "description": text(description)}
    if cancel:
        values["cancel"] = {"value": {"type": "checkboxes", "selected_options": [{"value": "cancel"}]}}
    return values


def open_form(ws, user, text="event"):
    """`/community event` with a known trigger_id: (the ephemeral reply, the views.open args or None)."""
    before_open, before_reply = len(ws.slack.calls_to("views.open")), len(ws.slack.calls_to("response_url"))
    trigger = f"trigger-{user}-{time.monotonic_ns()}"
    assert ws.sender.command("/community", text, user_id=user, channel_id="C1", trigger_id=trigger).status == 200
    reply = ws.slack.wait_for("response_url", count=before_reply + 1)[before_reply]["text"]
    ws.steward.wait_idle()
    opened = ws.slack.calls_to("views.open")[before_open:]
    if opened:
        assert opened[0]["trigger_id"] == trigger
        return reply, decode_json_args(opened[0])["view"]
    return reply, None


def submit(ws, user, values, view, view_id="VEVENT1"):
    """The form submitted by `user`: the acknowledgement's JSON body ({} when accepted)."""
    response = ws.sender.view_submission("event_form", values, user_id=user, private_metadata=view["private_metadata"],
                                         view_id=view_id, blocks=view["blocks"])
    assert response.status == 200, response.body
    ws.steward.wait_idle()
    return json.loads(response.body) if response.body.strip() else {}


def cards(ws):
    return [c for c in ws.slack.calls_to("chat.postMessage") if c["channel"] == "C1" and "event_going" in json.dumps(c.get("blocks"))]


def updates(ws):
    return ws.slack.calls_to("chat.update")


def dms(ws, user=None):
    """The events' direct messages (not the owners' weekly checklist, which also goes out on Mondays)."""
    return [c for c in ws.slack.calls_to("chat.postMessage") if c["channel"].startswith("U") and "Spring meetup" in c["text"]
            and (user is None or c["channel"] == user)]


def create(ws, **fields):
    reply, view = open_form(ws, "UOWNER")
    assert view is not None, reply
    assert submit(ws, "UOWNER", form_values(**fields), view) == {}
    [card] = cards(ws)
    value = next(e["value"] for b in decode_json_args(card)["blocks"] if b["type"] == "actions" for e in b["elements"])
    return card, value, view


def answer(ws, user, action, value):
    return ws.click(action, value, user=user)


def test_the_command_opens_the_form_for_owners_only_and_bad_input_is_shown_in_it(ws):
    reply, view = open_form(ws, "UALICE")
    assert view is None and "Only this group's owners" in reply
    reply, view = open_form(ws, "UOWNER")
    assert "Europe/Paris" in reply
    assert view["callback_id"] == "event_form" and view["type"] == "modal"
    assert [b["block_id"] for b in view["blocks"]] == ["title", "date", "time", "place", "link", "description"]
    assert [b["element"]["type"] for b in view["blocks"]][1:3] == ["datepicker", "timepicker"]
    assert view["blocks"][2]["label"]["text"] == "Time (Europe/Paris)"
    bad = submit(ws, "UOWNER", form_values(title="x" * 151, day="2026-03-20", link="htp:/nope", place=""), view)
    assert bad["response_action"] == "errors"
    assert set(bad["errors"]) == {"title", "date", "link", "place"}
    assert "has passed" in bad["errors"]["date"] and "At most 150 characters (this has 151)" in bad["errors"]["title"]
    gap = submit(ws, "UOWNER", form_values(at="02:30"), view)
    assert "does not exist" in gap["errors"]["time"]
    assert cards(ws) == []  # nothing was posted
    assert "No upcoming events" in ws.run("UALICE", "event list")
    assert "Usage" in ws.run("UOWNER", "event frobnicate")


def test_a_date_beyond_the_calendar_is_shown_in_the_form_not_dropped(ws):
    """A forged (or far-scrolled) date picker: year 1 just after midnight in Tokyo is before year 1
    in UTC. The owner sees it beside the date; before, the form closed and nothing was saved."""
    ws.run("UOWNER", "config timezone Asia/Tokyo")
    _, view = open_form(ws, "UOWNER")
    answer = submit(ws, "UOWNER", form_values(day="0001-01-01", at="00:30"), view)
    assert answer["response_action"] == "errors" and "Choose a date" in answer["errors"]["date"]
    assert cards(ws) == []


def test_an_events_life_from_post_to_nudge(ws):
    card, value, _ = create(ws, link="https://meetup.example/spring", description="Bring your questions <!channel>")
    text = card["text"]
    assert "Spring meetup" in text and "Sunday 2026-03-29 at 10:00 (Europe/Paris)" in text and "<!channel>" not in text
    actions = [e["action_id"] for b in decode_json_args(card)["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == ["event_going", "event_maybe", "event_cant", "event_edit"]
    assert answer(ws, "UALICE", "event_going", value) is None
    answer(ws, "UBOB", "event_maybe", value)
    answer(ws, "UADMIN", "event_going", value)
    [message] = [m for m in ws.slack.messages("C1") if "Spring meetup" in (m.get("text") or "")]
    last = updates(ws)[-1]
    assert last["ts"] == message["ts"] and last["channel"] == "C1"
    assert "*Going* (2): <@UALICE>, <@UADMIN>" in last["text"] and "*Maybe* (1): <@UBOB>" in last["text"]
    assert "*Going* (2)" in message["text"]  # the card itself changed in place
    member_home = ws.core.home.view_for("T1", "UALICE")  # the App Home lists it for members of #general
    assert "Spring meetup" in json.dumps([str(part) for part in _walk(member_home)])
    assert "Spring meetup" not in json.dumps([str(part) for part in _walk(ws.core.home.view_for("T1", "UCAROL"))])  # not in #general

    ws.clock.set(datetime(2026, 3, 28, 17, 0, 30, tzinfo=UTC))  # 18:00 in Paris, the day before
    ws.settle()
    assert [c["channel"] for c in dms(ws)] == ["UALICE"]
    ws.clock.set(datetime(2026, 3, 28, 18, 0, 30, tzinfo=UTC))  # 18:00 in London (Bob), still GMT
    ws.settle()
    assert [c["channel"] for c in dms(ws)] == ["UALICE", "UBOB"]
    ws.clock.set(datetime(2026, 3, 28, 22, 0, 30, tzinfo=UTC))  # 18:00 in New York
    ws.settle()
    assert [c["channel"] for c in dms(ws)][-1] == "UADMIN"
    assert "Sunday 2026-03-29 at 04:00 your time (10:00 in Europe/Paris)" in dms(ws, "UADMIN")[0]["text"]
    ws.clock.set(datetime(2026, 3, 29, 7, 0, 30, tzinfo=UTC))  # an hour before (the clocks went forward at 01:00 UTC)
    ws.settle()
    assert len(dms(ws)) == 6
    ws.clock.set(datetime(2026, 3, 30, 7, 0, 30, tzinfo=UTC))  # Monday 09:00 in Paris
    ws.settle()
    [follow_up] = [c for c in ws.slack.calls_to("chat.postMessage") if c.get("thread_ts")]
    assert follow_up["thread_ts"] == message["ts"] and "coming, <@UALICE>, <@UADMIN>!" in follow_up["text"]
    assert "took place" in updates(ws)[-1]["text"] and "event_going" not in json.dumps(updates(ws)[-1].get("blocks"))
    ws.say("UALICE", "My to-dos: write up the notes, try the new CI runner", thread_ts=message["ts"])
    ws.log.append((ws.clock.now(), None, "UALICE replies in the thread: My to-dos: write up the notes, try the new CI runner"))

    ws.clock.set(datetime(2026, 4, 6, 8, 0, 30, tzinfo=UTC))  # 10:00 in Paris, a week later: Alice replied
    ws.settle()
    assert len(dms(ws)) == 6
    ws.clock.set(datetime(2026, 4, 6, 14, 0, 30, tzinfo=UTC))  # 10:00 in New York
    ws.settle()
    [nudge] = dms(ws)[6:]
    assert nudge["channel"] == "UADMIN" and "A week ago you said you were going to *Spring meetup*" in nudge["text"]
    ws.clock.set(datetime(2026, 4, 12, 9, 0, tzinfo=UTC))
    ws.settle()
    assert len(dms(ws)) == 7  # once
    week = {c.user_id: c.followups for c in ws.core.activity.contributions(ws.core.groups.all()[0], "2026-W14")}
    assert week.get("UALICE") == 1
    report = ws.run("UOWNER", "report 3")  # the owner's report reads `held`
    assert "Spring meetup" in report and "2026-03-29" in report
    write_life(ws)


def write_life(ws):
    """The event's life as Slack saw it: each call with the fake clock's time."""
    lines = []
    for at, call, body in ws.log:
        if call is None:  # what a person did, noted by the test
            lines.append(f"[{at:%Y-%m-%d %H:%M} UTC] {body}")
            continue
        args = call.decoded_args()
        if call.method in ("chat.postMessage", "chat.update") and "Spring meetup" in json.dumps(args, ensure_ascii=False):
            where = args.get("channel")
            thread = f" thread_ts={args['thread_ts']}" if args.get("thread_ts") else ""
            buttons = [e["text"]["text"] for b in args.get("blocks") or [] if b.get("type") == "actions" for e in b["elements"]]
            lines.append(f"[{at:%Y-%m-%d %H:%M} UTC] {call.method} → {where}{thread}")
            lines += ["    " + line for line in args.get("text", "").split("\n")]
            if buttons:
                lines.append("    buttons: " + " | ".join(buttons))
        elif call.method == "views.open":
            view = args.get("view") or {}
            lines.append(f"[{at:%Y-%m-%d %H:%M} UTC] views.open: {view.get('title', {}).get('text')} — "
                         + ", ".join(b["label"]["text"] for b in view.get("blocks", [])))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_owners_edit_and_cancel_from_the_card_and_a_members_forged_edit_is_refused(ws):
    card, value, _ = create(ws)
    answer(ws, "UALICE", "event_going", value)
    answer(ws, "UADMIN", "event_maybe", value)
    refused = ws.click("event_edit", value, user="UALICE")
    assert "Only this group's owners" in refused
    before = len(ws.slack.calls_to("views.open"))
    assert ws.click("event_edit", value, user="UOWNER") is None
    edit_view = decode_json_args(ws.slack.calls_to("views.open")[before])["view"]
    initial = {b["block_id"]: b["element"].get("initial_value") or b["element"].get("initial_date") or b["element"].get("initial_time")
               for b in edit_view["blocks"]}
    assert initial["title"] == "Spring meetup" and initial["date"] == "2026-03-29" and initial["time"] == "10:00"
    assert edit_view["blocks"][-1]["block_id"] == "cancel"
    # A member replays the owner's form with their own id: refused in the form, nothing changes.
    forged = submit(ws, "UALICE", form_values(place="My flat"), edit_view, view_id="VFORGED")
    assert forged["response_action"] == "errors" and "owners" in forged["errors"]["title"]
    assert all("My flat" not in u["text"] for u in updates(ws))
    # The owner moves it to Thursday evening: the card changes, attendees are told once.
    assert submit(ws, "UOWNER", form_values(day="2026-04-02", at="19:00"), edit_view, view_id="VEDIT") == {}
    assert "Thursday 2026-04-02 at 19:00" in updates(ws)[-1]["text"]
    assert sorted(c["channel"] for c in dms(ws)) == ["UADMIN", "UALICE"]
    assert "Thursday 2026-04-02 at 13:00 your time (19:00 in Europe/Paris)" in dms(ws, "UADMIN")[0]["text"]
    assert "Spring meetup" in ws.run("UBOB", "event list") and "1 going, 1 maybe" in ws.run("UBOB", "event list")
    # Then cancels it: the card says so, without buttons; attendees are told once; nothing after.
    assert submit(ws, "UOWNER", form_values(day="2026-04-02", at="19:00", cancel=True), edit_view, view_id="VEDIT2") == {}
    assert "Cancelled" in updates(ws)[-1]["text"] and "event_going" not in json.dumps(updates(ws)[-1].get("blocks"))
    assert len(dms(ws)) == 4 and "is cancelled" in dms(ws, "UALICE")[-1]["text"]
    assert answer(ws, "UBOB", "event_going", value) == "This event was cancelled."
    ws.clock.set(datetime(2026, 4, 12, 9, 0, tzinfo=UTC))
    ws.settle()
    assert len(dms(ws)) == 4
    assert sorted(e.action for e in ws.core.audit.recent(ws.core.groups.all()[0].key, 5)) == ["events.cancelled", "events.created", "events.edited"]


def test_an_owners_edit_keeps_what_a_co_owner_changed_since_the_form_was_opened(ws):
    """Two owners open the Edit form; one moves the event to another place and saves; the other
    then only fixes the title. The form sends every field back: the place it showed must not come
    back, nor a second notice telling attendees the event moved back to it."""
    ws.run("UOWNER", "owners add <@UADMIN|nia>")
    card, value, _ = create(ws)
    answer(ws, "UALICE", "event_going", value)
    forms = []
    for owner in ("UOWNER", "UADMIN"):
        before = len(ws.slack.calls_to("views.open"))
        assert ws.click("event_edit", value, user=owner) is None
        forms.append(decode_json_args(ws.slack.calls_to("views.open")[before])["view"])
    assert submit(ws, "UADMIN", form_values(place="Le Perchoir"), forms[1], view_id="VEDITA") == {}
    assert submit(ws, "UOWNER", form_values(title="Spring meetup, 2nd edition"), forms[0], view_id="VEDITB") == {}
    doc = ws.core.events.get("T1", value.split(":", 1)[1])
    assert (doc["title"], doc["place"]) == ("Spring meetup, 2nd edition", "Le Perchoir")
    [notice] = [c["text"] for c in ws.slack.calls_to("chat.postMessage") if c["channel"] == "UALICE"]  # one: the move
    assert "Le Perchoir" in notice
    assert "Le Perchoir" in updates(ws)[-1]["text"] and "2nd edition" in updates(ws)[-1]["text"]


def test_thirty_answers_in_five_seconds_are_coalesced(ws, slack):
    for n in range(30):
        slack.add_user(f"UM{n:02d}", tz="Europe/Paris")
    card, value, _ = create(ws)
    ws.steward.wait_idle()
    before = len(updates(ws))
    began = time.monotonic()
    for n in range(30):
        ws.sender.block_action("event_going", value, user_id=f"UM{n:02d}", channel_id="C1", message_ts=value)
        time.sleep(max(0.0, began + (n + 1) * 5 / 30 - time.monotonic()))
    ws.steward.wait_idle(timeout=30)
    edits = updates(ws)[before:]
    assert "*Going* (30)" in edits[-1]["text"]
    assert len(edits) <= 12, len(edits)  # about the channel's pace (a burst of 3, then one a second), not 30
    print(f"30 answers over {time.monotonic() - began:.1f} s → {len(edits)} chat.update calls")


def _walk(value):
    """Every string and text part inside a Home view (dataclasses, tuples, lists)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk(item)
    elif hasattr(value, "__dict__"):
        for item in vars(value).values():
            yield from _walk(item)
