"""The App Home tab on Slack: the core's Home drawn as Block Kit and published with `views.publish`
when the tab is opened and again after every press of one of its buttons; an owner card's forms
(the settings, the unanswered list) are modals opened with the press's trigger_id.

A Home button has no channel and no response_url: the group is in the button's value ("team:channel")
and the answer to a press is the Home itself, published again with what was done at its top. The
pages shown (owned groups, member groups) travel in the view's private_metadata, so a press keeps
the person where they were.
"""
from __future__ import annotations

import json
import logging
import re

from slack_sdk.models.blocks import InputBlock, MarkdownTextObject, PlainTextInputElement, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.home import HOME_ACTION, SETTINGS, UNANSWERED
from bot.i18n import t, tp
from bot.messages import ChannelRef, people, plain

from .blocks import home_view, sections
from .mrkdwn import render

log = logging.getLogger(__name__)
SETTINGS_FORM = "home_settings_form"
VALUE = "value"  # every input's action id: the block id is the setting's key
MAX_VALUE = 100


def pages_of(view) -> tuple[int, int]:
    """(owned page, member page) kept in a published Home's private_metadata; (0, 0) when absent."""
    try:
        meta = json.loads((view or {}).get("private_metadata") or "{}")
        return max(int(meta.get("owned", 0)), 0), max(int(meta.get("member", 0)), 0)
    except (ValueError, TypeError, AttributeError, OverflowError):  # OverflowError: int(Infinity)
        return 0, 0


def publish(core, client, team_id: str, user_id: str, pages: tuple[int, int] = (0, 0), notice=None) -> None:
    view = core.home.view_for(team_id, user_id, owned_page=pages[0], member_page=pages[1], notice=notice)
    client.views_publish(user_id=user_id, view=home_view(view))


def publish_home(core, group, body: dict, context, respond, client) -> None:
    """`app_home_opened`: the Home as it is now, on the pages the person last saw."""
    event = body.get("event") or {}
    if event.get("tab", "home") != "home" or not isinstance(event.get("user"), str):
        return
    publish(core, client, context.get("team_id") or "", event["user"], pages_of(event.get("view")))


def home_action(core, _group, body: dict, context, respond, client) -> None:
    """A Home button: a page, or a registered action (its answer shown at the top); then publish."""
    value = str(((body.get("actions") or [{}])[0]).get("value") or "")
    pages, notice = pages_of(body.get("view")), None
    chosen = core.home.page_of(value)
    if chosen is not None:
        pages = chosen
    else:
        notice = core.home.act(context["team_id"], context["user_id"], value)
    publish(core, client, context["team_id"], context["user_id"], pages, notice)


def _owned(core, body: dict, context):
    """The group of an owner card's button, when the person pressing may own it; else the refusal."""
    team_id, _, channel_id = str(((body.get("actions") or [{}])[0]).get("value") or "").partition(":")
    if team_id != context.get("team_id") or core.groups.get(team_id, channel_id) is None:
        return None, t("en", "not_managed")
    group = core.home.owned_group(team_id, channel_id, context["user_id"])
    if group is None:
        known = core.groups.get(team_id, channel_id)
        return None, t(known.locale, "owner_only", owners=people(known.owners))
    return group, None


def open_settings(core, _group, body: dict, context, respond, client) -> None:
    group, refusal = _owned(core, body, context)
    if group is None:
        publish(core, client, context["team_id"], context["user_id"], pages_of(body.get("view")), refusal)
        return
    client.views_open(trigger_id=body.get("trigger_id") or "", view=settings_modal(group, pages_of(body.get("view"))))


def open_unanswered(core, _group, body: dict, context, respond, client) -> None:
    group, refusal = _owned(core, body, context)
    if group is None:
        publish(core, client, context["team_id"], context["user_id"], pages_of(body.get("view")), refusal)
        return
    lines = core.home.unanswered(group)
    blocks = sections(render(lines))[:99]
    client.views_open(trigger_id=body.get("trigger_id") or "", view=View(
        type="modal", title=PlainTextObject(text=tp(group.locale, "home.unanswered.title")[:24]),
        close=PlainTextObject(text=tp(group.locale, "home.settings.close")[:24]), blocks=blocks))


