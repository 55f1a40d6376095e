"""Moderation and flags on Slack: messages, edits and deletions (applied from the inbox), the
**Flag to owners** message shortcut and its modal, and the report's **Dismiss** and **Ask the
author to edit** buttons (acknowledged at once, then run on the interactive lane).

Before the acknowledgement (`may_match`, `edit_may_matter`): a message that may match a rule is
journalled, like a question, because its report must survive a crash (acked means kept). That is
decided without the store: the in-memory `ACK_PREFILTER` holds the anchors (a literal word or
word piece) of every rule of every group and of the default list, refreshed in place when an
owner adds or removes a rule; a message holding none of them matches no rule, whatever its
channel. It reads Slack's raw text (no conversion): the raw text holds every word of the plain
text the rules are matched on later, so the filter never misses a match; it may let through a
false alarm (a mention's id, a link's address, a channel that is not managed), which only costs
one journal sync. About 3 µs for a typical message, 10 to 15 µs with accents (folding them is
most of it), measured by tests/test_moderation.py.
Edits are journalled when the old or the new text may match; deletions always (rare, and they
close reports, flagged ones included, which the filter cannot see).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging

from slack_sdk.models.blocks import InputBlock, MarkdownTextObject, PlainTextInputElement, PlainTextObject, SectionBlock
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from bot.i18n import t, tp
from bot.messages import ChannelRef, Mention, join
from bot.moderation import ACK_PREFILTER, ASK, DISMISS, MAX_REASON, button_target

from .mrkdwn import render, to_plain

log = logging.getLogger(__name__)
FLAG_SHORTCUT = "flag_to_owners"
FLAG_VIEW = "flag_to_owners_reason"
REASON = "reason"  # the modal's input block and action id
SHOWN_TEXT = 300  # characters of the flagged message carried in the modal's metadata (Slack takes 3,000)


# --- before the acknowledgement ------------------------------------------------------------------
def may_match(event: dict) -> bool:
    text = event.get("text")
    return isinstance(text, str) and ACK_PREFILTER.may_match(text)


def either(first, second):
    """A route's `journalled`: journal when either duty needs the event kept."""
    def journalled(event: dict) -> bool:
        return second(event) or first(event)
    return journalled


def is_edit(event: dict) -> bool:
    """`message_changed` of a person's message: the channel, and the message with its ts and author."""
    message = event.get("message")
    return (isinstance(event.get("channel"), str) and isinstance(message, dict) and isinstance(message.get("ts"), str)
            and isinstance(message.get("user"), str) and not message.get("bot_id"))


def edit_may_matter(event: dict) -> bool:
    """Journal an edit whose text changed and whose old or new text may match a rule."""
    before, after = (event.get("previous_message") or {}).get("text"), event["message"].get("text")
    if not isinstance(after, str) or before == after:
        return False
    return ACK_PREFILTER.may_match(after) or (isinstance(before, str) and ACK_PREFILTER.may_match(before))


def is_deletion(event: dict) -> bool:
    return isinstance(event.get("channel"), str) and isinstance(event.get("deleted_ts"), str)


# --- applied from the inbox ------------------------------------------------------------------------
def _plain(text) -> str:
    return to_plain(text, name_mentions=False)[0] if isinstance(text, str) else ""


def message_posted(core, group, event: dict, event_id: str) -> None:
    thread_ts = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
    core.moderation.on_message(group, event["user"], event["ts"], thread_ts, _plain(event.get("text")))


def message_changed(core, group, event: dict, event_id: str) -> None:
    message = event["message"]
    if message.get("subtype") == "tombstone":  # a thread's parent deleted: Slack keeps a tombstone
        core.moderation.on_delete(group, message["ts"])
        return
    before = _previous_text(event)
    if isinstance(message.get("text"), str) and message["text"] != before:  # not an unfurl or a reply count
        core.moderation.on_edit(group, message["ts"], message["user"], _plain(message["text"]), _plain(before))


def message_deleted(core, group, event: dict, event_id: str) -> None:
    core.moderation.on_delete(group, event["deleted_ts"], _plain(_previous_text(event)))


def _previous_text(event: dict):
    previous = event.get("previous_message")
    return previous.get("text") if isinstance(previous, dict) else None


# --- interactive, on the interactive lane (see handlers.app.interactive) -----------------------------
def _answer(respond, message) -> None:
    respond(text=render(message), response_type="ephemeral", replace_original=False)


