"""The HTTP front door (handlers/http_server.py): bursts, the request gate, and start-up errors.

Requests here are what a hostile tester sent: many at once, malformed bodies that are correctly
signed (so they get past authentication and test what comes after it), bad headers, wrong
methods. The bot must answer each with a status, never a 500, and log no traceback.
"""
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult

from bot.activity import activity_table
from handlers.acks import after_ack
from handlers.http_server import MAX_BODY_BYTES, SlackHttpServer, SlackRequestGate
from handlers.emulator.sender import (FORM_CONTENT_TYPE, JSON_CONTENT_TYPE, SlackSender, app_home_opened_event,
                             member_joined_event, member_left_event, message_event,
                             reaction_added_event, sign)
from tests.harness.workspace import SIGNING_SECRET

REPO = Path(__file__).resolve().parents[1]


def signed(body: str, content_type: str | None = JSON_CONTENT_TYPE, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": sign(body, timestamp, SIGNING_SECRET)}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def envelope(event) -> str:
    return json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvX",
                       "event_time": int(time.time()), "event": event})


def form_payload(payload) -> str:
    return urlencode({"payload": json.dumps(payload)})


def assert_no_errors(caplog) -> None:
    bad = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == []


# --------------------------------------------------------------------------------------- bursts


def test_64_clients_sending_4_signed_events_each_at_once_all_get_200(group, caplog):
    """http.server's listen backlog of 5 reset most of these; waitress queues them all."""
    clients, each = 64, 4
    users = [f"UCLIENT{n:02d}" for n in range(clients)]
    start = threading.Barrier(clients * each)

    def deliver(n: int) -> int:
        event = message_event("C1", users[n % clients], "Pushed the release notes.")
        start.wait()  # all 256 connections opened at the same moment
        return group.sender.event(event).status  # a reset connection raises here

    with ThreadPoolExecutor(clients * each) as pool:
        statuses = list(pool.map(deliver, range(clients * each)))
    assert statuses == [200] * (clients * each)
    group.settle()
    group.core.store.flush()
    counted = {a["user_id"]: a["messages"] for a in group.core.store.find(activity_table(group.clock.now()))}
    assert {user: counted.get(user) for user in users} == {user: each for user in users}  # every event was handled
    assert_no_errors(caplog)


# ------------------------------------------------------- malformed but signed: 400, no traceback

MALFORMED = {
    "bad JSON": ("{not json", JSON_CONTENT_TYPE),
    "a JSON array": ("[1, 2]", JSON_CONTENT_TYPE),
    "a JSON string": ('"event_callback"', JSON_CONTENT_TYPE),
    "an empty body": ("", JSON_CONTENT_TYPE),
    "JSON nested 100000 deep": ('{"a":' * 100_000 + "1" + "}" * 100_000, JSON_CONTENT_TYPE),
    "a form payload that is not JSON": ("payload=%7Bnope", FORM_CONTENT_TYPE),
    "a form payload that is a list": ("payload=" + quote("[1]"), FORM_CONTENT_TYPE),
    "authorizations a string": (json.dumps({**json.loads(envelope({"type": "message", "channel": "C1"})),
                                            "authorizations": "UBOT"}), JSON_CONTENT_TYPE),
    "block_actions without actions": (form_payload({"type": "block_actions", "team": {"id": "T1"},
                                                    "user": {"id": "UALICE"}}), FORM_CONTENT_TYPE),
    "an action without action_id": (form_payload({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "UALICE"},
                                                  "actions": [{"value": "1"}]}), FORM_CONTENT_TYPE),
    "view_submission without a view": (form_payload({"type": "view_submission", "team": {"id": "T1"},
                                                     "user": {"id": "UALICE"}}), FORM_CONTENT_TYPE),
    "a shortcut without callback_id": (form_payload({"type": "message_action", "team": {"id": "T1"},
                                                    "user": {"id": "UALICE"}}), FORM_CONTENT_TYPE),
    "response_urls null": (form_payload({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "UALICE"},
                                         "view": {"type": "modal", "callback_id": "x"}, "response_urls": None}),
                           FORM_CONTENT_TYPE),
}


# Signed events whose event part we cannot use: nothing to keep, so 200 (any other answer would
# only make Slack deliver them again), quietly, and nothing reaches the journal.
UNUSABLE_EVENTS = {
    "event null": (envelope(None), JSON_CONTENT_TYPE),
    "event a string": (envelope("member_joined_channel"), JSON_CONTENT_TYPE),
    "event without a type": (envelope({"user": "UALICE", "channel": "C1"}), JSON_CONTENT_TYPE),
    "event user a number": (envelope({"type": "message", "user": 5, "channel": "C1", "ts": "1.2"}), JSON_CONTENT_TYPE),
    "event message a string": (envelope({"type": "message", "subtype": "message_changed", "channel": "C1",
                                         "message": "edited"}), JSON_CONTENT_TYPE),
}


