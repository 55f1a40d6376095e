"""Question routing on Slack: new questions and replies, ✅ reactions, buttons, "Mark as answer"."""
from __future__ import annotations

import logging

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, MarkdownTextObject, SectionBlock

from bot.clock import parse_iso
from bot.formatting import humanize_age, mention, people
from bot.i18n import t
from bot.question_detection import looks_like_question
from bot.questions import Ping
from bot.safety import defuse_broadcasts

from .context import SlackServices

log = logging.getLogger(__name__)
RESOLVING_REACTIONS = {"white_check_mark", "heavy_check_mark", "ballot_box_with_check"}
MARK_ANSWERED = "question_mark_answered"
NOT_MY_TOPIC = "question_not_my_topic"
MARK_AS_ANSWER_SHORTCUT = "mark_as_answer"


def ping_message(slack: SlackServices, ping: Ping, locale: str, lead: str = "") -> tuple[str, list]:
    """The thread message that brings people in, with its buttons."""
    doc = ping.question
    if ping.step == "owners":
        age = humanize_age((slack.core.clock.now() - parse_iso(doc["asked_at"])).total_seconds())
        text = t(locale, "question.escalate_owners", mentions=people(ping.people), asker=mention(doc["asker"]), age=age)
    else:
        reasons = [t(locale, "question.escalate_reason_learned" if m.learned else "question.escalate_reason",
                     user=mention(m.user_id), topics=defuse_broadcasts(", ".join(m.topics))) for m in ping.matches]
        text = t(locale, "question.escalate", mentions=people(ping.people), asker=mention(doc["asker"]), reasons="\n".join(reasons))
    text = (lead + "\n" + text) if lead else text
    buttons = [ButtonElement(text=t(locale, "question.mark_answered"), action_id=MARK_ANSWERED, value=doc["ts"], style="primary")]
    if ping.step != "owners":
        buttons.append(ButtonElement(text=t(locale, "question.not_my_topic"), action_id=NOT_MY_TOPIC, value=doc["ts"]))
    return text, [SectionBlock(text=MarkdownTextObject(text=text)), ActionsBlock(elements=buttons)]


def post_ping(slack: SlackServices, ping: Ping, lead: str = "") -> str:
    group = slack.core.groups.get(ping.question["team_id"], ping.question["channel_id"])
    text, blocks = ping_message(slack, ping, group.locale if group else "en", lead)
    return slack.gateway.post(ping.question["team_id"], ping.question["channel_id"], text, blocks=blocks, thread_ts=ping.question["ts"])


def register(app, slack: SlackServices) -> None:
    core = slack.core

    def track_questions(group, event, body) -> bool:
        ts, thread_ts = event["ts"], event.get("thread_ts")
        if thread_ts and thread_ts != ts:
            if core.store.get("open_questions", f"{group.team_id}:{group.channel_id}:{thread_ts}") is None:
                return False
            if core.ledger.claim(body.get("event_id"), durable=False):
                core.questions.thread_reply(group, thread_ts, ts, event["user"])
                core.members.record_activity(group.team_id, group.channel_id, event["user"], "replies")
            return True
        if not group.config["question_routing"] or not looks_like_question(event.get("text") or ""):
            return False
        if core.ledger.claim(body.get("event_id"), durable=False):
            core.questions.ask(group, event["user"], ts, event.get("text") or "")
            core.members.record_activity(group.team_id, group.channel_id, event["user"], "questions")
        return True
    slack.message_listeners.append(track_questions)

    @app.event("reaction_added")
    def resolve_by_reaction(event, body):
        item = event.get("item") or {}
        if event.get("reaction") not in RESOLVING_REACTIONS or item.get("type") != "message":
            return
        team_id = body.get("team_id")
        group = core.groups.get(team_id, item.get("channel", ""))
        if group is None or not core.ledger.claim(body.get("event_id"), durable=False):
            return
        question = core.questions.get(team_id, group.channel_id, item["ts"])
        answerer = None
        if question is None:  # ✅ on a reply: that reply's author gave the answer
            question = core.questions.question_of_reply(team_id, group.channel_id, item["ts"])
            answerer = question["replies"].get(item["ts"]) if question else None
        if question is None or question["status"] not in ("open", "answered") or event["user"] != question["asker"]:
            return
        if core.questions.resolve(group, question["ts"], event["user"], answerer=answerer) == "resolved":
            thank(slack, group, question["ts"], "question.marked_answered", event["user"])

    def origin(body):
        """Who pressed, where, and the managed group there (None if the channel is not one)."""
        team_id, channel_id, user_id = body["team"]["id"], body["channel"]["id"], body["user"]["id"]
        return team_id, channel_id, user_id, core.groups.get(team_id, channel_id)

    @app.action(MARK_ANSWERED)
    def mark_answered(ack, body, action, respond):
        ack()
        team_id, channel_id, user_id, group = origin(body)
        if group is None:
            return
        outcome = core.questions.resolve(group, action["value"], user_id)
        if outcome == "resolved":
            thank(slack, group, action["value"], "question.marked_answered", user_id)
        else:
            key = {"not_allowed": "question.only_asker_or_owner"}.get(outcome, "question.already_closed")
            respond(text=t(group.locale, key), response_type="ephemeral", replace_original=False)

    @app.action(NOT_MY_TOPIC)
    def not_my_topic(ack, body, action, respond):
        ack()
        team_id, channel_id, user_id, group = origin(body)
        if group is None:
            return
        outcome = core.questions.decline(group, action["value"], user_id)
        if outcome != "declined":
            key = "question.only_pinged_expert" if outcome == "not_pinged" else "question.already_closed"
            respond(text=t(group.locale, key), response_type="ephemeral", replace_original=False)
            return
        lead = t(group.locale, "question.declined", user=mention(user_id))
        replacement = core.questions.next_expert(group, action["value"], slack.gateway)
        if replacement is not None and core.questions.claim_replacement(replacement, slack.gateway):
            post_ping(slack, replacement, lead=lead)
        else:
            slack.gateway.post(team_id, channel_id, lead, thread_ts=action["value"])

    @app.shortcut(MARK_AS_ANSWER_SHORTCUT)
    def mark_as_answer(ack, body, respond):
        ack()
        message = body.get("message") or {}
        team_id, channel_id, user_id, group = origin(body)
        thread_ts = message.get("thread_ts")
        if group is None or not thread_ts or thread_ts == message.get("ts"):
            respond(text=t(group.locale if group else "en", "answer.not_a_reply"), response_type="ephemeral")
            return
        answerer = message.get("user")
        outcome = core.questions.resolve(group, thread_ts, user_id, answerer=answerer)
        if outcome == "resolved":
            thank(slack, group, thread_ts, "answer.marked", answerer)
        else:
            key = {"not_allowed": "question.only_asker_or_owner", "unknown": "answer.not_a_reply"}.get(outcome, "question.already_closed")
            respond(text=t(group.locale, key), response_type="ephemeral")


def thank(slack: SlackServices, group, thread_ts: str, key: str, user_id: str | None) -> None:
    slack.gateway.post(group.team_id, group.channel_id, t(group.locale, key, user=mention(user_id) if user_id else "-"), thread_ts=thread_ts)
