"""`python -m bot` / `steward`: run the bot in the mode its settings choose."""
from __future__ import annotations

import errno
import logging
import signal
import sys

from .settings import SettingsError, load_settings
from .store import StoreError

NO_SLACK_MESSAGE = """\
Community Steward: no Slack settings were found, so it is not connected to any Slack workspace.
(The local workspace in the browser, which needs no Slack, is coming in a later release.)
To connect to Slack, create the app from manifest.yml (see README.md) and set, in the environment or in .env:
  SLACK_BOT_TOKEN=xoxb-...      and either
  SLACK_APP_TOKEN=xapp-...      (Socket Mode, no public URL needed)
  SLACK_SIGNING_SECRET=...      (HTTP mode on PORT, default 3000, path /slack/events)
"""


def main(argv: list[str] | None = None) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"steward: configuration error: {error.variable} {error.problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.mode == "local":
        print(NO_SLACK_MESSAGE)
        return 0

    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from .runtime import Steward
    try:
        steward = Steward(settings)
    except StoreError as error:
        print(f"steward: data error: {error} (DATA_DIR={settings.data_dir})", file=sys.stderr)
        return 2
    except (SlackApiError, BoltError) as error:
        # Bolt checks the token with auth.test while it builds the app and turns Slack's refusal
        # into a BoltError; any other BoltError is a bug and keeps its traceback.
        refusal = error if isinstance(error, SlackApiError) else error.__context__
        if not isinstance(refusal, SlackApiError):
            raise
        code = refusal.response.get("error") if refusal.response is not None else refusal
        print(f"steward: Slack refused the bot token ({code}): check SLACK_BOT_TOKEN and SLACK_API_URL", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"steward: cannot reach Slack at {settings.api_url} ({error}); check SLACK_API_URL and the network", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # container stop: close the store cleanly
    try:
        if settings.mode == "http":
            # Take the port before the scheduler starts working against Slack, so a second
            # copy started by mistake stops here instead of running sweeps first.
            try:
                server = steward.serve_http(block=False)
            except OSError as error:
                print(f"steward: {_cannot_listen(settings.port, error)}", file=sys.stderr)
                return 2
        steward.start_scheduler()
        if settings.mode == "socket":
            logging.getLogger("steward").info("Socket Mode: connecting to Slack")
            steward.run_socket_mode()
        else:
            server.wait()  # the server logged where it listens
    except KeyboardInterrupt:
        pass
    finally:
        steward.close()
    return 0


def _cannot_listen(port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"PORT {port} is already in use (another copy of the bot?); stop that process or set PORT to a free port"
    if error.errno == errno.EACCES:
        return f"PORT {port} needs privileges this process lacks; set PORT to 1024 or above"
    return f"cannot listen on PORT {port} ({error.strerror or error}); set PORT to a free port"


if __name__ == "__main__":
    sys.exit(main())
