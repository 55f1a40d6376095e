"""The App Home tab on Slack: rendered from the core's home view, published on open."""
from __future__ import annotations

from .blocks import home_view


def publish_home(core, group, body: dict, context, respond, client) -> None:
    event = body.get("event") or {}
    if event.get("tab", "home") != "home" or not isinstance(event.get("user"), str):
        return
    view = core.home.view_for(context.get("team_id") or "", event["user"])
    client.views_publish(user_id=event["user"], view=home_view(view))


def register(app, interactive) -> None:
    app.event("app_home_opened")(**interactive(publish_home, needs_group=False))
