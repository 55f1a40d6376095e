"""Views (modals and the Home tab) as Slack's client handles them: what the local workspace needs to
send `view_submission`, `view_closed` and a view's `block_actions` exactly as Slack does.

Pure functions over the view the app sent (views.open / push / update / publish, as the emulator
echoed it):

- `with_ids`: Slack gives every block and input element an id when the app leaves it out; so do we,
  so the submitted state can name them.
- `state_values`: what the page typed or picked, `{block_id: {action_id: str | [str] | None}}`, as
  Slack's `view.state.values` (each element's own shape: `value`, `selected_date`, `selected_time`,
  `selected_option` with the option as the view declared it, `selected_options`), and the checks
  Slack's client makes before sending anything (a required field left empty, a length out of
  bounds, a value not offered), worded the way they are shown: beside the field.
- `payload_view`: the `view` object of an interaction payload (Slack sends the whole view back,
  with its state, hash and ids).
- `button`: the button an action names, if the view has it (a forged press finds none).

Sources: docs.slack.dev, reference/interaction-payloads/view-interactions-payload and
block-actions-payload, surfaces/modals (the view stack), and each element's reference page.
"""
from __future__ import annotations

import copy
import re
from typing import Any

TEXT_INPUTS = ("plain_text_input", "email_text_input", "url_text_input", "number_input")
ONE_OPTION = ("static_select", "radio_buttons")
MANY_OPTIONS = ("checkboxes", "multi_static_select")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")
REQUIRED = "Please complete this required field."


def with_ids(view: dict) -> dict:
    """A copy of `view` whose blocks and input elements all have ids (Slack fills in missing ones)."""
    view = copy.deepcopy(view)
    for index, block in enumerate(view.get("blocks") or []):
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", f"b{index}")
        element = block.get("element")
        if block.get("type") == "input" and isinstance(element, dict):
            element.setdefault("action_id", f"a{index}")
    return view


def inputs(view: dict) -> list[tuple[dict, dict]]:
    """(input block, its element) of every input block."""
    found = []
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input" and isinstance(block.get("element"), dict):
            found.append((block, block["element"]))
    return found


def _options(element: dict) -> list[dict]:
    options = element.get("options")
    if not isinstance(options, list):  # a select may group its options
        options = [o for group in element.get("option_groups") or [] for o in (group.get("options") or [])]
    return [o for o in options if isinstance(o, dict)]


def _option(option: dict) -> dict:
    """An option as Slack sends it back in a selection: its text, value and description."""
    return {key: copy.deepcopy(option[key]) for key in ("text", "value", "description") if key in option}


def state_values(view: dict, raw: Any) -> tuple[dict, dict]:
    """(view.state.values, errors by block_id) for what the page sent. Nothing is sent to the
    app while there are errors, as Slack's client does."""
    raw = raw if isinstance(raw, dict) else {}
    values: dict = {}
    errors: dict = {}
    for block, element in inputs(view):
        block_id, action_id, kind = block["block_id"], element["action_id"], element.get("type")
        given = (raw.get(block_id) or {}).get(action_id) if isinstance(raw.get(block_id), dict) else None
        state, problem = _one(element, kind, given)
        if problem is None and not block.get("optional") and _empty(state):
            problem = REQUIRED
        if problem:
            errors[block_id] = problem
        values.setdefault(block_id, {})[action_id] = state
    return values, errors


def _empty(state: dict) -> bool:
    return not any(state.get(key) for key in ("value", "selected_date", "selected_time", "selected_option", "selected_options"))


