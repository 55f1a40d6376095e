"""Events API listeners: joins and leaves, messages, App Home.

Bolt acknowledges events before these run. Each listener claims the `event_id` first, so a retry
of an event already handled does nothing (Bolt has no dedupe of its own).
"""
from __future__ import annotations

import logging

from bot.formatting import channel_link
from bot.i18n import t
from bot.ports import PlatformError

from .blocks import home_blocks, welcome_blocks
from .context import SlackServices

log = logging.getLogger(__name__)
PLAIN_MESSAGE_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


def register(app, slack: SlackServices) -> None:
    core = slack.core

    @app.event("member_joined_channel")
    def welcome_new_member(event, body):
        team_id = body.get("team_id") or event.get("team")
        group = core.groups.get(team_id, event["channel"])
        if group is None:
            return
        user_id = event["user"]
        try:
            if user_id == slack.gateway.bot_user_id(team_id) or slack.gateway.person(team_id, user_id).is_bot:
                return
        except PlatformError as error:
            log.warning("cannot look up %s (%s); welcoming anyway", user_id, error.code)
        if not core.ledger.claim(body.get("event_id")):
            return
        welcome = core.members.member_joined(group, user_id)
        if welcome is None:
            return
        where = user_id if welcome.deliver_in == "dm" else group.channel_id
        fallback = welcome.text + ("\n" + welcome.introductions_text if welcome.introductions else "")
        slack.gateway.post(team_id, where, fallback, blocks=welcome_blocks(welcome))

    @app.event("member_left_channel")
    def remember_departure(event, body):
        team_id = body.get("team_id") or event.get("team")
        group = core.groups.get(team_id, event["channel"])
        if group is not None and core.ledger.claim(body.get("event_id")):
            core.members.member_left(group, event["user"])

    @app.event("message")
    def follow_conversation(event, body):
        if event.get("subtype") not in PLAIN_MESSAGE_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return
        team_id = body.get("team_id") or event.get("team")
        group = core.groups.get(team_id, event.get("channel", ""))
        if group is None:
            return
        for listener in slack.message_listeners:
            if listener(group, event, body):
                return
        if core.ledger.claim(body.get("event_id"), durable=False):
            is_reply = bool(event.get("thread_ts")) and event.get("thread_ts") != event.get("ts")
            core.members.record_activity(team_id, group.channel_id, event["user"], "replies" if is_reply else "messages")

    @app.event("app_home_opened")
    def show_home(event, body, client):
        if event.get("tab", "home") != "home":
            return
        team_id = body.get("team_id")
        user_id = event["user"]
        owned = [g for g in core.groups.all(team_id) if g.is_owner(user_id)]
        locale = owned[0].locale if owned else "en"
        lines = [t(locale, "home.owned", groups=", ".join(channel_link(g.channel_id) for g in owned)) if owned else t(locale, "home.none"),
                 t(locale, "home.help")]
        view = {"type": "home", "blocks": [b.to_dict() for b in home_blocks(t(locale, "home.title"), lines)]}
        client.views_publish(user_id=user_id, view=view)
