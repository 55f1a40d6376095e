"""The Bolt app: how Slack requests reach the core.

Bolt settings, chosen deliberately:
- `process_before_response=True`: the HTTP answer (or the Socket Mode ack) is sent only after the
  listener returns. Event listeners do nothing but journal the event (`handlers.inbox`), so Slack's
  200 means "on disk" and never waits for the work itself, which runs on the inbox's lanes.
- Interactive requests (the command, buttons, shortcuts, the App Home) use Bolt's lazy listeners:
  `ack` is called inline at once, the work runs on `listener_executor`, which is their own lane (no
  event ever runs there), so they are acknowledged within Slack's 3 s whatever the event backlog.
- `client`: one WebClient built for `SLACK_API_URL`, so Bolt's own calls (auth.test,
  `respond`, `client.views_publish`) go where the bot's do.
"""
from __future__ import annotations

import logging
from concurrent.futures import Executor

from slack_bolt import App
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient

from bot.assembly import Core
from bot.i18n import t
from bot.inbox import Inbox
from bot.ports import PlatformError
from bot.settings import Settings

from . import commands, digest, home, questions, recognition, reminders
# Each duty of the owner toolkit imports its module here:
# approval
from . import approval

# moderation
from . import moderation

# content
from . import content

# events
from . import events

# report
from . import report

# audience
from . import audience

from .inbox import accept_event, subscribed_types
from .mrkdwn import render

log = logging.getLogger(__name__)


class _ClientGivenFilter(logging.Filter):
    """Bolt warns that `SLACK_BOT_TOKEN` in the environment is unused when a client is given; the
    client carries that very token (and the API URL), so the warning is only noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "token` will be unused" not in record.getMessage()


def build_slack_app(settings: Settings, core: Core, inbox: Inbox, client: WebClient, interactive_lane: Executor) -> App:
    logging.getLogger("slack_bolt.App").addFilter(_ClientGivenFilter())
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode requests come over an authenticated WebSocket and carry no signature.
        request_verification_enabled=settings.mode == "http",
        process_before_response=True,
        listener_executor=interactive_lane,
        raise_error_for_unhandled_request=True,  # handled below: quietly, not as a warning
    )

    @app.error
    def answer_errors(error, body, response):
        """An event of a shape we do not use (`event: null`, no type) has nothing to keep: 200,
        so Slack does not retry it. Any other error (the journal could not write) keeps Bolt's 500,
        so Slack delivers the event again later."""
        if isinstance(error, BoltUnhandledRequestError):
            if isinstance(body, dict) and body.get("type") == "event_callback":
                response.status, response.body = 200, ""
            log.debug("unhandled request: %s", body.get("type") if isinstance(body, dict) else "?")
        else:
            log.error("request failed: %s", error, exc_info=error)

    register_listeners(app, core, inbox)
    return app


def register_listeners(app, core: Core, inbox: Inbox) -> None:
    """Every listener: the event types the inbox journals, then each duty's interactive ones."""
    def interactive(listener, needs_group: bool = True, check=None) -> dict:
        """Bolt's ack and lazy listeners for `listener`; a form's `check` runs before the ack."""
        lazy = [_on_interactive_lane(core, listener, needs_group)]
        if check is None:
            return {"ack": _ack_now, "lazy": lazy}
        return {"ack": _checked_ack(_on_interactive_lane(core, check, needs_group)), "lazy": lazy}

    for event_type in subscribed_types():
        app.event(event_type)(journal_into(inbox))
    duties = (
        commands,
        questions,
        home,
        # recognition
        recognition,
        # reminders
        reminders,
        # owner digest
        digest,
        # prompts
        # approval
        approval,

        # moderation
        moderation,

        # content
        content,

        # events
        events,

        # report
        report,

        # audience
        audience,
        # home dashboard

    )
    for duty in duties:
        duty.register(app, interactive)


def journal_into(inbox: Inbox):
    def journal_event(body, context):
        accept_event(body, context, inbox)
    return journal_event


def _ack_now(ack) -> None:
    ack()


def _checked_ack(check):
    """A submitted form's ack: `check` (core-bound, run inline) acks itself, with the form's errors
    beside its fields or empty (the form closes)."""
    def ack_form(ack, body, context, respond, client):
        check(body, context, respond, client)
        if ack.response is None:  # the check failed unexpectedly (logged): close the form rather than hang it
            ack()
    return ack_form


def _on_interactive_lane(core: Core, listener, needs_group: bool):
    """The lazy part of every interactive listener, in one place: the managed group of the
    request's channel (None: not managed), the group check, and a clear answer on failure. The
    group is looked up here, after the ack, so neither an ack nor an event pays for it (a Bolt
    middleware would run, and cost, on every request)."""
    def run(body, context, respond, client):
        group = None
        try:
            if context.get("channel_id") and context.get("team_id"):
                group = core.groups.get(context["team_id"], context["channel_id"])
            if needs_group and group is None:
                respond(text=render(t("en", "not_managed")), response_type="ephemeral")
                return
            listener(core, group, body, context, respond, client)
        except PlatformError as error:  # Slack refused a lookup: say so, nothing was changed
            log.warning("%s: Slack answered %s", listener.__name__, error.code)
            if context.get("response_url"):
                respond(text=render(t(group.locale if group else "en", "slack_error", error=error.code)), response_type="ephemeral")
        except Exception:
            log.exception("%s failed", listener.__name__)
            if context.get("response_url"):
                respond(text=render(t(group.locale if group else "en", "internal_error")), response_type="ephemeral")
    run.__name__ = listener.__name__  # Bolt tells lazy functions apart by name
    return run
