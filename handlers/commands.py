"""`/community`: ack first, then run the platform-neutral interpreter and answer ephemerally."""
from __future__ import annotations

import logging

from bot.commands import Invocation
from bot.i18n import t
from bot.ports import PlatformError
from bot.safety import defuse_broadcasts

from .context import SlackServices

log = logging.getLogger(__name__)


def register(app, slack: SlackServices) -> None:
    @app.command("/community")
    def community(ack, command, respond):
        ack()
        call = Invocation(command["team_id"], command["channel_id"], command["user_id"], command.get("text") or "")
        try:
            reply = slack.commands.run(call)
            if reply.post is not None:
                ts = slack.gateway.post(call.team_id, call.channel_id, defuse_broadcasts(reply.post.text))
                if reply.after_post is not None:
                    reply.text = reply.after_post(ts) or reply.text
        except PlatformError as error:
            log.warning("/community %s failed: %s", call.text.split(" ")[0], error.code)
            respond(text=t("en", "slack_error", error=error.code), response_type="ephemeral")
            return
        except Exception:
            log.exception("/community %s failed", call.text.split(" ")[0])
            respond(text=t("en", "internal_error"), response_type="ephemeral")
            return
        respond(text=reply.text, response_type="ephemeral")
