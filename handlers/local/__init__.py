"""Try the bot without Slack: `python -m bot` with no tokens serves a local workspace in the browser.

    browser ──▶ page (web.py: Flask on waitress, 127.0.0.1:PORT)
                  │ every action becomes what Slack would send: a signed event, a slash command,
                  ▼ a block_actions or message_action payload, over HTTP
               the real bot (handlers.runtime.Steward: Bolt app, inbox, core, scheduler, TinyDB)
                  │ its Web API calls
                  ▼
               the Slack emulator (handlers.emulator: the same one the tests and the benchmark use)
                  └─ tells the page what changed (server-sent events)

- `workspace.py`: `LocalWorkspace`, the emulator + the bot + the signed sender on a clock that can
  be moved forward, every action the page offers, and the state kept across restarts;
- `scenario.py`: the cast and the first morning, played through the bot's real paths;
- `render.py`: mrkdwn and Block Kit to HTML, everything escaped;
- `views.py`: modals and the Home as Slack's client handles them (view_submission, view_closed, a
  view's block_actions, Slack's `view.state.values`); `manifest.py`: the message shortcuts declared;
- `web.py`: the page's server and its JSON; `static/`: the page (HTML, CSS, JavaScript, no build).

The data lives in `DATA_DIR/local-workspace` (created at start), apart from a Slack deployment's.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
import webbrowser
from pathlib import Path

from bot.settings import Settings

log = logging.getLogger(__name__)
HOST = "127.0.0.1"  # loopback only: the page can act as anyone in the workspace
FOLDER = "local-workspace"


def start_line(url: str, folder: Path) -> str:
    """The one line printed at start: where the page is, why, and how to connect to Slack instead."""
    return (f"Community Steward local workspace: {url}  (no Slack tokens found; to connect to Slack, set "
            f"SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET in the environment or in ./.env; "
            f"data in {folder}; Ctrl-C stops)")


def run_local(settings: Settings, *, open_browser: bool | None = None) -> int:
    """Serve the local workspace until Ctrl-C (or SIGTERM); the exit status.

    Whatever stops the start (a taken PORT, an unwritable DATA_DIR) is one line and status 2, like a
    bad setting.
    """
    from ..runtime import _cannot_listen  # the same words as HTTP mode for a taken port
    from .web import PageServer, create_app, listen
    from .workspace import LocalWorkspace

    folder = settings.data_dir / FOLDER
    if settings.log_level != "DEBUG":
        # The bot's own front door names its internal port, and waitress notes every closed page:
        # both would only blur the one line that matters here.
        logging.getLogger("handlers.http_server").setLevel(logging.WARNING)
        logging.getLogger("waitress").setLevel(logging.WARNING)
    try:
        listener = listen(HOST, settings.port)  # first, so a second copy stops before touching the data
    except OSError as error:
        return _fail(_cannot_listen(settings.port, error))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        listener.close()
        return _fail(f"DATA_DIR: cannot create {folder} ({error.strerror or error}); point DATA_DIR at a writable directory")

    workspace = LocalWorkspace(folder, settings)
    server = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a container stop: save and close cleanly
    try:
        workspace.start()
        port = listener.getsockname()[1]
        hosts = {f"{HOST}:{port}", f"localhost:{port}"}
        server = PageServer(create_app(workspace, allowed_hosts=hosts), listener).start()
        url = f"http://{HOST}:{port}/"
        print(start_line(url, folder), flush=True)
        if open_browser if open_browser is not None else _can_open_browser():
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        while not server.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        workspace.hub.close()  # ends the pages' streams, so the server's threads are free to stop
        if server is not None:
            server.close()
        else:
            listener.close()
        workspace.close()
    return 0


def _can_open_browser() -> bool:
    """Only someone at a desktop, in a terminal: never in CI, a container or a test."""
    if not sys.stdout.isatty():
        return False
    if sys.platform.startswith(("darwin", "win")):
        return True
    import os
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _fail(line: str) -> int:
    print(f"steward: {line}", file=sys.stderr)
    return 2