def _one(element: dict, kind: Any, given: Any) -> tuple[dict, str | None]:
    """One element's state as Slack sends it, and what its client would say about the value."""
    text = given.strip() if isinstance(given, str) and kind != "plain_text_input" else given
    text = text if isinstance(text, str) and text != "" else None
    if kind in TEXT_INPUTS:
        if kind == "number_input" and text is not None:
            try:
                number = float(text) if element.get("is_decimal_allowed") else int(text)
            except ValueError:
                return {"type": kind, "value": text}, "Enter a number." if element.get("is_decimal_allowed") else "Enter a whole number."
            low, high = element.get("min_value"), element.get("max_value")
            if (low is not None and number < float(low)) or (high is not None and number > float(high)):
                return {"type": kind, "value": text}, f"Enter a number between {low if low is not None else '…'} and {high if high is not None else '…'}."
        if text is not None and kind == "plain_text_input":
            most, least = element.get("max_length"), element.get("min_length")
            if isinstance(most, int) and len(text) > most:
                return {"type": kind, "value": text}, f"Must be {most} characters or fewer (now {len(text)})."
            if isinstance(least, int) and len(text) < least:
                return {"type": kind, "value": text}, f"Must be at least {least} characters."
        if kind == "url_text_input" and text is not None and not re.match(r"^https?://\S+$", text, re.IGNORECASE):
            return {"type": kind, "value": text}, "Enter a link that starts with http:// or https://."
        if kind == "email_text_input" and text is not None and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", text):
            return {"type": kind, "value": text}, "Enter an email address."
        return {"type": kind, "value": text}, None
    if kind == "datepicker":
        if text is not None and not _DATE.match(text):
            return {"type": kind, "selected_date": None}, "Pick a date."
        return {"type": kind, "selected_date": text}, None
    if kind == "timepicker":
        if text is not None and not _TIME.match(text):
            return {"type": kind, "selected_time": None}, "Pick a time."
        return {"type": kind, "selected_time": text}, None
    if kind in ONE_OPTION:
        chosen = next((o for o in _options(element) if text is not None and str(o.get("value")) == text), None)
        if text is not None and chosen is None:
            return {"type": kind, "selected_option": None}, "Pick one of the options."
        return {"type": kind, "selected_option": _option(chosen) if chosen else None}, None
    if kind in MANY_OPTIONS:
        wanted = [str(v) for v in given] if isinstance(given, list) else []
        offered = {str(o.get("value")): o for o in _options(element)}
        if any(v not in offered for v in wanted):
            return {"type": kind, "selected_options": []}, "Pick among the options."
        return {"type": kind, "selected_options": [_option(offered[v]) for v in offered if v in wanted]}, None
    return {"type": str(kind)}, None  # an element the page does not draw: sent as Slack would, empty


def payload_view(view: dict, values: dict, *, team_id: str, app_id: str, bot_id: str, root_id: str | None = None,
                 previous_id: str | None = None) -> dict:
    """The `view` of an interaction payload: the view as shown, with its state and Slack's fields."""
    shown = {key: copy.deepcopy(value) for key, value in view.items() if key not in ("state",)}
    shown.update({
        "id": view.get("id"), "team_id": view.get("team_id") or team_id, "type": view.get("type") or "modal",
        "blocks": copy.deepcopy(view.get("blocks") or []), "private_metadata": view.get("private_metadata") or "",
        "callback_id": view.get("callback_id") or "", "state": {"values": values}, "hash": view.get("hash") or "",
        "clear_on_close": bool(view.get("clear_on_close")), "notify_on_close": bool(view.get("notify_on_close")),
        "external_id": view.get("external_id") or "", "app_id": app_id, "app_installed_team_id": team_id,
        "bot_id": bot_id, "root_view_id": root_id or view.get("id"), "previous_view_id": previous_id,
    })
    return shown


def button(view: dict, action_id: str, value: str, block_id: str = "") -> tuple[str, dict] | None:
    """(its block's id, the button) pressed on `view` (action id, value, and block when given), if
    it is there."""
    for block in view.get("blocks") or []:
        if not isinstance(block, dict) or (block_id and block.get("block_id") != block_id):
            continue
        elements = list(block.get("elements") or []) + ([block["accessory"]] if isinstance(block.get("accessory"), dict) else [])
        for element in elements:
            if isinstance(element, dict) and element.get("type") == "button" and element.get("action_id") == action_id \
                    and str(element.get("value", "")) == str(value):
                return str(block.get("block_id") or ""), element
    return None