@pytest.mark.parametrize("body, content_type", UNUSABLE_EVENTS.values(), ids=UNUSABLE_EVENTS.keys())
def test_a_signed_event_we_cannot_use_is_acknowledged_and_ignored(workspace, caplog, body, content_type):
    response = workspace.sender.raw(body, signed(body, content_type))
    workspace.steward.wait_idle()
    assert response.status == 200, response.body
    assert workspace.steward.inbox.journal.waiting() == 0 and not workspace.steward.inbox.journal.seen("EvX")
    assert_no_errors(caplog)


@pytest.mark.parametrize("body, content_type", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_malformed_body_gets_400_without_a_traceback(workspace, caplog, body, content_type):
    response = workspace.sender.raw(body, signed(body, content_type))
    workspace.steward.wait_idle()
    assert response.status == 400, response.body
    assert_no_errors(caplog)


def test_the_signature_is_checked_before_the_body_is_read(workspace, caplog):
    forged = {**signed("{}"), "X-Slack-Signature": "v0=" + "0" * 64}
    assert workspace.sender.raw("{not json", forged).status == 401
    stale = signed("{not json", timestamp=int(time.time()) - 600)
    assert workspace.sender.raw("{not json", stale).status == 401
    assert_no_errors(caplog)


@pytest.mark.parametrize("headers, status", [
    ({"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}, 400),
    ({"X-Slack-Request-Timestamp": "1700000000²", "X-Slack-Signature": "v0=00"}, 400),  # "²".isdigit(), int() refuses
    ({"X-Slack-Signature": "v0=00"}, 401),
    ({"X-Slack-Request-Timestamp": "1700000000"}, 401),
    ({}, 401),
], ids=["timestamp not a number", "timestamp with a superscript digit", "no timestamp", "no signature", "no headers"])
def test_bad_or_missing_slack_headers_get_400_or_401(workspace, caplog, headers, status):
    body = envelope(member_joined_event("C1", "UALICE"))
    assert workspace.sender.raw(body, {"Content-Type": JSON_CONTENT_TYPE, **headers}).status == status
    assert_no_errors(caplog)


def post_bytes(url: str, data: bytes, headers: dict, method: str = "POST"):
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, dict(reply.headers)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers)


def test_a_non_ascii_signature_or_a_non_utf8_body_is_refused_without_a_traceback(workspace, caplog):
    url = workspace.sender.app_url
    now = str(int(time.time()))
    latin1_signature = {"Content-Type": JSON_CONTENT_TYPE, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=é"}
    assert post_bytes(url, b"{}", latin1_signature)[0] == 401  # hmac.compare_digest raises on non-ASCII
    headers = {"Content-Type": JSON_CONTENT_TYPE, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=00"}
    assert post_bytes(url, b'{"text": "caf\xe9"}', headers)[0] == 400
    assert_no_errors(caplog)


def test_a_body_that_is_neither_json_nor_a_form_gets_415(workspace, caplog):
    assert workspace.sender.raw("hello", signed("hello", "text/plain")).status == 415
    assert_no_errors(caplog)


def test_only_post_slack_events_is_served(workspace, caplog):
    url = workspace.sender.app_url
    status, headers = post_bytes(url, None, {}, method="GET")
    assert (status, headers.get("Allow")) == (405, "POST")  # the resource exists, so 405 rather than 404
    root = url.rsplit("/slack/events", 1)[0]
    body = envelope(member_joined_event("C1", "UALICE"))
    assert post_bytes(root + "/", None, {}, method="GET")[0] == 404
    assert post_bytes(root + "/slack/event", body.encode(), signed(body))[0] == 404
    assert post_bytes(root + "/slack/events/extra", body.encode(), signed(body))[0] == 404
    assert_no_errors(caplog)


def test_a_body_over_one_megabyte_gets_413(workspace, caplog):
    """Refused from the headers alone. The client announces the size and waits for the answer:
    sending the whole body races the server closing the connection after its 413."""
    import http.client
    port = int(workspace.sender.app_url.split(":")[2].split("/")[0])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("POST", "/slack/events")
    for name, value in signed("{}").items():
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()
    assert_no_errors(caplog)


def test_ssl_check_and_url_verification_still_work(workspace):
    ssl_check = "ssl_check=1&token=legacy-verification-token"
    assert workspace.sender.raw(ssl_check, signed(ssl_check, FORM_CONTENT_TYPE)).status == 200
    challenge = json.dumps({"type": "url_verification", "challenge": "c-42", "token": "x"})
    response = workspace.sender.raw(challenge, signed(challenge))
    assert response.status == 200 and response.json() == {"challenge": "c-42"}


# ----------------------------------------- the gate and a bare Bolt app: every field Bolt reads


@pytest.fixture
def bare_gate(monkeypatch):
    """The gate in front of a Bolt App with a no-op listener of each kind (no Slack needed)."""
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    authorize = lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-x",  # noqa: E731
                                            bot_user_id="UBOT", bot_id="BBOT")
    app = App(signing_secret=SIGNING_SECRET, authorize=authorize, process_before_response=True)
    for kind, name in [("event", "message"), ("event", "member_joined_channel"), ("action", "act"),
                       ("view", "view"), ("shortcut", "short"), ("command", "/c"), ("options", "opt")]:
        getattr(app, kind)(name)(lambda ack=None: ack() if ack else None)
    return SlackRequestGate(app, SIGNING_SECRET)


def call_gate(gate, body: str, content_type: str = JSON_CONTENT_TYPE) -> int:
    data = body.encode()
    headers = signed(body, content_type)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "SERVER_PROTOCOL": "HTTP/1.1",
               "QUERY_STRING": "", "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(data)),
               "wsgi.input": io.BytesIO(data),
               "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
               "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"]}
    statuses = []
    b"".join(gate(environ, lambda status, _headers: statuses.append(status)))
    return int(statuses[0][:3])


def test_work_waiting_for_the_answer_starts_only_once_the_200_is_written(monkeypatch):
    """What a listener defers with `after_ack` (the inbox wakes an event's lane this way) runs
    after the answer is on its way: here it waits for the client to have read the 200, which could
    never happen if it ran first. A listener that fails still runs what it deferred."""
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    authorize = lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-x",  # noqa: E731
                                            bot_user_id="UBOT", bot_id="BBOT")
    app = App(signing_secret=SIGNING_SECRET, authorize=authorize, process_before_response=True)
    answered, seen = threading.Event(), []

    @app.event("message")
    def listener(event):
        after_ack(lambda: seen.append(("answered before", answered.wait(5))))
        if event["text"] == "fail":
            raise RuntimeError("a bug in a listener")
    server = SlackHttpServer(app, "127.0.0.1", 0, signing_secret=SIGNING_SECRET).start_in_background()
    try:
        sender = SlackSender(f"http://127.0.0.1:{server.port}/slack/events", SIGNING_SECRET, timeout=10)
        started = time.monotonic()
        response = sender.event(dict(EVENT, text="hi"))
        waited = time.monotonic() - started
        answered.set()
        failed = sender.event(dict(EVENT, text="fail"))
        deadline = time.monotonic() + 5
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        server.close()
    assert response.status == 200 and waited < 2
    assert failed.status == 500
    assert seen == [("answered before", True), ("answered before", True)]


