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


def test_a_modal_the_app_opens_is_shown_to_the_member_who_acted(ws):
    """The bot opens no modal today; the page is ready for one: views.open answers a trigger_id,
    and the workspace knows whose it was."""
    from slack_sdk import WebClient
    ws.command(BOB, GENERAL, "/community help")
    wait_until(lambda: ws.ephemerals(BOB, GENERAL))
    trigger = next(key for key, asker in ws.world.askers.items() if not key.startswith("/") and asker.user == BOB)
    view = {"type": "modal", "callback_id": "ask_form", "title": {"type": "plain_text", "text": "Ask"},
            "submit": {"type": "plain_text", "text": "Send"},
            "blocks": [{"type": "input", "block_id": "q", "label": {"type": "plain_text", "text": "Question"},
                        "element": {"type": "plain_text_input", "action_id": "text"}}]}
    WebClient(token="xoxb-local-workspace", base_url=ws.slack.url).views_open(trigger_id=trigger, view=view)
    shown = wait_until(lambda: ws.modal(BOB))
    assert shown["callback_id"] == "ask_form" and ws.modal(ALICE) is None
    page = create_app(ws).test_client().get(f"/api/modal?as={BOB}").get_json()["view"]
    assert (page["title"], page["submit"]) == ("Ask", "Send") and 'data-action-id="text"' in page["html"]
    with pytest.raises(Refused, match="HTTP 404"):  # sent as view_submission; this bot has no listener for it
        ws.submit(BOB, {"q": {"text": {"type": "plain_text_input", "value": "Why?"}}})
    ws.dismiss(BOB)
    assert ws.modal(BOB) is None


# ------------------------------------------------------------------------ restart and reset

def test_a_restart_carries_on_and_reset_starts_over(tmp_path):
    folder = tmp_path / "local-workspace"
    first = LocalWorkspace(folder, _settings(tmp_path)).start()
    ws_ts = first.post(ALICE, GENERAL, "Still here after a restart?")
    first.advance(timedelta(days=1))
    seen, clock = [m["ts"] for m in first.history(GENERAL)], first.now()
    first.close()
    assert (folder / STATE_FILE).exists()

    again = LocalWorkspace(folder, _settings(tmp_path)).start()
    try:
        assert [m["ts"] for m in again.history(GENERAL)] == seen  # not played again
        assert again.now() >= clock and again.now() - clock < timedelta(minutes=1)
        assert again.steward.core.questions.get("T1", GENERAL, ws_ts)["status"] == "open"
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
    welcome = next(i for i in items if i["bot"])
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
