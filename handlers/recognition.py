"""The **Don't name me** button on the weekly recognition post (on the interactive lane)."""
from __future__ import annotations

from bot.i18n import t
from bot.recognition import OPT_OUT

from .mrkdwn import render


def opt_out(core, group, body: dict, context, respond, client) -> None:
    core.recognition.set_opted_out(context["team_id"], context["user_id"], True)
    respond(text=render(t(group.locale, "recognition.opted_out")), response_type="ephemeral", replace_original=False)


def register(app, interactive) -> None:
    app.action(OPT_OUT)(**interactive(opt_out))