EVENT = {"type": "message", "channel": "C1", "user": "U1", "text": "hi", "ts": "1.1", "team": "T1"}
VALID = {
    "event": {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": EVENT,
              "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]},
    "shared-channel event": {"type": "event_callback", "team_id": "T1", "event": EVENT, "is_ext_shared_channel": True},
    "block_actions": {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "channel": {"id": "C1"},
                      "actions": [{"action_id": "act", "block_id": "b", "type": "button"}], "message": {"ts": "1"}},
    "view_submission": {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U1"},
                        "view": {"type": "modal", "callback_id": "view", "state": {"values": {}}}, "response_urls": []},
    "message_action": {"type": "message_action", "callback_id": "short", "team": {"id": "T1"}, "user": {"id": "U1"},
                       "channel": {"id": "C1"}, "message": {"ts": "1"}},
    "block_suggestion": {"type": "block_suggestion", "action_id": "opt", "block_id": "b", "team": {"id": "T1"},
                         "user": {"id": "U1"}},
}
READ_BY_BOLT = ["type", "event", "authorizations", "team", "user", "channel", "enterprise", "response_urls", "actions",
                "view", "callback_id", "action_id", "message", "previous_message", "item", "assistant_thread"]
WRONG_VALUES = [None, 5, "x", [], [1], ["x"], {}, True]


def test_no_value_of_any_field_bolt_reads_makes_it_fail(bare_gate, caplog):
    """Each field Bolt's routing reads, in each base payload, set to null, a number, a string, lists
    and an object: the answer is 200, 400 or Bolt's 404 for "no listener", never a 500 or a traceback."""
    assert {name: call_gate(bare_gate, json.dumps(body)) for name, body in VALID.items()} == dict.fromkeys(VALID, 200)
    failures = []
    for name, base in VALID.items():
        targets = [(base, field) for field in READ_BY_BOLT]
        if "event" in base:
            targets += [(base["event"], field) for field in READ_BY_BOLT]
        for container, field in targets:
            for value in WRONG_VALUES:
                saved = container.get(field, KeyError)
                container[field] = value
                status = call_gate(bare_gate, json.dumps(base))
                if status not in (200, 400, 404):
                    failures.append(f"{name} {'event.' if container is not base else ''}{field}={value!r}: {status}")
                container.pop(field) if saved is KeyError else container.__setitem__(field, saved)
    assert failures == []
    assert_no_errors(caplog)


def test_the_gate_itself_refuses_a_declared_length_over_the_cap(bare_gate):
    # Under waitress the server answers first; mounted elsewhere, the gate still does, unread.
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "CONTENT_LENGTH": str(MAX_BODY_BYTES + 1),
               "wsgi.input": io.BytesIO(b"")}
    statuses = []
    bare_gate(environ, lambda status, _headers: statuses.append(status))
    assert statuses[0].startswith("413")


