"""Bad input gets a clear answer, never a crash, never a ping: the classes of problem a hostile
tester found, each checked end to end through Slack's front door."""
import pytest

from bot.welcome.template import MAX_TEMPLATE
from handlers.emulator import decode_json_args
from handlers.emulator import message_event

BROADCASTS = ("<!channel", "<!here", "<!everyone", "@channel", "@here", "@everyone")


def sections(post):
    return [b["text"]["text"] for b in decode_json_args(post)["blocks"] if b["type"] == "section"]


@pytest.mark.parametrize("template", ["{user:{foo}}", "{user!x}", "{user:>50000000}", "{0}", "Hi {", "Hi }", "{user.__class__}", "{}"])
def test_a_template_with_format_features_is_refused_and_welcomes_keep_working(group, template):
    answer = group.run("UOWNER", f"welcome {template}")
    assert answer.startswith("That template cannot be used:") and "`{user}`, `{group}`, `{purpose}` and `{owners}`" in answer
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    assert welcome["text"].startswith("Welcome to <#C1>, <@UALICE>!")  # the default, untouched


def test_braces_can_be_written_doubled(group):
    assert group.run("UOWNER", "welcome {{team}} says hi to {user}") == "Welcome message updated. Try `/community welcome preview`."
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    assert welcome["text"].startswith("{team} says hi to <@UALICE>")


def test_a_broadcast_assembled_from_template_and_purpose_stays_inert(group):
    """Defusing happens on the final text: `<!{purpose}` with the purpose `channel>` is no ping."""
    group.run("UOWNER", "welcome <!{purpose} hello {user}")
    group.run("UOWNER", "purpose channel>")
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    for text in [welcome["text"], *sections(welcome)]:
        assert not any(b in text for b in ("<!channel", "<!here", "<!everyone"))
        assert text.startswith("&lt;!channel&gt; hello <@UALICE>")


def test_plain_broadcast_words_from_users_are_defused_everywhere(group):
    group.run("UOWNER", "purpose tell @channel and @here and @everyone")
    group.run("UOWNER", "rules <!subteam^S123|@devs> are in charge")
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    for text in [welcome["text"], *sections(welcome)]:
        assert not any(b in text for b in BROADCASTS)
        assert "@\u2060channel" in text


def test_a_template_longer_than_allowed_is_refused_when_set(group):
    answer = group.run("UOWNER", "welcome " + "x" * (MAX_TEMPLATE + 1))
    assert answer == f"That is {MAX_TEMPLATE + 1} characters; the most this can hold is {MAX_TEMPLATE}. Please shorten it."


def test_a_purpose_or_rules_too_long_are_refused_with_the_limit(group):
    assert group.run("UOWNER", "purpose " + "p" * 601) == "That is 601 characters; the most this can hold is 600. Please shorten it."
    assert group.run("UOWNER", "rules " + "r" * 1001) == "That is 1001 characters; the most this can hold is 1000. Please shorten it."


def test_the_longest_welcome_owners_can_write_is_posted_whole_in_sections_slack_accepts(group):
    group.run("UOWNER", "welcome " + ("w" * 99 + "\n") * 11 + "{purpose} {user}")
    group.run("UOWNER", "purpose " + "p" * 600)
    group.run("UOWNER", "rules " + "r " * 500)
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    parts = sections(welcome)
    assert all(len(part) <= 3000 for part in parts)
    assert "".join(parts).count("w") == 99 * 11 and "p" * 600 in "".join(parts)


def test_a_way_back_to_the_default_welcome(group):
    group.run("UOWNER", "welcome Yo {user}")
    assert group.run("UOWNER", "welcome default").startswith("The welcome message is back to the default.")
    group.join("UALICE")
    [welcome] = group.slack.wait_for("chat.postMessage")
    assert welcome["text"].startswith("Welcome to <#C1>, <@UALICE>!")


