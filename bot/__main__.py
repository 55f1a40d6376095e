"""`python -m bot` / `steward`: run the bot in the mode its settings choose.

This entry point is the program's composition root: it is the one module of `bot/` allowed to
reach the Slack adapter (`handlers.runtime` for Slack, `handlers.local` for the local workspace
without Slack); the import contract in pyproject.toml says so.
"""
from __future__ import annotations

import logging
import sys

from .settings import SettingsError, load_settings


def main(argv: list[str] | None = None) -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"steward: configuration error: {error.variable} {error.problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.mode == "local":
        # No Slack tokens: the same bot against the built-in Slack emulator, in the browser.
        from handlers.local import run_local
        return run_local(settings)

    from handlers.runtime import run  # the Slack front door (see the module docstring)
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
