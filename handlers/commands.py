"""`/community`: acknowledged at once, then run by the neutral interpreter on the interactive lane
and answered privately (`respond`, the command's response_url)."""
from __future__ import annotations

from bot.commands import Invocation

from .mrkdwn import render, to_plain


def community(core, group, body: dict, context, respond, client) -> None:
    text, mentions = to_plain(body.get("text") or "")
    call = Invocation(context["team_id"] or "", context["channel_id"] or "", context["user_id"] or "", text, mentions,
                      id=body.get("trigger_id") or "")
    reply = core.commands.run(call)
    respond(text=render(reply.text), response_type="ephemeral")


def register(app, interactive) -> None:
    app.command("/community")(**interactive(community, needs_group=False))
