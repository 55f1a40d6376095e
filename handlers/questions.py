"""Question routing on Slack: messages and ✅ reactions (applied from the inbox), the
**Mark answered** and **Not my topic** buttons and the **Mark as answer** message shortcut
(acknowledged at once, then run on the interactive lane)."""
from __future__ import annotations

from bot.i18n import t
from bot.questions import MARK_ANSWERED, NOT_MY_TOPIC
from bot.questions.detection import looks_like_question

from .activity import reaction_name
from .mrkdwn import render, to_plain

PLAIN_MESSAGE_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}
CHECK_REACTIONS = {"white_check_mark", "heavy_check_mark", "ballot_box_with_check"}
MARK_AS_ANSWER_SHORTCUT = "mark_as_answer"


# --- events, applied from the inbox ----------------------------------------------------------
def is_person_message(event: dict) -> bool:
    """A message a person posted (not an edit, a deletion or a bot), with what we need."""
    subtype = event.get("subtype")
    return ((subtype is None or isinstance(subtype, str)) and subtype in PLAIN_MESSAGE_SUBTYPES and not event.get("bot_id")
            and all(isinstance(event.get(field), str) for field in ("user", "channel", "ts")))


def may_change_a_question(event: dict) -> bool:
    """Before the ack: a thread reply, or a top-level message that reads as a question (the same
    detection the core applies later, ~40 µs): these must survive a crash."""
    thread_ts = event.get("thread_ts")
    if isinstance(thread_ts, str) and thread_ts != event["ts"]:
        return True
    return looks_like_question(plain_text(event))


def plain_text(event: dict) -> str:
    text = event.get("text")
    return to_plain(text, name_mentions=False)[0] if isinstance(text, str) else ""


def may_resolve(event: dict) -> bool:
    return reaction_name(event) in CHECK_REACTIONS


def message_posted(core, group, event: dict, event_id: str) -> None:
    """A question, a reply or chatter: the question service says which; activity records it."""
    text = plain_text(event)
    thread_ts = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
    kind = core.questions.on_message(group, event["user"], event["ts"], thread_ts, text)
    core.activity.message(group, event["user"], event["ts"], thread_ts, kind, event_id)


def reaction_added(core, group, event: dict, event_id: str) -> None:
    name = reaction_name(event)
    core.questions.reacted(group, event["item"]["ts"], event["user"], "check" if name in CHECK_REACTIONS else name)


# --- interactive, on the interactive lane (see handlers.app.interactive) ---------------------
def mark_answered(core, group, body: dict, context, respond, client) -> None:
    action = (body.get("actions") or [{}])[0]
    outcome = core.questions.mark_answered(group, str(action.get("value") or ""), context["user_id"])
    if outcome != "resolved":
        key = "question.only_asker_or_owner" if outcome == "not_allowed" else "question.already_closed"
        respond(text=render(t(group.locale, key)), response_type="ephemeral", replace_original=False)


def not_my_topic(core, group, body: dict, context, respond, client) -> None:
    action = (body.get("actions") or [{}])[0]
    outcome = core.questions.pass_on(group, str(action.get("value") or ""), context["user_id"])
    if outcome != "declined":
        key = "question.only_pinged_expert" if outcome == "not_pinged" else "question.already_closed"
        respond(text=render(t(group.locale, key)), response_type="ephemeral", replace_original=False)


def mark_as_answer(core, group, body: dict, context, respond, client) -> None:
    message = body.get("message") or {}
    thread_ts = message.get("thread_ts")
    if not isinstance(thread_ts, str) or thread_ts == message.get("ts"):
        respond(text=render(t(group.locale, "answer.not_a_reply")), response_type="ephemeral")
        return
    answer_ts = message.get("ts") if isinstance(message.get("ts"), str) else None
    outcome = core.questions.mark_answered(group, thread_ts, context["user_id"], answerer=message.get("user"), answer_ts=answer_ts)
    if outcome != "resolved":
        key = {"not_allowed": "question.only_asker_or_owner", "unknown": "answer.not_a_reply"}.get(outcome, "question.already_closed")
        respond(text=render(t(group.locale, key)), response_type="ephemeral")


def register(app, interactive) -> None:
    """`interactive(listener)` wraps a listener for the interactive lane (see handlers.app)."""
    app.action(MARK_ANSWERED)(**interactive(mark_answered))
    app.action(NOT_MY_TOPIC)(**interactive(not_my_topic))
    app.shortcut(MARK_AS_ANSWER_SHORTCUT)(**interactive(mark_as_answer))
