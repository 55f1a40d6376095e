"""Every post goes out once, end to end: the outbox and its worker against the Slack emulator."""
from handlers.emulator import decode_json_args


def test_a_rate_limited_welcome_is_delivered_once_after_retry_after(group):
    group.slack.rate_limit("chat.postMessage", retry_after=1, times=3)
    group.join("UALICE")
    group.steward.wait_idle(timeout=30)
    attempts = group.slack.calls_to("chat.postMessage")
    assert len(attempts) == 4  # three refusals, then the one that counts
    assert [p["channel"] for p in attempts] == ["C1"] * 4
    assert group.run("UOWNER", "status").endswith("Everything has been delivered.")


def test_a_refused_post_is_recorded_shown_in_status_and_reported_to_the_owners(group):
    group.run("UOWNER", "owners add <@UBOB|bob>")
    group.slack.fail("chat.postMessage", "not_in_channel")
    group.join("UALICE")
    group.steward.wait_idle()
    reports = [p for p in group.slack.calls_to("chat.postMessage") if p["channel"] in ("UOWNER", "UBOB")]
    assert sorted(p["channel"] for p in reports) == ["UBOB", "UOWNER"]
    assert "could not be delivered (`welcome`): `not_in_channel`" in reports[0]["text"]
    status = group.run("UOWNER", "status")
    assert "Could not be delivered: 1" in status and "`welcome`" in status and "`not_in_channel`" in status


def test_status_is_for_owners(group):
    assert group.run("UALICE", "status").startswith("Only this group's owners can do that.")


def test_blocks_and_fallback_text_carry_the_same_message(group):
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    blocks = decode_json_args(welcome)["blocks"]
    assert [b["type"] for b in blocks] == ["section", "context"]
    assert blocks[0]["text"]["text"] in welcome["text"]
