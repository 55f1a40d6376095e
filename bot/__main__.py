"""`python -m bot` / `steward`: run the bot in the mode its settings choose.

This entry point is the program's composition root: it is the one module of `bot/` allowed to
reach the Slack front door (`handlers.runtime`); the import contract in pyproject.toml says so.
"""
from __future__ import annotations

import logging
import signal
import sys

from .settings import SettingsError, load_settings
from .store import StoreError

NO_SLACK_MESSAGE = """\
Community Steward: no Slack settings were found, so it is not connected to any Slack workspace.
(The local workspace in the browser, which needs no Slack, is coming in a later release.)
To connect to Slack, create the app from manifest.yml (see README.md) and set, in the environment or in
a file named .env in the directory you run the bot from:
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

    from handlers.runtime import Steward
    try:
        steward = Steward(settings)
    except StoreError as error:
        print(f"steward: data error: {error} (DATA_DIR={settings.data_dir})", file=sys.stderr)
        return 2
    except (SlackApiError, BoltError) as error:
        print(f"steward: Slack refused the bot token ({error}): check SLACK_BOT_TOKEN and SLACK_API_URL", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"steward: cannot reach Slack at {settings.api_url} ({error}); check SLACK_API_URL and the network", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # container stop: close the store cleanly
    try:
        steward.start()
        if settings.mode == "socket":
            logging.getLogger("steward").info("Socket Mode: connecting to Slack")
            steward.run_socket_mode()
        else:
            logging.getLogger("steward").info("HTTP mode on port %s, path /slack/events", settings.port)
            steward.serve_http()
    except KeyboardInterrupt:
        pass
    finally:
        steward.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
