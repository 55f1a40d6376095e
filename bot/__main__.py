"""`python -m bot` / `steward`: run the bot in the mode its settings choose.

This entry point is the program's composition root: it is the one module of `bot/` allowed to
reach the Slack front door (`handlers.runtime`); the import contract in pyproject.toml says so.
"""
from __future__ import annotations

import logging
import sys

from .settings import SettingsError, load_settings

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

    from handlers.runtime import run  # the Slack front door (see the module docstring)
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