def settings_modal(group, pages: tuple[int, int]) -> View:
    """Every setting of the group as a text field holding its value, with what it accepts."""
    from bot.home import HomeService
    locale = group.locale
    blocks: list = [SectionBlock(text=MarkdownTextObject(text=render(t(locale, "home.settings.intro",
                                                                        group=ChannelRef(group.channel_id)))))]
    for key, value, accepts in HomeService.settings_of(group)[:98]:
        blocks.append(InputBlock(block_id=key, label=key, hint=accepts[:2000], element=PlainTextInputElement(
            action_id=VALUE, initial_value=value[:MAX_VALUE], max_length=MAX_VALUE)))
    return View(type="modal", callback_id=SETTINGS_FORM, title=PlainTextObject(text=tp(locale, "home.settings.title")[:24]),
                submit=PlainTextObject(text=tp(locale, "home.settings.save")[:24]),
                close=PlainTextObject(text=tp(locale, "home.settings.close")[:24]),
                private_metadata=json.dumps({"team": group.team_id, "channel": group.channel_id, "owned": pages[0],
                                             "member": pages[1]}), blocks=blocks)


def _submitted(core, body: dict):
    """(group if the submitter may own it, submitter, {key: value}, pages) of a settings form."""
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    user_id = (body.get("user") or {}).get("id") or ""
    team_id = (body.get("team") or {}).get("id") or ""
    group = core.home.owned_group(team_id, str(meta.get("channel") or ""), user_id) if meta.get("team") == team_id else None
    # What the form showed (each field's initial value, in the view Slack sends back): a field left
    # as shown is no change, so a setting another owner changed since the form opened stays.
    shown = {block.get("block_id"): (block.get("element") or {}).get("initial_value")
             for block in view.get("blocks") or [] if isinstance(block, dict)}
    values = {}
    for key, inputs in ((view.get("state") or {}).get("values") or {}).items():
        entry = inputs.get(VALUE) if isinstance(inputs, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("value"), str):
            if isinstance(shown.get(key), str) and entry["value"].strip() == shown[key].strip():
                continue
            values[key] = entry["value"]
    return group, user_id, team_id, values, pages_of(view)


def check_settings_form(core, _group, body: dict, context, respond, client) -> None:
    """Inline, as the acknowledgement: errors beside the fields, or an empty ack (the form closes)."""
    group, _, _, values, _ = _submitted(core, body)
    if group is None:
        first = next(iter(((body.get("view") or {}).get("state") or {}).get("values") or {"timezone": 0}))
        context.ack(response_action="errors", errors={first: tp("en", "home.unknown_action")[:150]})
        return
    errors = core.home.check_settings(group, values)
    if errors:
        context.ack(response_action="errors", errors={key: plain(message)[:150] for key, message in errors.items()})
    else:
        context.ack()


def save_settings_form(core, _group, body: dict, context, respond, client) -> None:
    group, user_id, team_id, values, pages = _submitted(core, body)
    # Bolt runs the lazy part after every submission, also one the acknowledgement refused with
    # errors beside the fields (the form is still open): then there is nothing to save or say.
    if group is None or core.home.check_settings(group, values):
        return
    notice = core.home.save_settings(group, user_id, values, key=(body.get("view") or {}).get("id") or "")
    log.info("settings of %s saved from the Home by %s", group.key, user_id)
    publish(core, client, team_id, user_id, pages, notice)


def register(app, interactive) -> None:
    app.event("app_home_opened")(**interactive(publish_home, needs_group=False))
    app.action(re.compile(rf"^{HOME_ACTION}(:\d+)?$"))(**interactive(home_action, needs_group=False))
    app.action(SETTINGS)(**interactive(open_settings, needs_group=False))
    app.action(UNANSWERED)(**interactive(open_unanswered, needs_group=False))
    app.view(SETTINGS_FORM)(**interactive(save_settings_form, needs_group=False, check=check_settings_form))
