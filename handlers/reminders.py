"""The **No more reminders** button on a visit reminder (on the interactive lane).

The button is pressed in the member's direct message with the bot, which is no managed group:
the group comes from the button's value (its key), and only the person pressing opts out.
"""
from __future__ import annotations

from bot.i18n import t
from bot.messages import ChannelRef
from bot.reminders import OPT_OUT

from .mrkdwn import render


def opt_out(core, group, body: dict, context, respond, client) -> None:
    action = (body.get("actions") or [{}])[0]
    team_id, _, channel_id = str(action.get("value") or "").partition(":")
    reminded = core.groups.get(team_id, channel_id) if team_id == context["team_id"] else None
    if reminded is None:
        respond(text=render(t("en", "not_managed")), response_type="ephemeral", replace_original=False)
        return
    core.reminders.set_opted_out(reminded, context["user_id"], True)
    respond(text=render(t(reminded.locale, "reminders.opted_out", group=ChannelRef(reminded.channel_id))),
            response_type="ephemeral", replace_original=False)


def register(app, interactive) -> None:
    app.action(OPT_OUT)(**interactive(opt_out, needs_group=False))
