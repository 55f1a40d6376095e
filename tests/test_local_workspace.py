"""The local workspace without a browser: the real bot against the emulator, driven the way the page
drives it (handlers/local/workspace.py), its JSON and live updates (web.py), and `python -m bot`
with no Slack settings (start line, start time, Ctrl-C, a taken port, a restart)."""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.activity import MEMBERS
from bot.settings import Settings
from handlers.emulator import Call
from handlers.local import scenario
from handlers.local.scenario import ALICE, BOB, CHLOE, DEV, GENERAL, OWNER, RANDOM, SAM
from handlers.local.web import PageServer, create_app, listen
from handlers.local.workspace import STATE_FILE, LocalWorkspace, Refused, wait_until
from tests.harness.slack_spec import assert_calls_match_spec

HELM = "How can I roll back a helm release on kubernetes without downtime?"


def _settings(tmp_path, **overrides) -> Settings:
    return Settings(mode="local", data_dir=tmp_path, counter_flush_seconds=0.2, **overrides)


@pytest.fixture
def ws(tmp_path):
    workspace = LocalWorkspace(tmp_path / "local-workspace", _settings(tmp_path)).start()
    yield workspace
    assert_calls_match_spec(workspace.slack.calls)  # the bot's calls here are Slack's too
    workspace.close()


def top(ws, channel=GENERAL):
    return ws.history(channel)


def find(ws, words, channel=GENERAL):
    return next(m for m in ws.history(channel) if words in m.get("text", ""))


def bot_replies(ws, parent_ts, channel=GENERAL):
    return [m for m in ws.thread(channel, parent_ts) if m.get("bot_id")]


# --------------------------------------------------------------------------- the seeded morning

def test_the_scenario_is_built_through_the_bots_own_paths(ws):
    core = ws.steward.core
    group = core.groups.get("T1", GENERAL)
    assert group.owners == [OWNER] and group.purpose.startswith("The docs and platform team")
    assert group.config["timezone"] == "Europe/Paris" and core.groups.get("T1", RANDOM) is None
    assert core.experts.profile("T1", ALICE)["topics"] == ["kubernetes", "helm", "deploy"]
    [open_question] = core.questions.open_questions("T1", GENERAL)
    assert (open_question["asker"], open_question["text"]) == (DEV, HELM)
    chloe = find(ws, "How do I run the test suite locally?")
    assert core.questions.get("T1", GENERAL, chloe["ts"])["answerer"] == BOB
    assert "Marked as answered by <@UCHLOE>" in bot_replies(ws, chloe["ts"])[0]["text"]
    assert "Welcome to <#CGENERAL>, <@UDEV>" in find(ws, "Welcome to")["text"]
    assert not any(ws.ephemerals(user, GENERAL) for user in scenario.PEOPLE)  # the set-up's replies are not news
    local = ws.now().astimezone(ZoneInfo("Europe/Paris"))
    assert (local.strftime("%a"), local.hour, local.minute) == ("Mon", 9, 58)
    when = float(find(ws, HELM)["ts"])  # a message's ts is its time on the workspace clock
    assert abs(when - ws.now().timestamp()) < 60
    # The owner toolkit on the same morning: an event, a pin and a bookmark, a report, a followed topic.
    card = find(ws, "Docs sprint kick-off")
    assert card["bot_id"] and "Wednesday" in card["text"] and "event_going" in json.dumps(card["blocks"])
    sprint = find(ws, "The docs sprint starts")
    assert ws.pins(GENERAL) == [sprint["ts"]] and ws.bookmarks(GENERAL)[0]["title"] == "Sprint tracker"
    assert [i.label for i in core.content.items(group)] == ["Sprint"]
    [report] = [m for m in ws.history("DUOLIVIA") if "Moderation report" in m.get("text", "")]
    assert "`password*`" in report["text"] and "Dismiss" in json.dumps(report["blocks"])
    assert core.audience.following("T1", SAM) == ["kubernetes"] and ws.modal(OWNER) is None