def flag_to_owners(core, group, body: dict, context, respond, client) -> None:
    """The shortcut: open the modal that asks for a reason (the message travels in its signed metadata)."""
    message = body.get("message") or {}
    author, ts = message.get("user"), message.get("ts")
    if not isinstance(author, str) or not isinstance(ts, str) or message.get("bot_id"):
        _answer(respond, t(group.locale, "moderation.flag.no_message"))
        return
    if author == context["user_id"]:
        _answer(respond, t(group.locale, "moderation.flag.own"))
        return
    thread_ts = message.get("thread_ts") if isinstance(message.get("thread_ts"), str) else None
    metadata = {"team": group.team_id, "channel": group.channel_id, "ts": ts, "author": author, "thread": thread_ts,
                "text": _plain(message.get("text"))[:SHOWN_TEXT], "url": body.get("response_url") or "",
                "by": context["user_id"]}
    locale = group.locale
    view = View(type="modal", callback_id=FLAG_VIEW, private_metadata=_seal(metadata, client.token),
                title=PlainTextObject(text=tp(locale, "moderation.modal.title")[:24]),
                submit=PlainTextObject(text=tp(locale, "moderation.modal.submit")[:24]),
                close=PlainTextObject(text=tp(locale, "moderation.modal.close")[:24]),
                blocks=[SectionBlock(text=MarkdownTextObject(text=render(t(locale, "moderation.modal.intro",
                                                                             group=ChannelRef(group.channel_id))))),
                        InputBlock(block_id=REASON, label=PlainTextObject(text=tp(locale, "moderation.modal.reason")),
                                   element=PlainTextInputElement(action_id=REASON, multiline=True, max_length=MAX_REASON))])
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _seal(metadata: dict, token: str | None) -> str:
    """The modal's metadata, signed with a key only the bot has (from its token): the submission
    brings it back, and what it says (who wrote what, where to answer) is believed only if signed."""
    return json.dumps({**metadata, "sig": _signature(metadata, token)}, ensure_ascii=False)


def _unseal(sealed: str, token: str | None) -> dict | None:
    try:
        metadata = json.loads(sealed)
        signature = metadata.pop("sig")
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if not isinstance(signature, str) or not hmac.compare_digest(signature.encode(), _signature(metadata, token).encode()):
        return None
    return metadata


def _signature(metadata: dict, token: str | None) -> str:
    body = json.dumps(metadata, ensure_ascii=False, sort_keys=True)
    return hmac.new(f"{FLAG_VIEW}:{token or ''}".encode(), body.encode(), hashlib.sha256).hexdigest()


def flag_submitted(core, _group, body: dict, context, respond, client) -> None:
    """The modal's submission: the flag joins the message's case; the flagger is thanked privately
    through the shortcut's response_url (a modal has none of its own)."""
    view = body.get("view") or {}
    metadata = _unseal(str(view.get("private_metadata") or ""), client.token)
    if metadata is None or metadata.get("by") != context.get("user_id"):
        log.info("a flag whose metadata the bot did not write for this member was ignored")
        return
    team_id, channel_id, ts, author = (metadata[name] for name in ("team", "channel", "ts", "author"))
    group = core.groups.get(team_id, channel_id) if team_id == context.get("team_id") else None
    if group is None:
        return
    value = (((view.get("state") or {}).get("values") or {}).get(REASON) or {}).get(REASON) or {}
    reason = value.get("value") if isinstance(value.get("value"), str) else ""
    outcome = core.moderation.flag(group, ts, author, metadata.get("thread"), metadata.get("text") or "",
                                   context["user_id"], reason)
    key = {"flagged": "moderation.flag.thanks", "already": "moderation.flag.already"}.get(outcome.status, "moderation.flag.own")
    url = metadata.get("url")
    if isinstance(url, str) and url:
        WebhookClient(url).send(text=render(t(group.locale, key, group=ChannelRef(group.channel_id))),
                                response_type="ephemeral", replace_original=False)


def _case_target(core, body: dict, context):
    action = (body.get("actions") or [{}])[0]
    target = button_target(str(action.get("value") or ""))
    if target is None or target[0] != context.get("team_id"):
        return None, None
    return core.groups.get(target[0], target[1]), target[2]


def dismiss(core, _group, body: dict, context, respond, client) -> None:
    group, ts = _case_target(core, body, context)
    if group is None:
        _answer(respond, t("en", "not_managed"))
        return
    outcome = core.moderation.dismiss(group, ts, context["user_id"])
    _decided(core, group, outcome, respond, "moderation.dismissed")


def ask_author(core, _group, body: dict, context, respond, client) -> None:
    group, ts = _case_target(core, body, context)
    if group is None:
        _answer(respond, t("en", "not_managed"))
        return
    outcome = core.moderation.ask_author(group, ts, context["user_id"])
    _decided(core, group, outcome, respond, "moderation.asked")


def _decided(core, group, outcome, respond, done_key: str) -> None:
    locale, case = group.locale, outcome.case
    if outcome.status == "not_owner":
        _answer(respond, t(locale, "owner_only", owners=join(Mention(o) for o in group.owners)))
    elif outcome.status == "already":
        _answer(respond, t(locale, "moderation.already_asked", owner=Mention(case["asked_by"]),
                           when=core.moderation.local_time(group, case.get("asked_at"))))
    elif outcome.status == "closed":
        status = core.moderation.status_line(group, case) if case else None
        _answer(respond, t(locale, "moderation.already_closed", status=status or ""))
    else:
        _answer(respond, t(locale, done_key, author=Mention(case["author"])))


def register(app, interactive) -> None:
    app.shortcut(FLAG_SHORTCUT)(**interactive(flag_to_owners))
    app.view(FLAG_VIEW)(**interactive(flag_submitted, needs_group=False))
    app.action(DISMISS)(**interactive(dismiss, needs_group=False))
    app.action(ASK)(**interactive(ask_author, needs_group=False))
