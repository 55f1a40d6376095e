"""Build the Bolt app from settings, store and clock (no globals, so tests build as many as they like)."""
from __future__ import annotations

from slack_bolt import App

from .clock import Clock
from . import question_commands
from .commands import CommunityCommands
from .services import build_services
from .settings import Settings
from .store import Store


def build_app(settings: Settings, store: Store, clock: Clock, listener_executor=None):
    """The Bolt `App` with every listener registered, and the services it shares with the jobs."""
    # Imported here: handlers/ is the Slack adapter and depends on the core, not the other way.
    import handlers
    from handlers.context import SlackServices
    from handlers.slack_api import SlackGateway, build_web_client

    core = build_services(settings, store, clock)
    client = build_web_client(settings)
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode requests come over an authenticated WebSocket and carry no signature.
        request_verification_enabled=settings.mode == "http",
        process_before_response=False,  # ack at once; listeners run on Bolt's thread pool
        listener_executor=listener_executor,
    )
    gateway = SlackGateway(client)
    commands = CommunityCommands(core, gateway)
    question_commands.install(commands)
    slack = SlackServices(core=core, gateway=gateway, commands=commands)
    handlers.register_all(app, slack)
    return app, slack
