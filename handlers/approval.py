"""Membership approval on Slack: the owners' **Approve** and **Deny** buttons (in their DM), the
Deny form (a modal for an optional reason), and the directory's **Request to join** buttons, all on
the interactive lane.

The buttons are pressed in direct messages or under an ephemeral answer, so the group comes from
the button's value, and whoever pressed is checked against the group's owners in the store by the
core: a value names a request, it never grants anything. The form carries the request in its
`private_metadata` and is checked again the same way when it is submitted.
"""
from __future__ import annotations

import logging
import re

from slack_sdk.models.blocks import InputBlock, MarkdownTextObject, PlainTextInputElement, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.approval import APPROVE, DENY, MAX_REASON, REQUEST_JOIN, parse_button
from bot.approval.cards import local_time, why
from bot.approval.commands import answer
from bot.i18n import t, tp
from bot.messages import ChannelRef, Mention, Message, people
from bot.ports import Post

from .mrkdwn import render

log = logging.getLogger(__name__)
DENY_FORM = "approval_deny_reason"  # the modal's callback_id
REASON_BLOCK, REASON_INPUT = "reason", "reason_input"
REQUEST_JOIN_ACTION = re.compile(rf"^{re.escape(REQUEST_JOIN)}\.[A-Z0-9]+$")


def _answer(respond, text) -> None:
    respond(text=render(text), response_type="ephemeral", replace_original=False)


def _request(core, value: str, context):
    """(group, person, request id) a button or form names, or None when it names nothing usable."""
    target = parse_button(value)
    if target is None or target[0] != context.get("team_id"):
        return None
    team_id, channel_id, user_id, rid = target
    group = core.groups.get(team_id, channel_id)
    return (group, user_id, rid) if group is not None else None


def _already(group, decided) -> object:
    """The answer for a request someone else already decided (or that is gone)."""
    doc = decided.doc
    if decided.outcome == "not_owner":
        return t(group.locale, "owner_only", owners=people(group.owners))
    if decided.outcome != "already" or doc is None or not doc.get("decided_by"):
        return t(group.locale, "approval.decided.unknown")
    key = "approval.decided.already_approved" if doc["status"] == "approved" else "approval.decided.already_denied"
    return t(group.locale, key, owner=Mention(doc["decided_by"]), **local_time(group, doc["decided_at"]))


def approve(core, _group, body: dict, context, respond, client) -> None:
    action = (body.get("actions") or [{}])[0]
    found = _request(core, str(action.get("value") or ""), context)
    if found is None:
        _answer(respond, t("en", "approval.decided.unknown"))
        return
    group, user_id, rid = found
    decided = core.approval.decide(group, user_id, rid, context["user_id"], approve=True)
    where, who = ChannelRef(group.channel_id), Mention(user_id)
    if decided.outcome == "approved":
        _answer(respond, t(group.locale, "approval.decided.approved", user=who, group=where))
    elif decided.outcome == "invite_failed":
        _answer(respond, t(group.locale, "approval.decided.invite_failed", user=who, group=where,
                           why=why(group.locale, decided.detail, group)))
    else:
        _answer(respond, _already(group, decided))


def deny(core, _group, body: dict, context, respond, client) -> None:
    """Open the form for the reason, if the one pressing may still decide."""
    action = (body.get("actions") or [{}])[0]
    value = str(action.get("value") or "")
    found = _request(core, value, context)
    if found is None:
        _answer(respond, t("en", "approval.decided.unknown"))
        return
    group, user_id, rid = found
    checked = core.approval.may_decide(group, user_id, rid, context["user_id"])
    if checked.outcome != "pending":
        _answer(respond, _already(group, checked))
        return
    client.views_open(trigger_id=body["trigger_id"], view=deny_form(group, user_id, value))


def deny_form(group, user_id: str, value: str) -> View:
    locale = group.locale
    intro = t(locale, "approval.deny_form.intro", user=Mention(user_id), group=ChannelRef(group.channel_id))
    return View(
        type="modal", callback_id=DENY_FORM, private_metadata=value,
        title=PlainTextObject(text=tp(locale, "approval.deny_form.title")[:24]),
        submit=PlainTextObject(text=tp(locale, "approval.deny_form.submit")[:24]),
        close=PlainTextObject(text=tp(locale, "approval.deny_form.close")[:24]),
        blocks=[SectionBlock(text=MarkdownTextObject(text=render(intro))),
                InputBlock(block_id=REASON_BLOCK, optional=True,
                           label=PlainTextObject(text=tp(locale, "approval.deny_form.label")),
                           element=PlainTextInputElement(action_id=REASON_INPUT, multiline=True, max_length=MAX_REASON))])


def deny_submitted(core, _group, body: dict, context, respond, client) -> None:
    """The form closed at once (the ack); the decision is made here, checked again. An owner whose
    form changed nothing (another owner decided meanwhile) is told by DM, once per request: a modal
    has no reply of its own. A form from someone who may not decide (forged) is only logged: its
    request id is whatever they wrote, and each answer would be one more post kept in the outbox."""
    view = body.get("view") or {}
    found = _request(core, str(view.get("private_metadata") or ""), context)
    if found is None:
        log.info("a Deny form named no request we know: ignored")
        return
    group, user_id, rid = found
    state = ((view.get("state") or {}).get("values") or {}).get(REASON_BLOCK) or {}
    reason = (state.get(REASON_INPUT) or {}).get("value") or ""
    actor = context["user_id"]
    decided = core.approval.decide(group, user_id, rid, actor, approve=False, reason=str(reason))
    if decided.outcome != "denied":
        log.info("a Deny form changed nothing: %s", decided.outcome)
    if decided.outcome in ("already", "unknown"):
        core.outbox.send(Post(key=f"approval:{rid}:form:{actor}", team_id=group.team_id, user_id=actor,
                              message=Message.of(_already(group, decided)), group=group.key))


def request_join(core, _group, body: dict, context, respond, client) -> None:
    """The directory's button: the same request as `/community join`, without a message."""
    action = (body.get("actions") or [{}])[0]
    team_id, _, channel_id = str(action.get("value") or "").partition(":")
    if team_id != context.get("team_id") or not channel_id:
        _answer(respond, t("en", "approval.join.usage"))
        return
    asked = core.approval.request(team_id, channel_id, context["user_id"], via="directory")
    _answer(respond, answer(asked, "en", channel_id).text)


def register(app, interactive) -> None:
    app.action(APPROVE)(**interactive(approve, needs_group=False))
    app.action(DENY)(**interactive(deny, needs_group=False))
    app.view(DENY_FORM)(**interactive(deny_submitted, needs_group=False))
    app.action(REQUEST_JOIN_ACTION)(**interactive(request_join, needs_group=False))
