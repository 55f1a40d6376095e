"""Events on Slack: the form (a modal opened with the interaction's trigger_id, built here with
slack_sdk's view models), its submission, and the card's buttons (on the interactive lane).

The submission is checked in the acknowledgement itself: Slack shows a form's errors beside its
fields only from the answer to the `view_submission` request (`response_action: errors`), so the
check (pure, no platform call) runs inline, with the core bound by the same wrapper as every
interactive listener; saving the event (store, outbox) then runs on the lazy lane.
"""
from __future__ import annotations

import json
import logging

from slack_sdk.models.blocks import (CheckboxesElement, DatePickerElement, InputBlock, Option, PlainTextInputElement,
                                     PlainTextObject, TimePickerElement)
from slack_sdk.models.views import View

from bot.events import MAX_DESCRIPTION, MAX_LINK, MAX_PLACE, MAX_TITLE, Draft, EventForm
from bot.events.card import EDIT, RSVP_ACTIONS
from bot.i18n import t, tp
from bot.messages import people, plain

from .mrkdwn import render

log = logging.getLogger(__name__)
FORM = "event_form"
VALUE = "value"  # every input's action id: the block id says which field it is


def event_modal(form: EventForm) -> View:
    locale, draft, editing = form.locale, form.draft, bool(form.event_id)

    def text_input(block: str, label: str, limit: int, value: str, *, optional=False, multiline=False) -> InputBlock:
        return InputBlock(block_id=block, label=label, optional=optional,
                          element=PlainTextInputElement(action_id=VALUE, max_length=limit, multiline=multiline,
                                                        initial_value=value or None))
    blocks = [
        text_input("title", tp(locale, "events.form.name"), MAX_TITLE, draft.title),
        InputBlock(block_id="date", label=tp(locale, "events.form.date"),
                   element=DatePickerElement(action_id=VALUE, initial_date=draft.date or None)),
        InputBlock(block_id="time", label=tp(locale, "events.form.time", timezone=form.timezone),
                   element=TimePickerElement(action_id=VALUE, initial_time=draft.time or None)),
        text_input("place", tp(locale, "events.form.place"), MAX_PLACE, draft.place),
        text_input("link", tp(locale, "events.form.link"), MAX_LINK, draft.link, optional=True),
        text_input("description", tp(locale, "events.form.description"), MAX_DESCRIPTION, draft.description,
                   optional=True, multiline=True),
    ]
    if editing:
        blocks.append(InputBlock(block_id="cancel", label=tp(locale, "events.form.cancel_label"), optional=True,
                                 element=CheckboxesElement(action_id=VALUE, options=[
                                     Option(value="cancel", text=tp(locale, "events.form.cancel_option"))])))
    return View(type="modal", callback_id=FORM,
                title=PlainTextObject(text=tp(locale, "events.form.edit_title" if editing else "events.form.new_title")[:24]),
                submit=PlainTextObject(text=tp(locale, "events.form.save" if editing else "events.form.submit")[:24]),
                close=PlainTextObject(text=tp(locale, "events.form.close")[:24]),
                private_metadata=json.dumps({"channel": form.channel_id, "event": form.event_id}), blocks=blocks)


def read_form(view: dict) -> tuple[str, str, Draft]:
    """(channel, event id, draft) from a submitted view; odd shapes read as empty fields."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    values = (view.get("state") or {}).get("values") or {}

    def field(block: str, name: str):
        entry = (values.get(block) or {}).get(VALUE) if isinstance(values.get(block), dict) else None
        return entry.get(name) if isinstance(entry, dict) else None

    def text(block: str) -> str:
        value = field(block, "value")
        return value if isinstance(value, str) else ""
    chosen = field("cancel", "selected_options")
    cancel = isinstance(chosen, list) and any(isinstance(o, dict) and o.get("value") == "cancel" for o in chosen)
    draft = Draft(title=text("title"), date=str(field("date", "selected_date") or ""), time=str(field("time", "selected_time") or ""),
                  place=text("place"), link=text("link"), description=text("description"), cancel=cancel)
    return str(meta.get("channel") or ""), str(meta.get("event") or ""), draft


def shown_in(view: dict) -> Draft | None:
    """What an edit form showed when it was opened (its fields' initial values, in the view Slack
    sends back); None for a new event, or a view without its blocks."""
    initial = {}
    for block in view.get("blocks") or []:
        element = block.get("element") if isinstance(block, dict) else None
        if isinstance(element, dict):
            value = element.get("initial_value") or element.get("initial_date") or element.get("initial_time") or ""
            initial[block.get("block_id")] = value if isinstance(value, str) else ""
    if not initial:
        return None
    return Draft(*(initial.get(name, "") for name in ("title", "date", "time", "place", "link", "description")))


def _submitted(core, body: dict):
    team_id = (body.get("team") or {}).get("id") or (body.get("view") or {}).get("team_id") or ""
    channel_id, event_id, draft = read_form(body.get("view") or {})
    return core.groups.get(team_id, channel_id) if channel_id else None, event_id, draft


def check_event_form(core, _group, body: dict, context, respond, client) -> None:
    """Inline, as the acknowledgement: errors beside the fields, or an empty ack (the form closes)."""
    group, event_id, draft = _submitted(core, body)
    if group is None:
        context.ack(response_action="errors", errors={"title": tp("en", "not_managed")})
        return
    errors = core.events.check(group, (body.get("user") or {}).get("id") or "", draft, event_id)
    if errors:
        context.ack(response_action="errors", errors={name: plain(message)[:150] for name, message in errors.items()})
    else:
        context.ack()


def save_event_form(core, _group, body: dict, context, respond, client) -> None:
    group, event_id, draft = _submitted(core, body)
    if group is None:
        return
    view = body.get("view") or {}
    outcome = core.events.save(group, context["user_id"], draft, form_id=view.get("id") or "", event_id=event_id,
                               shown=shown_in(view) if event_id else None)
    log.info("event form in %s: %s", group.key, outcome)


def _answer(respond, message) -> None:
    respond(text=render(message), response_type="ephemeral", replace_original=False)


def answer(core, group, body: dict, context, respond, client) -> None:
    """Going / Maybe / Can't go: the card updates itself; only a refusal is answered."""
    action = (body.get("actions") or [{}])[0]
    outcome = core.events.rsvp(group, str(action.get("value") or ""), context["user_id"], RSVP_ACTIONS.get(action.get("action_id"), ""))
    refusal = {"started": "events.rsvp.started", "cancelled": "events.rsvp.cancelled", "unknown": "events.rsvp.unknown"}.get(outcome)
    if refusal:
        _answer(respond, t(group.locale, refusal))


def edit(core, group, body: dict, context, respond, client) -> None:
    """The card's Edit: the form, prefilled, for owners; a refusal for anyone else."""
    action = (body.get("actions") or [{}])[0]
    team_id, _, event_id = str(action.get("value") or "").partition(":")
    if team_id != group.team_id:
        _answer(respond, t(group.locale, "events.rsvp.unknown"))
        return
    outcome = core.events.open_form(group, context["user_id"], body.get("trigger_id") or "", event_id)
    if outcome == "not_owner":
        _answer(respond, t(group.locale, "owner_only", owners=people(group.owners)))
    elif outcome in ("unknown", "closed"):
        _answer(respond, t(group.locale, "events.error.unknown" if outcome == "unknown" else "events.error.closed"))


def register(app, interactive) -> None:
    for action_id in RSVP_ACTIONS:
        app.action(action_id)(**interactive(answer))
    app.action(EDIT)(**interactive(edit))
    app.view(FORM)(**interactive(save_event_form, needs_group=False, check=check_event_form))