# ------------------------------------------- events missing a field their applier needs: ignored quietly

LISTENER_GAPS = {  # each takes the ts of an open question in #general
    "member_joined_channel without channel": lambda q: _without(member_joined_event("C1", "UCAROL"), "channel"),
    "member_joined_channel without user": lambda q: _without(member_joined_event("C1", "UCAROL"), "user"),
    "member_left_channel without user": lambda q: _without(member_left_event("C1", "UBOB"), "user"),
    "message without ts": lambda q: _without(message_event("C1", "UBOB", "Why is the build red?"), "ts"),
    "reaction_added without user": lambda q: _without(reaction_added_event("UALICE", "white_check_mark", "C1", q), "user"),
    "app_home_opened without user": lambda q: _without(app_home_opened_event("UOWNER"), "user"),
}


def _without(event: dict, field: str) -> dict:
    event.pop(field)
    return event


@pytest.mark.parametrize("make_event", LISTENER_GAPS.values(), ids=LISTENER_GAPS.keys())
def test_an_event_missing_a_field_its_listener_needs_logs_no_traceback(group, caplog, make_event):
    question = group.say("UALICE", "How do I deploy the staging server?")
    caplog.clear()
    assert group.sender.event(make_event(question)).status in (200, 400)
    group.steward.wait_idle()
    assert_no_errors(caplog)


# -------------------------------------------------------------------------------------- start-up


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def bot_env(tmp_path, slack, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PORT", "DATA_DIR", "LOG_LEVEL"))}
    return {**env, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.url,
            "PORT": str(port), "DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO)}


def run_bot(tmp_path, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path, slack):
    with socket.create_server(("0.0.0.0", 0)) as taken:
        port = taken.getsockname()[1]
        done = run_bot(tmp_path, bot_env(tmp_path, slack, port))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("steward:")]
    assert f"PORT {port} is already in use" in line and "set PORT" in line
    assert "Running job" not in done.stderr  # the port is taken before the scheduler starts any sweep


def test_a_token_slack_rejects_is_one_line_and_exit_2(tmp_path, slack):
    slack.fail("auth.test", "invalid_auth")
    done = run_bot(tmp_path, bot_env(tmp_path, slack, free_port()))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("steward:")]
    assert "invalid_auth" in line and "SLACK_BOT_TOKEN" in line


def test_http_mode_serves_slack_and_stops_cleanly_on_sigterm(tmp_path, slack):
    port = free_port()
    bot = subprocess.Popen([sys.executable, "-m", "bot"], cwd=tmp_path, env=bot_env(tmp_path, slack, port),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, timeout=5)
        challenge = json.dumps({"type": "url_verification", "challenge": "up", "token": "x"})
        deadline = time.monotonic() + 30
        while True:
            try:
                response = sender.raw(challenge, signed(challenge))
                break
            except OSError:
                assert time.monotonic() < deadline and bot.poll() is None, "the bot never started listening"
                time.sleep(0.1)
        assert response.status == 200 and response.json() == {"challenge": "up"}
        bot.send_signal(signal.SIGTERM)
        _, stderr = bot.communicate(timeout=15)
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.communicate()
    assert bot.returncode == 0
    assert "Traceback" not in stderr
