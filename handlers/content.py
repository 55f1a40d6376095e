"""Fresh content on Slack: `pin_added` / `pin_removed` (applied from the inbox), and the owners'
checklist buttons **Keep**, **Unpin** / **Remove bookmark** and **Relabel** with its modal (on the
interactive lane).

Slack sends no event for bookmarks (the Events API has `pin_added` and `pin_removed`, nothing for
bookmarks): they come from the daily reconciliation (`bot.content`). The checklist is a direct
message, so a button's group comes from its value, as the digest's own buttons do; the core
refuses anyone who may not own the group, so a member's forged payload changes nothing.
After a click the owner gets a private answer (see `bot.content` for why not an edit).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, PlainTextObject, SectionBlock, MarkdownTextObject
from slack_sdk.models.views import View

from bot.content import KEEP, RELABEL, REMOVE, Listed, button_target, words
from bot.content.items import MAX_LABEL, PIN, split_item_id
from bot.i18n import t, tp
from bot.messages import ChannelRef, Message, people
from bot.ports import Post

from .mrkdwn import render, to_plain

log = logging.getLogger(__name__)
RELABEL_VIEW = "content_relabel"  # the modal's callback id
LABEL_BLOCK, LABEL_INPUT = "label", "label"


# --- events, applied from the inbox ----------------------------------------------------------
def is_pin_event(event: dict) -> bool:
    """A message pin with what the core needs (a file pin, from before files were messages, is not)."""
    item = event.get("item")
    return (isinstance(event.get("channel_id"), str) and isinstance(item, dict) and item.get("type") == "message"
            and isinstance(item.get("message"), dict) and isinstance(item["message"].get("ts"), str))


def pin_channel(event: dict) -> str:
    return event["channel_id"]


def _pinned_at(event: dict) -> datetime | None:
    for value in (event["item"].get("created"), (event.get("pinned_info") or {}).get("pinned_ts"), event.get("event_ts")):
        try:
            return datetime.fromtimestamp(float(value), timezone.utc)
        except (TypeError, ValueError, OverflowError, OSError):
            continue
    return None


def pin_added(core, group, event: dict, event_id: str) -> None:
    message = event["item"]["message"]
    who = event["item"].get("created_by") or event.get("user")
    core.content.track(group, Listed(PIN, message["ts"], to_plain(str(message.get("text") or ""))[0],
                                     str(message.get("permalink") or ""), _pinned_at(event), who if isinstance(who, str) else ""))


def pin_removed(core, group, event: dict, event_id: str) -> None:
    core.content.untrack(group, PIN, event["item"]["message"]["ts"])


# --- interactive, on the interactive lane (see handlers.app.interactive) ---------------------
def _answer(respond, message) -> None:
    respond(text=render(message), response_type="ephemeral", replace_original=False)


def _target(core, body: dict, context):
    """(group, item id) a checklist button names, or (None, None)."""
    action = (body.get("actions") or [{}])[0]
    target = button_target(str(action.get("value") or ""))
    if target is None or target[0] != context.get("team_id"):
        return None, None
    return core.groups.get(target[0], target[1]), target[2]


def _click_id(body: dict) -> str:
    return str((body.get("actions") or [{}])[0].get("action_ts") or "")


def keep(core, _group, body: dict, context, respond, client) -> None:
    group, key = _target(core, body, context)
    if group is None:
        _answer(respond, t("en", "not_managed"))
        return
    _answer(respond, words.outcome(group, core.content.keep(group, key, context["user_id"], _click_id(body)), "keep"))


def remove(core, _group, body: dict, context, respond, client) -> None:
    group, key = _target(core, body, context)
    if group is None:
        _answer(respond, t("en", "not_managed"))
        return
    _answer(respond, words.outcome(group, core.content.remove(group, key, context["user_id"], _click_id(body)), "remove"))


def open_relabel(core, _group, body: dict, context, respond, client) -> None:
    """The modal, for owners only (a member is told so, and no modal opens)."""
    group, key = _target(core, body, context)
    if group is None:
        _answer(respond, t("en", "not_managed"))
        return
    if not core.groups.may_own(group, context["user_id"]):
        _answer(respond, t(group.locale, "owner_only", owners=people(group.owners)))
        return
    item = next((item for item in core.content.items(group) if item.item_id == key), None)
    if item is None:
        _answer(respond, t(group.locale, "content.gone", group=ChannelRef(group.channel_id)))
        return
    client.views_open(trigger_id=body["trigger_id"], view=relabel_view(group, item))


def relabel_view(group, item) -> View:
    locale = group.locale
    return View(
        type="modal", callback_id=RELABEL_VIEW, private_metadata=f"{group.key}:{item.item_id}",
        title=PlainTextObject(text=tp(locale, "content.modal.title")[:24]),
        submit=PlainTextObject(text=tp(locale, "content.modal.submit")[:24]),
        close=PlainTextObject(text=tp(locale, "content.modal.close")[:24]),
        blocks=[SectionBlock(text=MarkdownTextObject(text=render(t(locale, "content.modal.about", title=words.title(locale, item),
                                                                   group=ChannelRef(group.channel_id))))),
                InputBlock(block_id=LABEL_BLOCK, optional=True, label=PlainTextObject(text=tp(locale, "content.modal.label")),
                           hint=PlainTextObject(text=tp(locale, "content.modal.hint")),
                           element=PlainTextInputElement(action_id=LABEL_INPUT, initial_value=item.label or None,
                                                         max_length=MAX_LABEL))])


def _submitted_label(body: dict) -> str:
    values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    value = ((values.get(LABEL_BLOCK) or {}).get(LABEL_INPUT) or {}).get("value")
    return " ".join(value.split()) if isinstance(value, str) else ""


def check_relabel(ack, body) -> None:
    """Inline, before Slack's 3 s: a label too long is shown in the modal; anything else closes it."""
    if len(_submitted_label(body)) > MAX_LABEL:
        ack(response_action="errors", errors={LABEL_BLOCK: tp("en", "content.modal.too_long", limit=str(MAX_LABEL))})
    else:
        ack()


def relabel(core, _group, body: dict, context, respond, client) -> None:
    """After the modal closed: the core decides (owners only), and says what it did by DM."""
    view = body.get("view") or {}
    target = button_target(str(view.get("private_metadata") or ""))
    user = context.get("user_id") or ""
    group = core.groups.get(target[0], target[1]) if target and target[0] == context.get("team_id") else None
    if group is None or split_item_id(target[2]) is None:
        log.info("relabel from %s for an unknown group or item: ignored", user)
        return
    if len(_submitted_label(body)) > MAX_LABEL:  # refused in the form, which is still open: nothing to do
        return
    result = core.content.relabel(group, target[2], _submitted_label(body), user, click=str(view.get("id") or ""))
    core.outbox.send(Post(key=f"content-relabel:{group.key}:{view.get('id') or body.get('trigger_id')}", team_id=group.team_id,
                          user_id=user, message=Message.of(words.outcome(group, result, "label")), group=group.key))


def register(app, interactive) -> None:
    app.action(KEEP)(**interactive(keep, needs_group=False))
    app.action(REMOVE)(**interactive(remove, needs_group=False))
    app.action(RELABEL)(**interactive(open_relabel, needs_group=False))
    app.view(RELABEL_VIEW)(**{**interactive(relabel, needs_group=False), "ack": check_relabel})
