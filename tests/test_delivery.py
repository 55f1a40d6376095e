"""Every post goes out once, end to end: the outbox and its worker against the Slack emulator."""
import time

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


def test_an_outage_is_recorded_by_its_http_status_not_its_html_page(group):
    group.slack.storm("chat.postMessage", 30, status=503)
    group.join("UALICE")
    deadline = time.monotonic() + 5
    while not group.core.outbox.for_group("T1:C1")[0] or group.core.outbox.for_group("T1:C1")[0][0]["attempts"] == 0:
        assert time.monotonic() < deadline, "the welcome was never attempted"
        time.sleep(0.05)
    [waiting] = group.core.outbox.for_group("T1:C1")[0]
    assert waiting["last_error"] == "http_503"
    assert "`http_503`" in group.run("UOWNER", "status")
    group.slack.calm()
    assert group.steward.wait_idle(timeout=30)
    delivered = [m for m in group.slack.messages("C1") if m["text"].startswith("Welcome")]
    assert len(delivered) == 1 and len(group.posts("C1")) > 1  # refused attempts, then one message


def test_an_edit_goes_out_as_chat_update_of_the_delivered_message_in_a_channel_and_in_a_dm(group):
    from bot.messages import Message
    from bot.ports import Post
    outbox = group.steward.core.outbox
    outbox.send(Post(key="card:C1", team_id="T1", channel_id="C1", message=Message.of(("first",)), group="T1:C1"))
    outbox.send(Post(key="card:C1:v2", team_id="T1", channel_id="C1", message=Message.of(("second",)), group="T1:C1",
                     replaces="card:C1"))
    outbox.send(Post(key="dm:UALICE", team_id="T1", user_id="UALICE", message=Message.of(("hello",))))
    outbox.send(Post(key="dm:UALICE:v2", team_id="T1", user_id="UALICE", message=Message.of(("decided",)),
                     replaces="dm:UALICE"))
    group.steward.wait_idle(timeout=30)
    posted = {p["text"]: p for p in group.slack.calls_to("chat.postMessage")}
    updates = group.slack.calls_to("chat.update")
    assert [u["text"] for u in updates] == ["second", "decided"]
    channel_post = group.slack.message("C1", updates[0]["ts"])
    assert channel_post["text"] == "second"  # the workspace shows the edited message, not a new one
    assert updates[0]["ts"] == outbox.was_sent("card:C1")["ref"]
    assert updates[1]["channel"].startswith("D") and updates[1]["ts"] == outbox.was_sent("dm:UALICE")["ref"]
    assert set(posted) == {"first", "hello"}
