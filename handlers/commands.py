"""`/community`: acknowledged at once, then run by the neutral interpreter on the interactive lane
and answered privately (`respond`, the command's response_url)."""
from __future__ import annotations

from bot.commands import Invocation
from bot.messages import Message

from .blocks import message_blocks
from .mrkdwn import channels_in, render, to_plain


def community(core, group, body: dict, context, respond, client) -> None:
    text, mentions = to_plain(body.get("text") or "")
    call = Invocation(context["team_id"] or "", context["channel_id"] or "", context["user_id"] or "", text, mentions,
                      id=body.get("trigger_id") or "", channels=channels_in(body.get("text") or ""))
    reply = core.commands.run(call)
    if reply.buttons:  # an answer with buttons (the group directory) goes as blocks, its text as the fallback
        blocks = [block.to_dict() for block in message_blocks(Message.of(reply.text, buttons=reply.buttons))]
        respond(text=render(reply.text), blocks=blocks, response_type="ephemeral")
        return
    respond(text=render(reply.text), response_type="ephemeral")


def register(app, interactive) -> None:
    app.command("/community")(**interactive(community, needs_group=False))
