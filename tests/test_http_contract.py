"""The HTTP front door: Slack's signature is required, and acks are immediate."""
import json
import time

from handlers.emulator import member_joined_event, sign


def test_a_wrong_signature_is_rejected_with_401(workspace):
    response = workspace.sender.event(member_joined_event("C1", "UALICE"), signature="v0=" + "0" * 64)
    assert response.status == 401


def test_a_stale_timestamp_is_rejected_with_401(workspace):
    stale = int(time.time()) - 10 * 60
    response = workspace.sender.event(member_joined_event("C1", "UALICE"), timestamp=stale)
    assert response.status == 401


def test_an_unsigned_request_is_rejected(workspace):
    body = json.dumps({"type": "event_callback", "event": member_joined_event("C1", "UALICE")})
    assert workspace.sender.raw(body, {"Content-Type": "application/json"}).status == 401


def test_url_verification_is_answered(workspace):
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    now = int(time.time())
    response = workspace.sender.raw(body, {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(now),
                                           "X-Slack-Signature": sign(body, now, workspace.settings.signing_secret)})
    assert response.status == 200 and "abc123" in response.body


def test_slash_command_is_acked_before_slow_slack_calls_finish(workspace):
    workspace.slack.rate_limit("conversations.info", retry_after=2)  # the listener will sleep 2+ s
    started = time.monotonic()
    response = workspace.sender.command("/community", "setup", user_id="UOWNER", channel_id="C1")
    acked_after = time.monotonic() - started
    assert response.status == 200 and acked_after < 1.0
    reply = workspace.slack.wait_for("response_url", timeout=10)[0]
    assert "is now a managed group" in reply["text"]