def test_an_hour_later_the_expert_is_asked_in_the_thread(ws):
    notices = ws.hub.subscribe()
    question = find(ws, HELM)
    assert bot_replies(ws, question["ts"]) == []
    before = ws.now()
    ws.advance(timedelta(hours=1))
    assert ws.now() - before >= timedelta(hours=1)
    [ping] = bot_replies(ws, question["ts"])
    assert ping["text"].startswith("<@UALICE> — could you help <@UDEV>")
    assert [e["action_id"] for b in ping["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "question_mark_answered", "question_not_my_topic"]
    seen = [notices.get_nowait() for _ in range(notices.qsize())]
    assert {"type": "clock"} in seen
    assert any(n["type"] == "message" and n.get("thread_ts") == question["ts"] for n in seen)


def test_a_week_passes_in_steps_and_each_post_comes_at_its_time(ws):
    ws.advance(timedelta(weeks=1))
    thanks = find(ws, "Here is who helped in")
    local = ws.now().fromtimestamp(float(thanks["ts"]), ZoneInfo("Europe/Paris"))
    assert (local.strftime("%a"), local.hour) == ("Fri", 16)  # the group's recognition slot, not "a week later"
    assert "<@UBOB> — answered 1 question" in thanks["text"]
    with pytest.raises(Refused):
        ws.advance(timedelta(0))


# ------------------------------------------------------------------------------ what people do

def test_a_command_answers_only_the_one_who_ran_it(ws):
    ws.command(OWNER, GENERAL, "/community unanswered")
    [reply] = wait_until(lambda: ws.ephemerals(OWNER, GENERAL))
    assert reply.text.startswith("Open questions (1):") and reply.command == "/community unanswered"
    assert ws.ephemerals(ALICE, GENERAL) == [] and ws.ephemerals(OWNER, RANDOM) == []
    assert not any("Open questions" in m.get("text", "") for m in top(ws))  # never in the channel
    ws.command(SAM, RANDOM, "/community expertise add rust, wasm")
    wait_until(lambda: ws.ephemerals(SAM, RANDOM))
    assert ws.steward.core.experts.profile("T1", SAM)["topics"] == ["rust", "wasm"]
    for refused in (lambda: ws.command(OWNER, GENERAL, "/giphy cats"), lambda: ws.command(SAM, GENERAL, "/community help"),
                    lambda: ws.command("UNOBODY", GENERAL, "/community help"), lambda: ws.command(OWNER, GENERAL, "/communityx")):
        with pytest.raises(Refused):
            refused()


def test_mentions_typed_by_name_reach_the_bot_as_mentions(ws):
    assert ws.encode("ask @alice & <b>@Bob</b>", command=False) == "ask <@UALICE> &amp; &lt;b&gt;<@UBOB>&lt;/b&gt;"
    assert ws.encode("experts add @Chloé design", command=True) == "experts add <@UCHLOE|Chloé> design"
    assert ws.encode("mail bob@example.org", command=False) == "mail bob@example.org"
    ws.command(OWNER, GENERAL, "/community experts add @Chloé figma")
    wait_until(lambda: ws.ephemerals(OWNER, GENERAL))
    assert ws.ephemerals(OWNER, GENERAL)[0].text == "<@UCHLOE> now covers figma."
    for empty in ("", "   ", "x" * 4001):
        with pytest.raises(Refused):
            ws.encode(empty, command=False)


def test_buttons_and_the_message_shortcut_go_through_interactivity(ws):
    question = ws.post(BOB, GENERAL, "How do I add an ingress on kubernetes for the docs preview?")
    ws.settle()
    ws.advance(timedelta(hours=1))
    ping = next(m for m in bot_replies(ws, question) if "could you help" in m["text"])
    with pytest.raises(Refused):  # only buttons the message has
        ws.press(BOB, GENERAL, ping["ts"], "question_mark_answered", "1.000001")
    ws.press(ALICE, GENERAL, ping["ts"], "question_mark_answered", question)  # not hers to close
    [refusal] = wait_until(lambda: ws.ephemerals(ALICE, GENERAL, question))
    assert refusal.text == "Only the asker or a group owner can mark this question answered."
    reply = ws.post(ALICE, GENERAL, "Use an Ingress resource with the nginx class.", thread_ts=question)
    ws.settle()
    ws.shortcut(BOB, GENERAL, reply, "mark_as_answer")
    ws.settle()
    assert "Marked <@UALICE>'s reply as the answer." in bot_replies(ws, question)[-1]["text"]
    ws.shortcut(BOB, GENERAL, question, "mark_as_answer")  # on a question, not a reply: said privately
    assert wait_until(lambda: [e for e in ws.ephemerals(BOB, GENERAL) if "Mark as answer" in e.text])


def test_reactions_edits_and_threads_are_kept_and_heard(ws):
    question = ws.post(CHLOE, GENERAL, "Where is the style guide kept?")
    answer = ws.post(ALICE, GENERAL, "In docs/style.md", thread_ts=question)
    nested = ws.post(BOB, GENERAL, "And the figma file is linked there.", thread_ts=answer)  # joins the parent's thread
    assert [m["ts"] for m in ws.thread(GENERAL, question)] == [question, answer, nested]
    ws.react(CHLOE, GENERAL, answer, "white_check_mark")
    ws.settle()
    assert ws.steward.core.questions.get("T1", GENERAL, question)["status"] == "resolved"
    assert ws.slack.message(GENERAL, answer)["reactions"] == [{"name": "white_check_mark", "users": [CHLOE], "count": 1}]
    ws.react(CHLOE, GENERAL, answer, "white_check_mark", on=False)
    assert "reactions" not in ws.slack.message(GENERAL, answer)
    ws.edit(CHLOE, GENERAL, question, "Where is the *style guide* kept, @Alice?")
    edited = ws.slack.message(GENERAL, question)
    assert edited["text"] == "Where is the *style guide* kept, <@UALICE>?" and edited["edited"]["user"] == CHLOE
    for refused in (lambda: ws.edit(ALICE, GENERAL, question, "mine now"), lambda: ws.react(ALICE, GENERAL, "1.1", "eyes"),
                    lambda: ws.react(ALICE, GENERAL, question, "<script>"), lambda: ws.post(SAM, GENERAL, "hi"),
                    lambda: ws.post(ALICE, GENERAL, "hi", thread_ts="1.000001"), lambda: ws.post(ALICE, "DUALICE", "hi")):
        with pytest.raises(Refused):
            refused()


def test_joining_is_welcomed_and_leaving_is_recorded(ws):
    ws.join(SAM, GENERAL)
    ws.settle()
    welcome = find(ws, "<@USAM>! 👋")
    assert welcome["bot_id"] and "*What we do here:*" in welcome["text"]
    assert any(m.get("subtype") == "channel_join" and m["user"] == SAM for m in top(ws))
    ws.leave(SAM, GENERAL)
    ws.settle()
    assert ws.steward.core.store.get(MEMBERS, f"T1:{GENERAL}:{SAM}")["status"] == "left"
    assert SAM not in ws.slack.channel_members(GENERAL)
    with pytest.raises(Refused):
        ws.leave(SAM, GENERAL)


def test_new_people_and_channels_and_the_app_home(ws):
    newcomer = ws.add_person("Zoë Martin", "Europe/Madrid")
    assert newcomer == "UZOMARTIN" and ws.slack.user(newcomer)["tz"] == "Europe/Madrid"
    channel = ws.add_channel(newcomer, "#Design")
    assert channel == "CDESIGN" and ws.slack.channel_members(channel) == [newcomer, "UBOT"]
    ws.command(newcomer, channel, "/community setup")
    [reply] = wait_until(lambda: ws.ephemerals(newcomer, channel))
    assert "is now a managed group and you are its owner" in reply.text
    ws.open_home(newcomer)
    home = wait_until(lambda: ws.home(newcomer))
    assert home["type"] == "home" and "*Dashboard* of <#CDESIGN>" in json.dumps(home)
    for refused in (lambda: ws.add_person("Zoë Martin", "UTC"), lambda: ws.add_person("<b>", "UTC"),
                    lambda: ws.add_person("Ok", "Mars/Olympus"), lambda: ws.add_channel(newcomer, "design"),
                    lambda: ws.add_channel(newcomer, "no spaces allowed")):
        with pytest.raises(Refused):
            refused()


def _text_values(ws, user: str, **by_block: str) -> dict:
    """What the page sends for a form's text fields: {block_id: {action_id: text}}."""
    return {b["block_id"]: {b["element"]["action_id"]: by_block.get(b["block_id"])}
            for b in ws.modal(user)["blocks"] if b["type"] == "input"}


def test_flag_to_owners_opens_a_modal_whose_submission_reaches_the_owner(ws):
    """The message shortcut (with its trigger_id) opens the bot's modal for the member who used
    it; Slack's client checks the required reason; the submission is Slack's view_submission, and
    the owner's report arrives by DM with working buttons."""
    ci = find(ws, "Pushed the new CI config")
    ws.shortcut(CHLOE, GENERAL, ci["ts"], "flag_to_owners")
    modal = wait_until(lambda: ws.modal(CHLOE))
    assert modal["callback_id"] == "flag_to_owners_reason" and ws.modal(OWNER) is None and ws.modal_depth(CHLOE) == 1
    page = create_app(ws).test_client().get(f"/api/modal?as={CHLOE}").get_json()["view"]
    assert (page["title"], page["submit"], page["close"]) == ("Flag to owners", "Send", "Cancel")
    assert 'data-block-id="reason" data-action-id="reason" data-type="plain_text_input"' in page["html"]
    calls = len(ws.slack.calls)
    assert ws.submit(CHLOE, {"reason": {"reason": None}}) == {"reason": "Please complete this required field."}
    assert ws.submit(CHLOE, {"reason": {"reason": "x" * 501}}) == {"reason": "Must be 500 characters or fewer (now 501)."}
    assert ws.modal(CHLOE) is not None and len(ws.slack.calls) == calls  # Slack's client sent nothing
    assert ws.submit(CHLOE, {"reason": {"reason": "Not about the docs <at all>"}}) is None
    sent = ws.world.sender.last_payload
    assert sent["type"] == "view_submission" and sent["view"]["id"] == modal["id"]
    assert sent["view"]["state"]["values"] == {"reason": {"reason": {"type": "plain_text_input", "value": "Not about the docs <at all>"}}}
    assert json.loads(sent["view"]["private_metadata"])["ts"] == ci["ts"] and sent["view"]["root_view_id"] == modal["id"]
    assert ws.modal(CHLOE) is None
    ws.settle()
    report = wait_until(lambda: next((m for m in ws.history("DUOLIVIA") if "Not about the docs" in m.get("text", "")), None))
    assert "<@UBOB>" in report["text"]
    [thanks] = wait_until(lambda: [e for e in ws.ephemerals(CHLOE, GENERAL) if "Thank you" in e.text])
    assert "will never see who flagged" in thanks.text
    dismiss = next(e for b in report["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "Dismiss")
    ws.press(OWNER, "DUOLIVIA", report["ts"], dismiss["action_id"], dismiss["value"])
    assert wait_until(lambda: [e for e in ws.ephemerals(OWNER, "DUOLIVIA") if e.text.startswith("Dismissed.")])
    ws.shortcut(CHLOE, GENERAL, ci["ts"], "flag_to_owners")
    wait_until(lambda: ws.modal(CHLOE))
    ws.dismiss(CHLOE)  # Cancel: no view_closed (the view did not ask for one), the form is gone
    assert ws.modal(CHLOE) is None and ws.world.sender.last_payload["type"] == "message_action"
    with pytest.raises(Refused):
        ws.shortcut(CHLOE, GENERAL, ci["ts"], "no_such_shortcut")


def test_the_highlight_shortcut_reaches_a_follower_outside_the_group(ws):
    assert ws.steward.core.audience.following("T1", SAM) == ["kubernetes"]  # seeded
    tip = ws.post(ALICE, GENERAL, "Tip: kubectl rollout undo takes a kubernetes deployment back one revision.")
    ws.settle()
    ws.shortcut(OWNER, GENERAL, tip, "highlight")
    [answer] = wait_until(lambda: ws.ephemerals(OWNER, GENERAL))
    assert answer.text.startswith("Shared with 1 person outside the group who follows *kubernetes*")


def test_home_buttons_send_the_view_and_the_home_is_published_again(ws):
    ws.open_home(OWNER)
    home = wait_until(lambda: ws.home(OWNER))
    settings = next(e for b in home["blocks"] for e in b.get("elements", []) + [b.get("accessory") or {}]
                    if e.get("action_id") == "home_settings")
    with pytest.raises(Refused):  # only buttons the Home has
        ws.press_view(OWNER, "home", "home_settings", "T1:CRANDOM")
    ws.press_view(OWNER, "home", "home_settings", settings["value"])
    sent = ws.world.sender.last_payload
    assert sent["container"] == {"type": "view", "view_id": home["id"]} and "channel" not in sent and "response_url" not in sent
    assert sent["view"]["type"] == "home" and sent["view"]["private_metadata"] == home["private_metadata"]
    assert sent["actions"][0]["block_id"] == next(b["block_id"] for b in home["blocks"]
                                                  if settings in b.get("elements", []) + [b.get("accessory")])
    form = wait_until(lambda: ws.modal(OWNER))
    assert form["callback_id"] == "home_settings_form"
    values = {b["block_id"]: {"value": b["element"].get("initial_value")} for b in form["blocks"] if b["type"] == "input"}
    assert ws.submit(OWNER, {**values, "first_wait": {"value": "soon"}})["first_wait"].startswith("soon does not fit first_wait")
    assert ws.modal(OWNER) is not None  # the app's errors keep the form open, beside the field
    assert ws.submit(OWNER, {**values, "first_wait": {"value": "45m"}}) is None and ws.modal(OWNER) is None
    assert wait_until(lambda: ws.steward.core.groups.get("T1", GENERAL).config["first_wait"] == 45 * 60)  # seconds
    assert wait_until(lambda: "Saved in <#CGENERAL>: first_wait = 45m." in json.dumps(ws.home(OWNER)))  # published again

    ws.open_home(ALICE)
    wait_until(lambda: ws.home(ALICE))
    remove = next(e for b in ws.home(ALICE)["blocks"] for e in b.get("elements", []) + [b.get("accessory") or {}]
                  if e.get("text", {}).get("text") == "Remove kubernetes")
    ws.press_view(ALICE, "home", remove["action_id"], remove["value"])
    wait_until(lambda: "kubernetes" not in ws.steward.core.experts.profile("T1", ALICE)["topics"])
    assert wait_until(lambda: "Remove kubernetes" not in json.dumps(ws.home(ALICE)))
    with pytest.raises(Refused):
        ws.press_view(ALICE, "modal", "x", "y")  # no form is open


def test_pins_and_bookmarks_go_through_the_emulator_and_reach_the_bot(ws, tmp_path):
    core, group = ws.steward.core, ws.steward.core.groups.get("T1", GENERAL)
    sprint = find(ws, "The docs sprint starts")
    assert ws.pins(GENERAL) == [sprint["ts"]] and [b["title"] for b in ws.bookmarks(GENERAL)] == ["Sprint tracker"]
    assert [(i.item_id, i.label) for i in core.content.items(group)] == [(f"pin:{sprint['ts']}", "Sprint")]  # seeded
    ci = find(ws, "Pushed the new CI config")
    notices = ws.hub.subscribe()
    ws.pin(BOB, GENERAL, ci["ts"])  # pin_added, signed, to the bot
    assert wait_until(lambda: f"pin:{ci['ts']}" in [i.item_id for i in core.content.items(group)])
    assert {"type": "pins", "channel": GENERAL} in [notices.get_nowait() for _ in range(notices.qsize())]
    page = create_app(ws).test_client().get(f"/api/channel/{GENERAL}?as={BOB}").get_json()
    assert [p["ts"] for p in page["channel"]["pins"]] == [ci["ts"], sprint["ts"]]
    assert "Pushed the new CI config" in page["channel"]["pins"][0]["html"]
    assert [i["ts"] for i in page["items"] if i["pinned"]] == [sprint["ts"], ci["ts"]]
    assert page["channel"]["bookmarks"] == [{"id": ws.bookmarks(GENERAL)[0]["id"], "title": "Sprint tracker",
                                             "link": "https://example.org/docs-sprint"}]
    ws.pin(BOB, GENERAL, ci["ts"], on=False)
    assert wait_until(lambda: f"pin:{ci['ts']}" not in [i.item_id for i in core.content.items(group)])
    mark = ws.add_bookmark(CHLOE, GENERAL, "  Style   guide ", "https://example.org/style")
    assert [(b["id"], b["title"]) for b in ws.bookmarks(GENERAL)][-1] == (mark, "Style guide")
    ws.remove_bookmark(CHLOE, GENERAL, mark)
    for refused in (lambda: ws.pin(BOB, GENERAL, sprint["ts"]), lambda: ws.pin(BOB, GENERAL, ci["ts"], on=False),
                    lambda: ws.pin(SAM, GENERAL, ci["ts"]), lambda: ws.pin(BOB, GENERAL, "1.000001"),
                    lambda: ws.add_bookmark(BOB, GENERAL, "x", "javascript:alert(1)"), lambda: ws.add_bookmark(BOB, GENERAL, "", "https://a.b"),
                    lambda: ws.remove_bookmark(BOB, GENERAL, mark)):
        with pytest.raises(Refused):
            refused()


def test_the_csv_export_is_a_file_in_the_owners_messages(ws):
    web = create_app(ws).test_client()
    ws.command(OWNER, GENERAL, "/community export 2")
    ws.settle()
    shared = wait_until(lambda: next((m for m in ws.history("DUOLIVIA") if m.get("files")), None))
    [item] = next(i for i in web.get(f"/api/channel/DUOLIVIA?as={OWNER}").get_json()["items"] if i["ts"] == shared["ts"])["html"].split(
        'class="bk-file"')[1:]
    file_id = shared["files"][0]["id"]
    assert f'href="/api/file/{file_id}?as=UOLIVIA"' in item
    download = web.get(f"/api/file/{file_id}?as={OWNER}")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=") and ".csv" in download.headers["Content-Disposition"]
    assert download.get_data(as_text=True).splitlines()[0].startswith("week,start,end,members,")
    assert web.get(f"/api/file/{file_id}?as={BOB}").status_code == 400  # not shared with Bob
    assert web.get(f"/api/file/FNOPE?as={OWNER}").get_json() == {"error": "no such file"}


def test_a_join_request_from_the_directory_and_the_owners_deny_form(ws):
    """`/community groups` answers with **Request to join** buttons on a reply only Sam sees; the
    owner's DM card has Approve / Deny, and Deny opens the bot's form for a reason."""
    ws.command(OWNER, GENERAL, "/community config approval on")
    wait_until(lambda: ws.ephemerals(OWNER, GENERAL))
    ws.command(SAM, RANDOM, "/community groups")
    [directory] = wait_until(lambda: ws.ephemerals(SAM, RANDOM))
    button = next(e for b in directory.blocks or [] if b["type"] == "actions" for e in b["elements"])
    assert button["text"]["text"] == "Request to join #general"
    ws.press(SAM, RANDOM, directory.ts, button["action_id"], button["value"], ephemeral=True)
    sent = ws.world.sender.last_payload
    assert sent["container"] == {"type": "message", "message_ts": directory.ts, "channel_id": RANDOM, "is_ephemeral": True}
    assert "message" not in sent and sent["response_url"]
    assert wait_until(lambda: [e for e in ws.ephemerals(SAM, RANDOM) if "Your request to join" in e.text])
    ws.settle()
    card = wait_until(lambda: next((m for m in ws.history("DUOLIVIA") if "<@USAM>" in m.get("text", "") and m.get("blocks")
                                    and "Deny" in json.dumps(m["blocks"])), None))
    deny = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"] if e["text"]["text"] == "Deny")
    ws.press(OWNER, "DUOLIVIA", card["ts"], deny["action_id"], deny["value"])
    form = wait_until(lambda: ws.modal(OWNER))
    assert form["callback_id"] == "approval_deny_reason"
    assert form["blocks"][-1]["optional"] is True  # the reason may be left out; here it is given
    assert ws.submit(OWNER, {"reason": {"reason_input": "The group is for the docs team."}}) is None and ws.modal(OWNER) is None
    told = wait_until(lambda: next((m["text"] for m in ws.history("DUSAM") if "decided not to add you" in m.get("text", "")), None))
    assert "Their note: The group is for the docs team." in told and SAM not in ws.slack.channel_members(GENERAL)
    assert wait_until(lambda: "*Denied* by <@UOLIVIA>" in ws.slack.message("DUOLIVIA", card["ts"])["text"])  # edited in place
    with pytest.raises(Refused):  # a reply only Sam sees has no such button for anyone else
        ws.press(BOB, RANDOM, directory.ts, button["action_id"], button["value"], ephemeral=True)


def test_an_event_from_its_form_to_answers_on_its_card(ws):
    """`/community event` opens the bot's form (date and time pickers); the bot's checks come back
    beside the fields; the card's Going button updates it in place."""
    from zoneinfo import ZoneInfo
    ws.command(OWNER, GENERAL, "/community event")
    form = wait_until(lambda: ws.modal(OWNER))
    assert [b["element"]["type"] for b in form["blocks"] if b["type"] == "input"][:3] == ["plain_text_input", "datepicker", "timepicker"]
    page = create_app(ws).test_client().get(f"/api/modal?as={OWNER}").get_json()["view"]
    assert 'type="date" data-block-id="date"' in page["html"] and 'type="time" data-block-id="time"' in page["html"]
    assert set(ws.submit(OWNER, {})) == {"title", "date", "time", "place"}  # required, refused by Slack's client
    yesterday = (ws.now().astimezone(ZoneInfo("Europe/Paris")) - timedelta(days=1)).strftime("%Y-%m-%d")
    values = {"title": {"value": "Docs sprint kick-off"}, "date": {"value": yesterday}, "time": {"value": "14:00"},
              "place": {"value": "Room 4 & the call"}, "link": {"value": None}, "description": {"value": None}}
    assert "has passed" in ws.submit(OWNER, values)["date"]  # the bot's response_action: errors
    assert ws.world.sender.last_payload["view"]["state"]["values"]["date"] == {"value": {"type": "datepicker", "selected_date": yesterday}}
    values["date"] = {"value": (ws.now() + timedelta(days=2)).astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d")}
    assert ws.submit(OWNER, values) is None and ws.modal(OWNER) is None
    ws.settle()
    card = wait_until(lambda: next((m for m in ws.history(GENERAL) if "Docs sprint kick-off" in m.get("text", "")), None))
    going = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "event_going")
    ws.press(BOB, GENERAL, card["ts"], "event_going", going["value"])
    assert wait_until(lambda: "*Going* (1): <@UBOB>" in ws.slack.message(GENERAL, card["ts"])["text"])  # chat.update, in place


def test_modals_keep_slacks_view_stack_and_its_close_rules(ws):
    """What the bot does not do today: views.push stacks a view (Cancel goes back), views.update
    replaces one by id, and view_closed is sent only for a view that asks for it."""
    from slack_sdk import WebClient
    client = WebClient(token="xoxb-local-workspace", base_url=ws.slack.url)
    ws.command(BOB, GENERAL, "/community help")

    def trigger() -> str:
        return next(key for key, asker in reversed(ws.world.askers.items()) if not key.startswith("/") and asker.user == BOB)

    def view(title: str, **extra) -> dict:
        return {"type": "modal", "callback_id": "ask_form", "title": {"type": "plain_text", "text": title},
                "submit": {"type": "plain_text", "text": "Send"}, **extra,
                "blocks": [{"type": "input", "label": {"type": "plain_text", "text": "When"},
                            "element": {"type": "datepicker"}},
                           {"type": "actions", "block_id": "more", "elements": [
                               {"type": "button", "action_id": "more", "value": "1", "text": {"type": "plain_text", "text": "More"}}]}]}
    opened = client.views_open(trigger_id=trigger(), view=view("First"))["view"]
    shown = wait_until(lambda: ws.modal(BOB))
    assert shown["blocks"][0]["block_id"] == "b0" and shown["blocks"][0]["element"]["action_id"] == "a0"  # Slack names them
    with pytest.raises(Refused, match="HTTP 404"):  # a button in the modal: block_actions (this bot has no listener)
        ws.press_view(BOB, "modal", "more", "1", "more")
    assert ws.world.sender.last_payload["container"] == {"type": "view", "view_id": opened["id"]}
    # The emulator does not answer views.push (the bot never pushes): what it would answer, heard directly.
    pushed = {**view("Second", notify_on_close=True), "id": "VPUSHED", "team_id": "T1", "hash": "1.hash"}
    ws._heard(ws.world, Call("views.push", {"trigger_id": trigger(), "view": json.dumps(pushed)}, "xoxb", 0.0), 200,
              {"ok": True, "view": pushed})
    assert wait_until(lambda: ws.modal_depth(BOB) == 2) and ws.modal(BOB)["title"]["text"] == "Second"
    client.views_update(view_id=opened["id"], view=view("First, updated"))
    wait_until(lambda: ws.world.modals[BOB][0]["title"]["text"] == "First, updated")
    assert ws.submit(BOB, {"b0": {"a0": "soon"}}) == {"b0": "Pick a date."}
    ws.dismiss(BOB)  # the pushed view asked to be told: view_closed is sent (no listener here: logged, and closed)
    closed = ws.world.sender.last_payload
    assert closed["type"] == "view_closed" and closed["is_cleared"] is False and closed["view"]["previous_view_id"] == opened["id"]
    assert closed["view"]["state"]["values"] == {"b0": {"a0": {"type": "datepicker", "selected_date": None}}}
    assert ws.modal_depth(BOB) == 1 and ws.modal(BOB)["title"]["text"] == "First, updated"
    with pytest.raises(Refused, match="HTTP 404"):  # sent as view_submission; this bot has no listener for it
        ws.submit(BOB, {"b0": {"a0": "2026-03-02"}})
    assert ws.world.sender.last_payload["view"]["state"]["values"] == {"b0": {"a0": {"type": "datepicker", "selected_date": "2026-03-02"}}}
    ws.dismiss(BOB)
    assert ws.modal(BOB) is None


def test_the_page_lists_the_manifests_message_shortcuts():
    import yaml
    from handlers.local.manifest import KNOWN, MANIFEST, message_shortcuts, parse_shortcuts
    declared = tuple((s["callback_id"], s["name"]) for s in yaml.safe_load(MANIFEST.read_text())["features"]["shortcuts"]
                     if s["type"] == "message")
    assert message_shortcuts() == parse_shortcuts(MANIFEST.read_text()) == KNOWN == declared


# ------------------------------------------------------------------------ restart and reset

def test_a_restart_carries_on_and_reset_starts_over(tmp_path):
    folder = tmp_path / "local-workspace"
    first = LocalWorkspace(folder, _settings(tmp_path)).start()
    ws_ts = first.post(ALICE, GENERAL, "Still here after a restart?")
    first.pin(ALICE, GENERAL, ws_ts)
    first.add_bookmark(ALICE, GENERAL, "Runbook", "https://example.org/runbook")
    first.command(OWNER, GENERAL, "/community export 1")
    first.command(OWNER, GENERAL, "/community event")
    first_form = wait_until(lambda: first.modal(OWNER))
    first.advance(timedelta(days=1))
    seen, clock = [m["ts"] for m in first.history(GENERAL)], first.now()
    kept = (first.pins(GENERAL), first.bookmarks(GENERAL), first.slack.uploaded_files())
    assert len(kept[0]) == 2 and len(kept[1]) == 2 and len(kept[2]) == 1
    first.close()
    assert (folder / STATE_FILE).exists()

    again = LocalWorkspace(folder, _settings(tmp_path)).start()
    try:
        assert [m["ts"] for m in again.history(GENERAL)] == seen  # not played again
        assert again.now() >= clock and again.now() - clock < timedelta(minutes=1)
        assert again.steward.core.questions.get("T1", GENERAL, ws_ts)["status"] == "open"
        assert (again.pins(GENERAL), again.bookmarks(GENERAL), again.slack.uploaded_files()) == kept  # ids and dates too
        again.command(OWNER, GENERAL, "/community event")
        assert wait_until(lambda: again.modal(OWNER))["id"] > first_form["id"]  # an event is named after its form's view
        notices = again.hub.subscribe()
        again.reset()
        assert [m["text"] for m in again.history(GENERAL)][-1] == HELM
        assert again.steward.core.questions.get("T1", GENERAL, ws_ts) is None
        assert again.now().astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "09:58"
        assert {"type": "reset"} in [notices.get_nowait() for _ in range(notices.qsize())]
    finally:
        again.close()


def test_a_broken_state_file_starts_over_and_memory_keeps_nothing(tmp_path):
    folder = tmp_path / "local-workspace"
    LocalWorkspace(folder, _settings(tmp_path)).start().close()
    (folder / STATE_FILE).write_text("{not json", encoding="utf-8")
    fresh = LocalWorkspace(folder, _settings(tmp_path)).start()
    assert find(fresh, HELM) and len(fresh.steward.core.questions.open_questions("T1", GENERAL)) == 1
    fresh.close()

    memory = tmp_path / "memory"
    for _ in range(2):
        ws = LocalWorkspace(memory, _settings(tmp_path, store_backend="memory")).start()
        assert len(ws.steward.core.questions.open_questions("T1", GENERAL)) == 1
        ws.post(BOB, GENERAL, "Is anything kept after a restart?")  # not, the second time round
        ws.settle()
        assert len(ws.steward.core.questions.open_questions("T1", GENERAL)) == 2
        ws.close()
    assert not (memory / STATE_FILE).exists()


# ----------------------------------------------------------------------------------- the web

@pytest.fixture
def web(ws):
    return create_app(ws, allowed_hosts={"localhost"}).test_client()


def test_the_page_reads_are_shaped_and_escaped(ws, web):
    workspace = web.get("/api/workspace").get_json()
    assert workspace["viewer"] == OWNER and workspace["dm"] == "DUOLIVIA"
    assert [c["id"] for c in workspace["channels"]] == [GENERAL, RANDOM] and workspace["steps"] == ["hour", "day", "week"]
    assert workspace["clock"]["label"].startswith("Mon ") and workspace["clock"]["tz"] == "Europe/Paris"
    ws.post(ALICE, GENERAL, "<script>alert(1)</script> **not** @Bob")
    items = web.get(f"/api/channel/{GENERAL}?as={BOB}").get_json()["items"]
    mine = items[-1]
    assert mine["html"] == ('<div class="bk-text">&lt;script&gt;alert(1)&lt;/script&gt; **not** '
                            '<span class="mention me" data-user="UBOB">@Bob</span></div>')
    assert (mine["author"], mine["mine"], mine["edit_text"]) == ("Alice", False, None)
    welcome = next(i for i in items if i["bot"] and "Welcome" in i["html"])
    assert welcome["author"] == "steward" and '<span class="channel-ref" data-channel="CGENERAL">#general</span>' in welcome["html"]
    sprint = next(i for i in items if i["reply_count"])
    thread = web.get(f"/api/thread/{GENERAL}/{sprint['ts']}?as={ALICE}").get_json()["items"]
    assert [i["author"] for i in thread] == ["Olivia", "Alice"] and thread[1]["mine"] and thread[1]["edit_text"]
    assert web.get(f"/api/channel/CNOPE?as={BOB}").status_code == 404
    assert web.get(f"/api/channel/{GENERAL}?as=UNOBODY").get_json() == {"error": "no such member"}
    assert web.get(f"/api/channel/DUBOB?as={BOB}").get_json()["channel"]["dm"] is True
    assert web.get(f"/api/channel/DUBOB?as={ALICE}").status_code == 404  # someone else's DM with the app
    assert web.get(f"/api/thread/DUBOB/{sprint['ts']}?as={ALICE}").status_code == 404


def test_the_page_actions_are_json_only_loopback_only_and_say_why_they_fail(ws, web):
    assert web.post("/api/post", data="as=UBOB&channel=CGENERAL&text=hi").status_code == 415
    assert web.get("/api/workspace", headers={"Host": "evil.example:3000"}).status_code == 403
    refused = web.post("/api/post", json={"as": SAM, "channel": GENERAL, "text": "hi"})
    assert (refused.status_code, refused.get_json()) == (400, {"error": "join the channel first"})
    assert web.post("/api/clock", json={"step": "century"}).status_code == 400
    assert web.post("/api/post", json={"as": BOB, "channel": GENERAL, "text": "/community help"}).status_code == 200
    assert wait_until(lambda: ws.ephemerals(BOB, GENERAL))[0].command == "/community help"
    assert web.post("/api/join", json={"as": SAM, "channel": GENERAL}).status_code == 200
    assert web.post("/api/clock", json={"step": "hour"}).status_code == 200
    ping = bot_replies(ws, find(ws, HELM)["ts"])[0]
    assert web.post("/api/press", json={"as": DEV, "channel": GENERAL, "ts": ping["ts"], "action_id": "question_mark_answered",
                                        "value": find(ws, HELM)["ts"]}).status_code == 200
    ws.settle()
    assert "Marked as answered by <@UDEV>" in bot_replies(ws, find(ws, HELM)["ts"])[-1]["text"]
    assert web.post("/api/home", json={"as": OWNER}).status_code == 200
    assert wait_until(lambda: web.get(f"/api/home?as={OWNER}").get_json()["view"])["title"] == ""
    assert web.get(f"/api/modal?as={OWNER}").get_json() == {"view": None}
    assert web.post("/api/modal", json={"as": OWNER, "values": {}}).get_json() == {"error": "no form is open"}


def test_live_updates_reach_an_open_page_and_end_when_it_stops(ws):
    server = PageServer(create_app(ws), listen("127.0.0.1", 0)).start()
    notices: queue.Queue = queue.Queue()

    def read() -> None:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api/events", timeout=10) as stream:
            for line in stream:
                if line.startswith(b"data: "):
                    notices.put(json.loads(line[6:]))
            notices.put("closed")
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    wait_until(lambda: ws.hub.subscribers() == 1)
    ts = ws.post(BOB, GENERAL, "Lunch?")
    assert notices.get(timeout=5) == {"type": "message", "channel": GENERAL, "ts": ts, "thread_ts": None}
    ws.join(SAM, GENERAL)
    welcome = [notices.get(timeout=5) for _ in range(3)][-1]  # members, Slack's join message, then the bot's welcome
    assert welcome["type"] == "message" and ws.slack.message(GENERAL, welcome["ts"])["bot_id"]
    started = time.monotonic()
    ws.hub.close()
    server.close()
    assert notices.get(timeout=5) == "closed" and time.monotonic() - started < 2
    reader.join(5)


# ------------------------------------------------------------------------------ python -m bot

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(home, port: int) -> tuple[subprocess.Popen, str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATA_DIR", "STORE_BACKEND"))}
    env.update(PORT=str(port), PYTHONUNBUFFERED="1")
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=home, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if line:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert b"<title>Community Steward" in page.read()
    return process, line, time.monotonic() - started


def test_python_m_bot_without_slack_serves_the_workspace_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    process, line, served_after = _start(tmp_path, port)
    try:
        assert line.strip() == (f"Community Steward local workspace: http://127.0.0.1:{port}/  (no Slack tokens found; "
                                "to connect to Slack, set SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET in "
                                "the environment or in ./.env; data in data/local-workspace; Ctrl-C stops)")
        assert served_after < 3.0
        assert (tmp_path / "data" / "local-workspace" / STATE_FILE).exists()
        stream = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/events", timeout=10)  # an open page
        taken, taken_line, _ = _start(tmp_path, port)  # a second copy on the same port
        assert taken.wait(10) == 2 and taken_line == ""
        assert taken.stderr.read().strip() == f"steward: PORT {port} is already in use (another copy of the bot?); stop that process or set PORT to a free port"
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0 and time.monotonic() - started < 3
        assert "Traceback" not in process.stderr.read()
        stream.close()
    finally:
        if process.poll() is None:
            process.kill()
    again, line, _ = _start(tmp_path, port)  # a restart: the same workspace, not a second seeding
    try:
        page = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/channel/{GENERAL}?as={OWNER}", timeout=5))
        assert [i["html"] for i in page["items"]].count(f'<div class="bk-text">{HELM}</div>') == 1
    finally:
        again.terminate()
        assert again.wait(10) == 0
