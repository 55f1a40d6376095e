"""Tests for the test harness: the Slack emulator, the signed-request sender
and the spec checks. Each test would fail if the harness lied about Slack."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List
from zoneinfo import ZoneInfo

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from handlers.emulator import (
    Call,
    SlackEmulator,
    SlackSender,
    app_home_opened_event,
    decode_json_args,
    member_joined_event,
    member_left_event,
    message_changed_event,
    message_event,
    new_ts,
    reaction_added_event,
    reaction_removed_event,
    sign,
)
from tests.harness.slack_spec import (
    DEFAULT_SPEC_DIR,
    EVENTS_API_FILE,
    WEB_API_FILE,
    assert_calls_match_spec,
    check_call,
    check_event,
    check_event_envelope,
    documented_errors,
    require_spec_dir,
)

SECRET = "test-signing-secret"


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.add_user("U1", "alice", tz="America/New_York", is_admin=True)
        emulator.add_user("U2", "bob")
        emulator.add_channel(
            "C1", "general", creator="U1", members=["U1", "U2", "UBOT", "U3", "U4"]
        )
        yield emulator


@pytest.fixture
def client(slack: SlackEmulator) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.url)


def wait_until(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


# ------------------------------------------------------------------ emulator


def test_url_is_the_api_base_and_stop_is_quick() -> None:
    emulator = SlackEmulator().start()
    assert emulator.url.startswith("http://127.0.0.1:")
    assert emulator.url.endswith("/api/")
    started = time.perf_counter()
    emulator.stop()
    assert time.perf_counter() - started < 0.5


def test_post_message_is_answered_and_recorded(slack: SlackEmulator, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    reply = client.chat_postMessage(channel="C1", text="reply", thread_ts=first["ts"])

    assert first["ok"] and first["channel"] == "C1"
    assert first["message"]["user"] == slack.bot_user_id
    assert first["message"]["blocks"] == blocks
    assert reply["message"]["thread_ts"] == first["ts"]
    assert float(reply["ts"]) > float(first["ts"])
    [call, _] = slack.calls
    assert isinstance(call, Call)
    assert call.method == "chat.postMessage"
    assert call.token == "xoxb-test"
    # slack_sdk sends chat.postMessage as JSON: blocks arrive as a real list.
    assert call.args == {"channel": "C1", "text": "hi", "blocks": blocks}


def test_post_message_errors_and_dm_channel(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as no_text, pytest.warns(UserWarning, match="text"):
        client.chat_postMessage(channel="C1", text="")
    assert no_text.value.response["error"] == "no_text"
    with pytest.raises(SlackApiError) as no_channel:
        client.chat_postMessage(channel="", text="x")
    assert no_channel.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="U1", text="psst")["channel"] == "DU1"


def test_form_bodies_are_recorded_as_sent(slack: SlackEmulator, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    # A form body, as slack_sdk sends for e.g. chat.delete; blocks as a string.
    client.api_call(
        "chat.postMessage",
        data={"channel": "C1", "blocks": json.dumps(blocks), "token": "xoxb-form"},
    )
    [call] = slack.calls
    assert call.args == {"channel": "C1", "blocks": json.dumps(blocks)}
    assert call.token == "xoxb-test"  # the header wins over the form field
    assert call.decoded_args()["blocks"] == blocks
    decoded = decode_json_args({"text": "[not json", "blocks": "[]"})
    assert decoded == {"text": "[not json", "blocks": []}


def test_users_info(client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    expected_offset = datetime.now(ZoneInfo("America/New_York")).utcoffset().total_seconds()
    assert user["id"] == "U1" and user["name"] == "alice"
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] == int(expected_offset)
    assert user["is_admin"] is True and user["is_bot"] is False
    assert user["profile"]["display_name"] == "alice"
    assert client.users_info(user="UBOT")["user"]["is_bot"] is True
    with pytest.raises(SlackApiError) as missing:
        client.users_info(user="UNOPE")
    assert missing.value.response["error"] == "user_not_found"


def test_conversations_members_paginates(slack: SlackEmulator, client: WebClient) -> None:
    pages = [page["members"] for page in client.conversations_members(channel="C1", limit=2)]

    assert pages == [["U1", "U2"], ["UBOT", "U3"], ["U4"]]
    calls = slack.calls_to("conversations.members")
    assert len(calls) == 3
    assert "cursor" not in calls[0] and calls[1]["cursor"] and calls[2]["cursor"]
    with pytest.raises(SlackApiError) as bad:
        client.conversations_members(channel="C1", cursor="garbage!")
    assert bad.value.response["error"] == "invalid_cursor"


def test_conversations_info_join_and_open(slack: SlackEmulator, client: WebClient) -> None:
    slack.add_channel("C2", "random", creator="U1", members=["U1"], is_private=True)
    info = client.conversations_info(channel="C2")["channel"]
    assert (info["name"], info["is_private"], info["is_member"], info["num_members"]) == (
        "random", True, False, 1,
    )
    client.conversations_join(channel="C2")
    assert client.conversations_info(channel="C2")["channel"]["is_member"] is True
    assert client.conversations_open(users="U2")["channel"]["id"] == "DU2"
    with pytest.raises(SlackApiError) as missing:
        client.conversations_info(channel="CNOPE")
    assert missing.value.response["error"] == "channel_not_found"


def test_other_default_answers(slack: SlackEmulator, client: WebClient) -> None:
    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T1")
    view = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    assert view["type"] == "home" and view["id"]
    assert client.chat_postEphemeral(channel="C1", user="U1", text="x")["message_ts"]
    posted = client.chat_postMessage(channel="C1", text="old")["ts"]
    assert client.chat_update(channel="C1", ts=posted, text="new")["text"] == "new"
    assert client.chat_getPermalink(channel="C1", message_ts="1.1")["permalink"].endswith("/C1/p11")
    assert client.bookmarks_list(channel_id="C1")["bookmarks"] == []
    assert client.pins_list(channel="C1")["items"] == []
    with pytest.raises(SlackApiError) as unknown:
        client.api_call("chat.frobnicate")
    assert unknown.value.response["error"] == "unknown_method"


def test_scripted_failure_is_used_once(slack: SlackEmulator, client: WebClient) -> None:
    slack.fail("chat.postMessage", "not_in_channel")
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel="C1", text="x")
    assert failure.value.response["error"] == "not_in_channel"
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_scripted_responses_come_in_order(slack: SlackEmulator, client: WebClient) -> None:
    slack.add_response("users.info", {"ok": True, "user": {"id": "U9"}}, times=2)
    slack.add_response("users.info", {"ok": False, "error": "fatal_error"}, status=500)
    assert client.users_info(user="U1")["user"] == {"id": "U9"}
    assert client.users_info(user="U1")["user"] == {"id": "U9"}
    with pytest.raises(SlackApiError) as server_error:
        client.users_info(user="U1")
    assert server_error.value.response.status_code == 500
    assert client.users_info(user="U1")["user"]["name"] == "alice"


def test_rate_limit_is_retried_by_slack_sdk(slack: SlackEmulator) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    slack.rate_limit("chat.postMessage", retry_after=0)

    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert len(slack.calls_to("chat.postMessage")) == 2


def test_rate_limit_without_retry_handler(slack: SlackEmulator, client: WebClient) -> None:
    slack.rate_limit("chat.postMessage")
    with pytest.raises(SlackApiError) as limited:
        client.chat_postMessage(channel="C1", text="x")
    response = limited.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "1"


def test_wait_for_sees_late_calls_and_explains_timeouts(
    slack: SlackEmulator, client: WebClient
) -> None:
    threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="late")).start()
    [args] = slack.wait_for("chat.postMessage", where=lambda a: a["text"] == "late")
    assert args["channel"] == "C1"

    with pytest.raises(AssertionError) as timeout:
        slack.wait_for("chat.postMessage", count=2, timeout=0.1)
    assert "expected at least 2 call(s) to chat.postMessage" in str(timeout.value)
    assert '"text": "late"' in str(timeout.value)  # the dump of recorded calls

    slack.reset_calls()
    assert slack.calls == []


def test_response_urls_are_recorded(slack: SlackEmulator) -> None:
    url = slack.response_url()
    assert WebhookClient(url).send(text="done", response_type="ephemeral").status_code == 200
    [call] = slack.calls
    assert call.method == "response_url"
    assert call.args == {"text": "done", "response_type": "ephemeral"}


# ------------------------------------------------ workspace: messages, threads


def slack_error(call: Callable[[], Any]) -> str:
    """The ``error`` Slack answered ``call`` with (it must fail)."""
    with pytest.raises(SlackApiError) as failure:
        call()
    return failure.value.response["error"]


def test_history_is_newest_first_with_thread_summaries(
    slack: SlackEmulator, client: WebClient
) -> None:
    question = slack.add_message("C1", "U1", "how do I deploy?")
    answer = client.chat_postMessage(channel="C1", text="try the runbook", thread_ts=question)["ts"]
    thanks = slack.add_message("C1", "U2", "same question", thread_ts=question)
    later = client.chat_postMessage(channel="C1", text="unrelated")["ts"]

    history = client.conversations_history(channel="C1")
    assert [m["ts"] for m in history["messages"]] == [later, question]  # no replies
    assert history["has_more"] is False and "response_metadata" not in history.data
    parent = history["messages"][1]
    assert (parent["thread_ts"], parent["reply_count"], parent["latest_reply"]) == (question, 2, thanks)
    assert parent["reply_users"] == ["UBOT", "U2"] and parent["reply_users_count"] == 2
    assert history["messages"][0]["bot_id"] == "BBOT" and "reply_count" not in history["messages"][0]

    replies = client.conversations_replies(channel="C1", ts=question)["messages"]
    assert [(m["ts"], m["text"]) for m in replies] == [
        (question, "how do I deploy?"), (answer, "try the runbook"), (thanks, "same question"),
    ]
    assert {m["parent_user_id"] for m in replies[1:]} == {"U1"}
    # A reply's ts names its thread too.
    assert [m["ts"] for m in client.conversations_replies(channel="C1", ts=answer)["messages"]] == [
        question, answer, thanks,
    ]
    # An unthreaded message is a thread of one.
    assert [m["ts"] for m in client.conversations_replies(channel="C1", ts=later)["messages"]] == [later]
    assert slack_error(lambda: client.conversations_replies(channel="C1", ts="1.000001")) == "thread_not_found"
    # The accessors show the same workspace, oldest first and replies included.
    assert [m["ts"] for m in slack.messages("C1")] == [question, answer, thanks, later]
    assert slack.thread("C1", question) == replies
    assert slack.thread("C1", "1.000001") == []


def test_history_window_is_exclusive_unless_inclusive(slack: SlackEmulator, client: WebClient) -> None:
    stamps = [slack.add_message("C1", "U1", f"m{n}", ts=f"1700000100.00000{n}") for n in range(5)]

    def texts(**window: Any) -> List[str]:
        return [m["text"] for m in client.conversations_history(channel="C1", **window)["messages"]]

    assert texts(oldest=stamps[1], latest=stamps[3]) == ["m2"]
    assert texts(oldest=stamps[1], latest=stamps[3], inclusive=True) == ["m3", "m2", "m1"]
    assert texts(oldest=stamps[3]) == ["m4"]
    assert texts(latest=stamps[1], inclusive=True) == ["m1", "m0"]
    assert slack_error(lambda: client.conversations_history(channel="C1", oldest="yesterday")) == (
        "invalid_ts_oldest"
    )
    assert slack_error(lambda: client.conversations_history(channel="C1", latest="x")) == "invalid_ts_latest"


def test_history_and_replies_paginate_with_cursors(slack: SlackEmulator, client: WebClient) -> None:
    stamps = [slack.add_message("C1", "U1", f"m{n}") for n in range(5)]
    replies = [slack.add_message("C1", "U2", f"r{n}", thread_ts=stamps[0]) for n in range(3)]

    first = client.conversations_history(channel="C1", limit=2)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"]
    assert first["has_more"] is True and first["response_metadata"]["next_cursor"]
    # slack_sdk follows response_metadata.next_cursor until it is absent.
    pages = [[m["text"] for m in page["messages"]] for page in client.conversations_history(channel="C1", limit=2)]
    assert pages == [["m4", "m3"], ["m2", "m1"], ["m0"]]
    # A message posted between pages does not shift the next page (the cursor is a ts).
    slack.add_message("C1", "U1", "newer")
    second = client.conversations_history(channel="C1", limit=2, cursor=first["response_metadata"]["next_cursor"])
    assert [m["text"] for m in second["messages"]] == ["m2", "m1"]
    assert slack_error(lambda: client.conversations_history(channel="C1", cursor="garbage!")) == "invalid_cursor"

    thread_pages = [
        [m["text"] for m in page["messages"]]
        for page in client.conversations_replies(channel="C1", ts=stamps[0], limit=2)
    ]
    assert thread_pages == [["m0", "r0"], ["r1", "r2"]]
    # The window narrows the replies; the parent always leads.
    narrowed = client.conversations_replies(channel="C1", ts=stamps[0], oldest=replies[0])["messages"]
    assert [m["text"] for m in narrowed] == ["m0", "r1", "r2"]


def test_update_edits_the_stored_message(slack: SlackEmulator, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*v1*"}}]
    ts = client.chat_postMessage(channel="C1", text="v1", blocks=blocks)["ts"]

    updated = client.chat_update(channel="C1", ts=ts, text="v2")
    assert (updated["channel"], updated["ts"], updated["text"]) == ("C1", ts, "v2")
    assert updated["message"]["blocks"] == blocks  # not sent: kept, as Slack does
    assert updated["message"]["edited"]["user"] == "UBOT"
    assert float(updated["message"]["edited"]["ts"]) > float(ts)
    [stored] = client.conversations_history(channel="C1")["messages"]
    assert (stored["ts"], stored["text"], stored["blocks"]) == (ts, "v2", blocks)

    client.chat_update(channel="C1", ts=ts, text="v3", blocks=[])  # [] clears them
    [stored] = slack.messages("C1")
    assert stored["text"] == "v3" and "blocks" not in stored

    theirs = slack.add_message("C1", "U1", "a person's message")
    assert slack_error(lambda: client.chat_update(channel="C1", ts=theirs, text="x")) == "cant_update_message"
    assert slack_error(lambda: client.chat_update(channel="C1", ts="1.000001", text="x")) == "message_not_found"
    assert slack_error(lambda: client.chat_update(channel="CNOPE", ts=ts, text="x")) == "channel_not_found"
    assert [m["text"] for m in slack.messages("C1")] == ["v3", "a person's message"]


def test_delete_removes_messages_and_keeps_threads_whole(slack: SlackEmulator, client: WebClient) -> None:
    solo = client.chat_postMessage(channel="C1", text="oops")["ts"]
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    reply = client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)["ts"]
    other = slack.add_message("C1", "U2", "their reply", thread_ts=parent)

    assert client.chat_delete(channel="C1", ts=solo).data == {"ok": True, "channel": "C1", "ts": solo}
    assert slack_error(lambda: client.chat_delete(channel="C1", ts=solo)) == "message_not_found"
    assert slack_error(lambda: client.chat_delete(channel="C1", ts=other)) == "cant_delete_message"

    client.chat_delete(channel="C1", ts=reply)
    [summary] = client.conversations_history(channel="C1")["messages"]
    assert (summary["reply_count"], summary["latest_reply"]) == (1, other)

    # A parent with replies left becomes a tombstone, so the thread stays reachable.
    client.chat_delete(channel="C1", ts=parent)
    tombstone, kept = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert (tombstone["ts"], tombstone["subtype"], tombstone["reply_count"]) == (parent, "tombstone", 1)
    assert kept["ts"] == other
    assert [m["ts"] for m in slack.messages("C1")] == [parent, other]


def test_reactions_are_recorded_on_messages(slack: SlackEmulator, client: WebClient) -> None:
    ts = slack.add_message("C1", "U1", "shipped it")
    slack.add_reaction("C1", ts, "tada", "U2")

    assert client.reactions_add(channel="C1", timestamp=ts, name="tada")["ok"] is True
    assert client.reactions_add(channel="C1", timestamp=ts, name=":eyes:")["ok"] is True
    assert slack_error(lambda: client.reactions_add(channel="C1", timestamp=ts, name="tada")) == (
        "already_reacted"
    )
    got = client.reactions_get(channel="C1", timestamp=ts)
    assert (got["type"], got["channel"], got["message"]["ts"]) == ("message", "C1", ts)
    assert got["message"]["reactions"] == [
        {"name": "tada", "users": ["U2", "UBOT"], "count": 2},
        {"name": "eyes", "users": ["UBOT"], "count": 1},
    ]

    assert client.reactions_remove(channel="C1", timestamp=ts, name="eyes")["ok"] is True
    assert slack_error(lambda: client.reactions_remove(channel="C1", timestamp=ts, name="eyes")) == (
        "no_reaction"
    )
    client.reactions_remove(channel="C1", timestamp=ts, name="tada")
    [message] = slack.messages("C1")
    assert message["reactions"] == [{"name": "tada", "users": ["U2"], "count": 1}]

    assert slack_error(lambda: client.reactions_add(channel="C1", timestamp="1.000001", name="x")) == (
        "message_not_found"
    )
    assert slack_error(lambda: client.reactions_get(channel="C1", timestamp="soon")) == "bad_timestamp"
    with pytest.raises(KeyError):
        slack.add_reaction("C1", "1.000001", "tada", "U2")


def test_channel_rules_for_posting(slack: SlackEmulator, client: WebClient) -> None:
    slack.add_channel("C2", "random", creator="U1", members=["U1"])
    slack.add_channel("C3", "secret", creator="U1", members=["U1"], is_private=True)
    slack.add_channel("C4", "old", creator="U1", members=["U1", "UBOT"])
    slack.archive_channel("C4")

    def post(channel: str) -> str:
        return slack_error(lambda: client.chat_postMessage(channel=channel, text="hi"))

    assert post("CNOPE") == "channel_not_found"
    assert post("GNOPE") == "channel_not_found"
    assert post("C2") == "not_in_channel"
    assert post("C3") == "channel_not_found"  # a private channel is invisible to non-members
    assert post("C4") == "is_archived"
    assert client.conversations_info(channel="C4")["channel"]["is_archived"] is True
    assert slack_error(lambda: client.conversations_join(channel="C4")) == "is_archived"
    assert slack_error(lambda: client.conversations_history(channel="C2")) == "not_in_channel"
    client.conversations_join(channel="C2")
    assert client.chat_postMessage(channel="C2", text="hi")["ok"] is True
    # DMs and group DMs the bot opened need no membership.
    assert client.chat_postMessage(channel="DU2", text="psst")["channel"] == "DU2"
    group_dm = client.conversations_open(users="U1,U2")["channel"]["id"]
    assert client.chat_postMessage(channel=group_dm, text="both of you")["ok"] is True
    assert [m["text"] for m in slack.messages("C2")] == ["hi"]
    assert [m["text"] for m in slack.messages(group_dm)] == ["both of you"]
    assert slack.messages("C4") == [] and slack.messages("C3") == []


def test_membership_check_can_be_turned_off() -> None:
    with SlackEmulator(strict_membership=False) as slack:
        slack.add_channel("C2", "random", creator="U1", members=["U1"])
        client = WebClient(token="xoxb-test", base_url=slack.url)
        assert client.chat_postMessage(channel="C2", text="hi")["ok"] is True
        # Unknown channels still don't exist.
        assert slack_error(lambda: client.chat_postMessage(channel="C9", text="hi")) == "channel_not_found"
        assert [m["text"] for m in slack.messages("C2")] == ["hi"]


def test_added_messages_order_dms_and_metadata(slack: SlackEmulator, client: WebClient) -> None:
    real_clock_ts = new_ts()  # what a test's message_event carries
    assert slack.add_message("C1", "U1", "hello", ts=real_clock_ts) == real_clock_ts
    posted = client.chat_postMessage(channel="C1", text="hi U1")["ts"]
    assert float(posted) > float(real_clock_ts)  # the bot's answer sorts after what it answers
    with pytest.raises(ValueError, match="already exists"):
        slack.add_message("C1", "U2", "same ts", ts=real_clock_ts)
    # Events a test builds next never reuse a ts the emulator gave the bot, even
    # when the emulator has been pushed ahead of the clock.
    slack.add_message("C1", "U1", "from the future", ts=f"{time.time() + 5:.6f}")
    ahead = client.chat_postMessage(channel="C1", text="still after it")["ts"]
    assert float(new_ts()) > float(ahead)

    dm = client.chat_postMessage(channel="U1", text="psst")
    assert dm["channel"] == "DU1"
    assert slack.messages("U1") == slack.messages("DU1") and slack.messages("DU1")[0]["text"] == "psst"
    assert [m["text"] for m in client.conversations_history(channel="DU1")["messages"]] == ["psst"]

    metadata = {"event_type": "question_asked", "event_payload": {"id": "q1"}}
    client.chat_postMessage(channel="C1", text="tagged", metadata=metadata)
    newest = client.conversations_history(channel="C1", limit=1)["messages"][0]
    assert newest["text"] == "tagged" and "metadata" not in newest  # Slack: only on request
    newest = client.conversations_history(channel="C1", limit=1, include_all_metadata=True)["messages"][0]
    assert newest["metadata"] == metadata
    assert slack.messages("C1")[-1]["metadata"] == metadata


def test_concurrent_posts_are_all_kept(slack: SlackEmulator) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.url)

    def post(worker: int) -> None:
        for n in range(10):
            client.chat_postMessage(channel="C1", text=f"{worker}-{n}")
            slack.add_message("C1", "U1", f"user {worker}-{n}")

    threads = [threading.Thread(target=post, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = slack.messages("C1")
    assert len(stored) == 160 and len({m["ts"] for m in stored}) == 160
    assert sorted(m["text"] for m in stored if m.get("bot_id")) == sorted(
        f"{w}-{n}" for w in range(8) for n in range(10)
    )
    everything = [m for page in client.conversations_history(channel="C1", limit=50) for m in page["messages"]]
    assert [m["ts"] for m in everything] == [m["ts"] for m in reversed(stored)]


# --------------------------------------------------------- failure: storms


def test_storm_rate_limits_a_method_until_calm(slack: SlackEmulator, client: WebClient) -> None:
    slack.fail("chat.postMessage", "fatal_error")  # scripted: waits out the storm
    slack.storm("chat.postMessage", 60, retry_after=7)

    for _ in range(3):
        with pytest.raises(SlackApiError) as limited:
            client.chat_postMessage(channel="C1", text="x")
        response = limited.value.response
        assert (response.status_code, response["error"]) == (429, "ratelimited")
        assert response.headers["Retry-After"] == "7"
    assert client.users_info(user="U1")["ok"] is True  # other methods get through

    slack.calm()
    assert slack_error(lambda: client.chat_postMessage(channel="C1", text="x")) == "fatal_error"
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert slack.call_counts("chat.postMessage") == {"delivered": 1, "scripted": 1, "stormed": 3}
    assert slack.call_counts() == {"delivered": 2, "scripted": 1, "stormed": 3}
    assert [call.outcome for call in slack.calls][:3] == ["stormed"] * 3
    assert len(slack.messages("C1")) == 1  # nothing got through during the storm


def test_storm_ends_by_itself_and_slack_sdk_rides_it_out(slack: SlackEmulator) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=10))
    slack.storm("chat.postMessage", 0.3, retry_after=0)
    started = time.monotonic()

    assert client.chat_postMessage(channel="C1", text="eventually")["ok"] is True

    assert time.monotonic() - started >= 0.3
    counts = slack.call_counts("chat.postMessage")
    assert counts["stormed"] >= 1 and counts["delivered"] == 1
    assert [m["text"] for m in slack.messages("C1")] == ["eventually"]
    # Over: no storm left behind.
    assert WebClient(token="xoxb-test", base_url=slack.url).chat_postMessage(channel="C1", text="x")["ok"]


def test_outage_storm_answers_5xx_without_json(slack: SlackEmulator, client: WebClient) -> None:
    slack.storm("*", 60, status=503)

    for call in (lambda: client.chat_postMessage(channel="C1", text="x"), lambda: client.users_info(user="U1")):
        with pytest.raises(SlackApiError) as outage:
            call()
        response = outage.value.response
        assert response.status_code == 503
        assert response.headers["Content-Type"].startswith("text/html")
        assert "non-JSON" in response["error"]  # slack_sdk could not parse the page
    # response_url posts are not Web API calls: the Web API outage spares them.
    assert WebhookClient(slack.response_url()).send(text="still here").status_code == 200

    slack.calm("*")
    retrying = WebClient(token="xoxb-test", base_url=slack.url)
    retrying.retry_handlers.append(
        ServerErrorRetryHandler(max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01))
    )
    slack.storm("users.info", 60, status=500)
    with pytest.raises(SlackApiError) as server_error:
        retrying.users_info(user="U1")
    assert server_error.value.response.status_code == 500
    assert slack.call_counts("users.info") == {"delivered": 0, "scripted": 0, "stormed": 3}
    with pytest.raises(ValueError):
        slack.storm("users.info", 0)


# ------------------------------------------------------------------ signing



# ------------------------------------------------------- for the local workspace


def test_subscribers_hear_every_answered_call_and_can_unsubscribe(slack: SlackEmulator, client: WebClient) -> None:
    heard: List[Any] = []
    unsubscribe = slack.subscribe(lambda call, status, body: heard.append((call.method, status, body.get("ok"))))
    slack.subscribe(lambda call, status, body: 1 / 0)  # a broken listener never breaks the bot's call
    client.chat_postMessage(channel="C1", text="hi")
    WebhookClient(slack.response_url()).send(text="done")
    slack.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="refused")
    assert heard == [("chat.postMessage", 200, True), ("response_url", 200, True), ("chat.postMessage", 200, False)]
    unsubscribe()
    client.chat_postMessage(channel="C1", text="unheard")
    assert len(heard) == 3


def test_with_a_clock_message_ts_say_when_on_that_clock() -> None:
    from bot.clock import FakeClock
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("UTC")))
    with SlackEmulator(clock=clock) as slack:
        slack.add_channel("C1", "general", creator="U1", members=["U1", "UBOT"])
        client = WebClient(token="xoxb-test", base_url=slack.url)
        first = client.chat_postMessage(channel="C1", text="at nine")["ts"]
        second = client.chat_postMessage(channel="C1", text="same instant")["ts"]
        clock.advance(hours=26)
        typed = slack.add_message("C1", "U1", "a day later")
    assert datetime.fromtimestamp(float(first), ZoneInfo("UTC")) == clock.now() - timedelta(hours=26)
    assert float(first) < float(second) < float(typed)  # still unique and ordered within an instant
    assert datetime.fromtimestamp(float(typed), ZoneInfo("UTC")) == clock.now()


def test_people_edit_react_join_and_leave(slack: SlackEmulator) -> None:
    ts = slack.add_message("C1", "U2", "helo")
    slack.add_reaction("C1", ts, "eyes", "U1")
    edited = slack.edit_message("C1", ts, "hello", "U2")
    assert edited["text"] == "hello" and edited["edited"]["user"] == "U2"
    assert slack.remove_reaction("C1", ts, "eyes", "U1") and not slack.remove_reaction("C1", ts, "eyes", "U1")
    assert "reactions" not in slack.message("C1", ts)
    join = slack.add_message("C1", "U9", "<@U9> has joined the channel", subtype="channel_join")
    assert slack.join_channel("C1", "U9") and not slack.join_channel("C1", "U9")
    assert slack.leave_channel("C1", "U9") and not slack.leave_channel("C1", "U9")
    assert [m["ts"] for m in slack.history("C1")] == [ts, join] and slack.message("C1", join)["subtype"] == "channel_join"
    assert slack.message("C1", "1.000001") is None
    assert [u["id"] for u in slack.users()] == ["UBOT", "U1", "U2"] and slack.user("U1")["tz"] == "America/New_York"
    assert [(c["id"], c["members"]) for c in slack.channels()] == [("C1", ["U1", "U2", "UBOT", "U3", "U4"])]


def test_the_workspace_survives_export_and_load(slack: SlackEmulator, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="question?")["ts"]
    reply = slack.add_message("C1", "U2", "answer", thread_ts=parent)
    slack.add_reaction("C1", reply, "white_check_mark", "U1")
    client.chat_postMessage(channel="U2", text="a DM")
    state = json.loads(json.dumps(slack.export_state()))  # JSON all the way, as it is saved
    with SlackEmulator() as again:
        again.load_state(state)
        assert again.thread("C1", parent) == slack.thread("C1", parent)
        assert again.messages("U2") == slack.messages("U2")
        assert again.users() == slack.users() and again.channels() == slack.channels()
        later = WebClient(token="xoxb-test", base_url=again.url).chat_postMessage(channel="C1", text="later")["ts"]
        assert float(later) > float(reply)  # new ts come after everything loaded
        with pytest.raises(ValueError):
            again.load_state({"version": 0})


def test_keep_calls_bounds_what_the_emulator_remembers() -> None:
    with SlackEmulator(keep_calls=5) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        for _ in range(23):
            client.auth_test()
        assert 5 <= len(slack.calls) <= 10


def test_sender_lets_the_caller_choose_trigger_ids_response_urls_and_the_message(bolt: Dict[str, Any]) -> None:
    sender: SlackSender = bolt["sender"]
    message = {"type": "message", "ts": "1.000100", "user": "U1", "text": "hi", "blocks": []}
    sender.block_action("a", "v", user_id="U1", channel_id="C1", message_ts="1.000100", message=message,
                        trigger_id="T-1", response_url="http://127.0.0.1:1/hooks/x")
    payload = sender.last_payload
    assert (payload["trigger_id"], payload["response_url"], payload["message"]) == ("T-1", "http://127.0.0.1:1/hooks/x", message)
    sender.message_shortcut("mark_as_answer", user_id="U1", channel_id="C1", message=message, trigger_id="T-2")
    assert sender.last_payload["trigger_id"] == "T-2"
    assert sender.trigger_id() != sender.trigger_id() and sender.response_url().startswith(sender.response_url_base or "https://hooks")
    changed = message_changed_event("C1", {**message, "text": "hello"}, message)
    assert (changed["subtype"], changed["message"]["text"], changed["previous_message"]["text"]) == ("message_changed", "hello", "hi")


def test_sign_matches_slack_sdk_verifier() -> None:
    body, timestamp = '{"type":"event_callback"}', int(time.time())
    verifier = SignatureVerifier(SECRET)

    assert sign(body, timestamp, SECRET) == verifier.generate_signature(
        timestamp=str(timestamp), body=body
    )
    assert verifier.is_valid(body, str(timestamp), sign(body, timestamp, SECRET))
    assert not verifier.is_valid(body, str(timestamp), sign(body, timestamp, "other"))
    assert not verifier.is_valid(body + " ", str(timestamp), sign(body, timestamp, SECRET))


# --------------------------------------------- sender against a real Bolt app


class _BoltHTTPServer:
    """The smallest HTTP front for a Bolt app (what Bolt's dev server does)."""

    def __init__(self, app: App) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                response = app.dispatch(
                    BoltRequest(body=body.decode("utf-8"), headers=dict(self.headers.items()))
                )
                payload = (response.body or "").encode("utf-8")
                self.send_response(response.status)
                for name, values in response.headers.items():
                    for value in values:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/slack/events"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bolt(slack: SlackEmulator) -> Iterator[Dict[str, Any]]:
    app = App(signing_secret=SECRET, client=WebClient(token="xoxb-test", base_url=slack.url))
    seen: List[Dict[str, Any]] = []

    @app.event("message")
    def on_message(event: Dict[str, Any], say: Callable[..., Any]) -> None:
        seen.append(event)
        say(f"echo: {event['text']}")

    @app.event("member_joined_channel")
    @app.event("member_left_channel")
    @app.event("reaction_added")
    @app.event("reaction_removed")
    @app.event("app_home_opened")
    def on_other(event: Dict[str, Any], request: BoltRequest) -> None:
        seen.append({**event, "_retry": request.headers.get("x-slack-retry-num")})

    @app.command("/community")
    def on_command(ack: Callable[..., Any], command: Dict[str, Any]) -> None:
        ack(text=f"got {command['text']} from {command['user_id']}", response_type="ephemeral")

    @app.action("vote")
    def on_vote(ack: Callable[..., Any], body: Dict[str, Any]) -> None:
        ack()
        seen.append(body)

    @app.shortcut("save_message")
    def on_shortcut(ack: Callable[..., Any], shortcut: Dict[str, Any]) -> None:
        ack()
        seen.append(shortcut)

    @app.view("survey")
    def on_survey(ack: Callable[..., Any], view: Dict[str, Any]) -> None:
        ack()
        seen.append(view)

    server = _BoltHTTPServer(app)
    try:
        yield {"sender": SlackSender(server.url, SECRET), "seen": seen}
    finally:
        server.close()


def test_signed_event_reaches_the_app(slack: SlackEmulator, bolt: Dict[str, Any]) -> None:
    sender: SlackSender = bolt["sender"]
    response = sender.event(message_event("C1", "U1", "hello"))

    assert response.status == 200
    [args] = slack.wait_for("chat.postMessage")
    assert args["text"] == "echo: hello" and args["channel"] == "C1"
    # Bolt's per-request client adds team_id to every call (see slack_spec).
    assert args["team_id"] == "T1"
    assert sender.last_envelope["event"]["text"] == "hello"
    assert sender.last_envelope["event_id"].startswith("Ev")


def test_stale_or_forged_requests_are_rejected(slack: SlackEmulator, bolt: Dict[str, Any]) -> None:
    sender: SlackSender = bolt["sender"]
    stale = sender.event(message_event("C1", "U1", "old"), timestamp=int(time.time()) - 600)
    forged = sender.event(message_event("C1", "U1", "fake"), signature="v0=" + "0" * 64)
    unsigned = sender.raw('{"type":"event_callback"}', {"Content-Type": "application/json"})

    assert (stale.status, forged.status, unsigned.status) == (401, 401, 401)
    time.sleep(0.1)
    assert bolt["seen"] == []


def test_retry_headers_are_sent(bolt: Dict[str, Any]) -> None:
    sender: SlackSender = bolt["sender"]
    assert sender.event(member_joined_event("C1", "U2"), retry_num=1).status == 200
    [event] = wait_until(lambda: bolt["seen"])
    assert event["_retry"] == ["1"]


def test_command_is_signed_form_and_gets_ack(bolt: Dict[str, Any]) -> None:
    response = bolt["sender"].command("/community", "help", user_id="U1", channel_id="C1")
    assert response.status == 200
    assert response.json()["text"] == "got help from U1"


def test_interactivity_payloads_reach_listeners(bolt: Dict[str, Any]) -> None:
    sender: SlackSender = bolt["sender"]
    message = {"type": "message", "ts": "1.2", "user": "U2", "text": "save me"}
    values = {"b1": {"answer": {"type": "plain_text_input", "value": "42"}}}
    responses = [
        sender.block_action("vote", "yes", user_id="U1", channel_id="C1", message_ts="1.1"),
        sender.message_shortcut("save_message", user_id="U1", channel_id="C1", message=message),
        sender.view_submission("survey", values, user_id="U1", private_metadata="C1"),
    ]
    assert [response.status for response in responses] == [200, 200, 200]

    action, shortcut, view = wait_until(lambda: len(bolt["seen"]) == 3 and bolt["seen"])
    assert action["actions"][0]["value"] == "yes"
    assert action["container"]["channel_id"] == "C1"
    assert shortcut["message"]["text"] == "save me"
    assert view["state"]["values"] == values and view["private_metadata"] == "C1"


# --------------------------------------------------------------------- spec


def test_check_call_flags_problems() -> None:
    assert check_call("chat.postMessage", {"text": "x"}) == [
        "chat.postMessage: missing required argument 'channel'"
    ]
    assert check_call("chat.postMessage", {"channel": "C1", "text": "x", "colour": "red"}) == [
        "chat.postMessage: unknown argument 'colour' (not in the spec contract)"
    ]
    [problem] = check_call("chat.postMessages", {"channel": "C1"})
    assert "unknown method" in problem


def test_check_call_uses_slack_sdk_for_newer_things() -> None:
    assert check_call("bookmarks.list", {"channel_id": "C1"}) == []
    assert check_call("bookmarks.list", {}) == [
        "bookmarks.list: missing required argument 'channel_id'"
    ]
    # metadata postdates the 2021 spec; WebClient.chat_postMessage names it.
    assert check_call("chat.postMessage", {"channel": "C1", "text": "x", "metadata": {}}) == []


def test_recorded_calls_match_spec(slack: SlackEmulator, client: WebClient) -> None:
    client.chat_postMessage(
        channel="C1", text="hi", blocks=[{"type": "divider"}], unfurl_links=False
    )
    client.users_info(user="U1")
    list(client.conversations_members(channel="C1", limit=2))
    client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    posted = client.chat_postMessage(channel="C1", text="react to me")["ts"]
    client.reactions_add(channel="C1", timestamp=posted, name="wave")
    client.reactions_get(channel="C1", timestamp=posted, full=True)
    client.reactions_remove(channel="C1", timestamp=posted, name="wave")
    client.chat_postMessage(channel="C1", text="reply", thread_ts=posted)
    client.conversations_history(channel="C1", limit=1, oldest="0", inclusive=True)
    client.conversations_replies(channel="C1", ts=posted, include_all_metadata=True)
    client.chat_update(channel="C1", ts=posted, text="edited")
    client.chat_delete(channel="C1", ts=posted)
    client.bookmarks_list(channel_id="C1")
    WebClient(token="xoxb-test", base_url=slack.url, team_id="T1").conversations_info(channel="C1")
    WebhookClient(slack.response_url()).send(text="not a Web API call")

    assert_calls_match_spec(slack.calls)


def test_assert_calls_match_spec_lists_every_problem() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_calls_match_spec([("chat.postMessage", {"text": "x"}), ("nope.nope", {})])
    message = str(failure.value)
    assert "call #0: chat.postMessage: missing required argument 'channel'" in message
    assert "call #1: nope.nope: unknown method" in message


def test_sent_envelopes_match_slack_schemas(bolt: Dict[str, Any]) -> None:
    sender: SlackSender = bolt["sender"]
    events = [
        message_event("C1", "U1", "hi"),
        message_event("C1", "U1", "in thread", thread_ts="1.1"),
        message_event("C1", "U9", "bot", subtype="bot_message", bot_id="B9"),
        member_joined_event("C1", "U2", inviter="U1"),
        member_left_event("C1", "U2"),
        reaction_added_event("U1", "eyes", "C1", "1.1", item_user="U2"),
        reaction_removed_event("U1", "eyes", "C1", "1.1", item_user="U2"),
        app_home_opened_event("U1"),
    ]
    for event in events:
        sender.event(event)
        assert check_event_envelope(sender.last_envelope) == [], event["type"]
        assert check_event(sender.last_envelope["event"]) == [], event["type"]


def test_event_checks_flag_problems() -> None:
    require_spec_dir()
    envelope = {"token": "t", "team_id": "T1", "api_app_id": "A1", "type": "event_callback"}
    problems = check_event_envelope(envelope)
    assert any("'event_id' is a required property" in problem for problem in problems)
    assert any("'authed_users' is a required property" in problem for problem in problems)
    message = message_event("C1", "U1", "hi")
    del message["channel"]
    assert check_event(message) == ["event(message): 'channel' is a required property"]
    assert check_event({"type": "reaction_added"}) == [
        "event(reaction_added): 'event_ts' is a required property"
    ]


def test_missing_spec_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    require_spec_dir()  # warm the caches: a later absence must still fail
    monkeypatch.setenv("SLACK_API_SPEC_DIR", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="Slack API specs not found"):
        check_call("chat.postMessage", {"channel": "C1"})
    with pytest.raises(pytest.fail.Exception, match="Slack API specs not found"):
        check_event({"type": "reaction_added", "event_ts": "1.1"})


def _spec_copy(name: str) -> Dict[str, Any]:
    # The committed copy itself, whatever SLACK_API_SPEC_DIR says.
    return json.loads((DEFAULT_SPEC_DIR / name).read_text(encoding="utf-8"))


def test_spec_copy_covers_the_emulator() -> None:
    web_api = _spec_copy(WEB_API_FILE)
    copied = {path.lstrip("/") for path in web_api["paths"]}
    newer = set(web_api["x-trimmed"]["methods_not_in_spec"])
    # Every method the emulator answers is in the copy, or newer than the 2021
    # spec and then checked against slack_sdk's WebClient.
    assert SlackEmulator.METHODS <= copied | newer, sorted(SlackEmulator.METHODS - copied - newer)
    assert newer.isdisjoint(copied)
    assert all(callable(getattr(WebClient, method.replace(".", "_"), None)) for method in newer)
    assert copied <= SlackEmulator.METHODS  # and nothing stale is kept

    events = _spec_copy(EVENTS_API_FILE)
    sent = {
        builder()["type"]
        for builder in (
            lambda: message_event("C1", "U1", "hi"),
            lambda: member_joined_event("C1", "U1"),
            lambda: member_left_event("C1", "U1"),
            lambda: reaction_added_event("U1", "eyes", "C1", "1.1"),
            lambda: reaction_removed_event("U1", "eyes", "C1", "1.1"),
            lambda: app_home_opened_event("U1"),
        )
    }
    topics = {topic.replace(".", "_") for topic in events["topics"]}
    assert sent <= topics | set(events["x-trimmed"]["event_types_not_in_spec"])
    for ref in _refs(web_api) + _refs(events):  # the trimmed copies are self-contained
        document = web_api if ref.startswith("#/definitions/") else events
        node: Any = document
        for part in ref[2:].split("/"):
            node = node[part]
    assert "MIT License" in (DEFAULT_SPEC_DIR / "LICENSE").read_text(encoding="utf-8")


def _refs(node: Any) -> List[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if "$ref" in node else [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def test_methods_missing_from_the_copy_are_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_API_SPEC_DIR", raising=False)
    # A real method (slack_sdk knows it) that the trimmed copy lacks: re-run trim.py.
    [problem] = check_call("chat.scheduleMessage", {"channel": "C1", "post_at": 1, "text": "x"})
    assert "not in the trimmed spec copy" in problem and "trim.py" in problem
    # Newer than the 2021 spec, recorded as such by trim.py: slack_sdk is the reference.
    assert check_call("bookmarks.list", {"channel_id": "C1"}) == []


# Errors Slack answers (and documents today) that the 2021 spec's enums omit.
ERRORS_AFTER_2021_SPEC = {
    ("conversations.history", "not_in_channel"),
    ("conversations.history", "invalid_cursor"),
}


def test_emulator_errors_are_documented(slack: SlackEmulator, client: WebClient) -> None:
    slack.add_channel("C2", "random", creator="U1", members=["U1"])
    slack.add_channel("C4", "old", creator="U1", members=["U1", "UBOT"])
    slack.archive_channel("C4")
    mine = client.chat_postMessage(channel="C1", text="mine")["ts"]
    theirs = slack.add_message("C1", "U1", "theirs")
    client.reactions_add(channel="C1", timestamp=mine, name="eyes")
    unknown = "1.000001"
    cases = [
        ("chat.postMessage", "channel_not_found", dict(channel="CNOPE", text="x")),
        ("chat.postMessage", "not_in_channel", dict(channel="C2", text="x")),
        ("chat.postMessage", "is_archived", dict(channel="C4", text="x")),
        ("chat.update", "message_not_found", dict(channel="C1", ts=unknown, text="x")),
        ("chat.update", "cant_update_message", dict(channel="C1", ts=theirs, text="x")),
        ("chat.update", "channel_not_found", dict(channel="CNOPE", ts=mine, text="x")),
        ("chat.delete", "message_not_found", dict(channel="C1", ts=unknown)),
        ("chat.delete", "cant_delete_message", dict(channel="C1", ts=theirs)),
        ("chat.getPermalink", "channel_not_found", dict(channel="CNOPE", message_ts=mine)),
        ("conversations.history", "channel_not_found", dict(channel="CNOPE")),
        ("conversations.history", "not_in_channel", dict(channel="C2")),
        ("conversations.history", "invalid_ts_oldest", dict(channel="C1", oldest="x")),
        ("conversations.history", "invalid_ts_latest", dict(channel="C1", latest="x")),
        ("conversations.history", "invalid_cursor", dict(channel="C1", cursor="x")),
        ("conversations.replies", "thread_not_found", dict(channel="C1", ts=unknown)),
        ("conversations.replies", "channel_not_found", dict(channel="CNOPE", ts=mine)),
        ("conversations.join", "is_archived", dict(channel="C4")),
        ("conversations.join", "channel_not_found", dict(channel="CNOPE")),
        ("conversations.info", "channel_not_found", dict(channel="CNOPE")),
        ("conversations.members", "invalid_cursor", dict(channel="C1", cursor="x")),
        ("conversations.open", "users_list_not_supplied", dict(users="")),
        ("reactions.add", "already_reacted", dict(channel="C1", timestamp=mine, name="eyes")),
        ("reactions.add", "message_not_found", dict(channel="C1", timestamp=unknown, name="eyes")),
        ("reactions.add", "bad_timestamp", dict(channel="C1", timestamp="soon", name="eyes")),
        ("reactions.remove", "no_reaction", dict(channel="C1", timestamp=mine, name="tada")),
        ("reactions.get", "message_not_found", dict(channel="C1", timestamp=unknown)),
        ("users.info", "user_not_found", dict(user="UNOPE")),
    ]
    for method, expected, args in cases:
        assert slack_error(lambda: client.api_call(method, params=args)) == expected, (method, args)
        assert expected in documented_errors(method) or (method, expected) in ERRORS_AFTER_2021_SPEC, (
            f"{method} answered {expected!r}, which Slack does not document for it"
        )