@pytest.mark.parametrize("value", ["99999999999999d", "1000d", "0m", "-5m"])
def test_out_of_range_durations_are_refused_and_questions_keep_being_tracked(group, value):
    answer = group.run("UOWNER", f"config first_wait {value}")
    assert "expected a duration from 1m to 7d" in answer
    group.say("UBOB", "How do I rotate the staging certificate?")
    assert len(group.core.questions.open_questions("T1", "C1")) == 1


@pytest.mark.parametrize("event", [
    None, {}, {"type": "message"}, {"type": "message", "channel": "C1", "user": "UBOB"},  # no ts
    {"type": "member_joined_channel", "channel": "C1"},  # no user
    {"type": "reaction_added", "user": "UBOB", "reaction": "white_check_mark", "item": None},
    {"type": "message", "channel": "C1", "user": ["UBOB"], "ts": "1.2", "text": "How?"},
    {"type": "message", "channel": "C1", "user": "UBOB", "ts": "1.2", "text": "How?", "subtype": ["x"]},
    {"type": "message", "channel": "C1", "user": "UBOB", "ts": "1.2", "text": ["How?"]},
    {"type": "reaction_added", "user": "UBOB", "reaction": "white_check_mark", "item": {"type": ["message"], "channel": "C1", "ts": "1.2"}},
])
def test_events_missing_what_we_need_are_ignored_quietly(group, event, caplog):
    response = group.sender.event(event)  # `None` sends `"event": null`
    assert response.status == 200
    group.settle()
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
    assert group.core.questions.open_questions("T1", "C1") == []


def test_an_action_whose_value_is_not_a_question_answers_at_once(group):
    answer = group.click("question_mark_answered", "not-a-question", user="UOWNER")
    assert answer == "This question is already answered."


def test_a_retried_chat_message_after_a_restart_is_counted_once(group):
    from bot.activity import activity_table
    event = message_event("C1", "UBOB", "Pushed the release notes.")
    group.sender.event(event, event_id="EvChatRestart")
    group.settle()
    group.restart()
    group.sender.event(event, event_id="EvChatRestart", retry_num=1)
    group.settle()
    group.core.store.flush()
    [activity] = group.core.store.find(activity_table(group.clock.now()), user_id="UBOB")
    assert activity["messages"] == 1


def test_an_event_the_journal_cannot_keep_is_not_acknowledged(group, monkeypatch):
    """A full disk: no 200, so Slack delivers the event again later instead of it being lost."""
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(group.steward.inbox.journal, "append", disk_full)
    response = group.sender.event(message_event("C1", "UBOB", "How do I free disk space?"))
    assert response.status >= 500


def test_a_placeholder_repeated_beyond_twice_is_refused(group):
    answer = group.run("UOWNER", "welcome " + "{purpose} " * 3)
    assert answer.startswith("That template cannot be used: `{purpose} ×3`") and "each at most twice" in answer


def test_any_message_fits_slacks_block_limits():
    """Whatever the text, the blocks stay within Slack's limits and no token is cut in two."""
    from bot.messages import Button, Mention, Message, text
    from handlers.blocks import MESSAGE_BLOCKS, SECTION_LIMIT, fallback, message_blocks
    body = text(*(part for n in range(3000) for part in (Mention("U123ABC"), " & friends ")))
    lines = tuple(text(f"line {n} ", Mention("U1")) for n in range(200))
    message = Message.of(body, *lines, buttons=[Button("Ok", "a", "v")])
    blocks = [b.to_dict() for b in message_blocks(message)]
    assert len(blocks) <= MESSAGE_BLOCKS and blocks[-1]["type"] == "actions"
    for block in blocks:
        if block["type"] == "section":
            shown = block["text"]["text"]
            assert len(shown) <= SECTION_LIMIT
            assert shown.count("<") == shown.count(">") and not shown.rstrip().endswith("&amp")
    assert len(fallback(message)) <= 40_000
