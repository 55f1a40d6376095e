"""The local workspace's web page: a Flask app on waitress, JSON for the page, live updates.

    GET  /                         the page (static/index.html, app.js, app.css: no build step)
    GET  /api/workspace?as=U       clock, people, channels (as U sees them)
    GET  /api/channel/C?as=U       C's messages, with U's ephemeral replies among them
    GET  /api/thread/C/TS?as=U     a thread, the same way
    GET  /api/home?as=U, /api/modal?as=U
    GET  /api/file/F?as=U          a file the app shared with U (the CSV export), as a download
    GET  /api/events               server-sent events: what changed (the page re-reads that part)
    POST /api/post|command|react|edit|press|shortcut|join|leave|people|channels|home|modal|clock|reset
    POST /api/view-press           a button on the Home tab or in a modal
    POST /api/pin|bookmark         pin or unpin a message; add or remove a channel's bookmark

Every POST is an action of `LocalWorkspace` (which turns it into the request Slack would send
the app). The page never sees raw HTML from anyone: messages are rendered here by `render`
(everything escaped), names and labels travel as JSON strings the page sets as text.

Served on loopback only, and two cheap guards keep other web pages out of it: a POST must be
`application/json` (a cross-site form cannot send that without a preflight we never answer), and
the Host header must be the loopback address we serve (no DNS-rebinding visitors).
"""
from __future__ import annotations

import json
import logging
import queue
import re
import socket
import threading
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, Response, abort, jsonify, request, send_from_directory
from waitress import create_server, wasyncore

from . import render
from .manifest import message_shortcuts
from .workspace import STEPS, BOT_USER, Ephemeral, LocalWorkspace, Refused

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
KEEPALIVE_SECONDS = 10.0  # an idle stream says something this often, so a closed tab is noticed
MAX_STREAMS = 12  # each open page holds one worker thread for its stream; the rest are for requests
THREADS = MAX_STREAMS + 8
COLOURS = 8


def create_app(ws: LocalWorkspace, *, allowed_hosts: set[str] | None = None) -> Flask:
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")
    app.json.ensure_ascii = False

    @app.before_request
    def guard():
        if allowed_hosts is not None and request.host.lower() not in allowed_hosts:
            abort(403)
        if request.method == "POST" and not request.is_json:
            abort(415)

    @app.errorhandler(Refused)
    def refused(error: Refused):
        return jsonify(error=str(error)), 400

    @app.after_request
    def no_cache(response):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/")
    def index():
        return send_from_directory(STATIC, "index.html")

    # --- reads ----------------------------------------------------------------------------
    @app.get("/api/workspace")
    def workspace():
        people = ws.people()
        members = [p["id"] for p in people if not p["is_bot"]]
        viewer = request.args.get("as", "")
        if viewer not in members:  # a first visit, or someone a reset forgot: the owner, say
            viewer = ws.scenario.OWNER if ws.scenario.OWNER in members else members[0]
        tz = _tz_of(people, viewer)
        now = ws.now()
        channels = [{"id": c["id"], "name": c["name"], "member": viewer in c["members"],
                     "members": [m for m in c["members"] if m != BOT_USER]} for c in ws.channels()]
        return jsonify(
            viewer=viewer,
            clock={"iso": now.isoformat(timespec="seconds"), "label": _clock_label(now, tz), "tz": tz,
                   "group_tz": ws.group_timezone(), "group_label": _clock_label(now, ws.group_timezone())},
            people=[{"id": p["id"], "name": p["name"], "tz": p["tz"], "note": p["note"], "bot": p["is_bot"],
                     "local_time": now.astimezone(ZoneInfo(p["tz"])).strftime("%H:%M"),
                     "colour": _colour(p["id"])} for p in people],
            channels=channels,
            dm="D" + viewer,
            steps=list(STEPS),
            shortcuts=[{"callback_id": callback, "name": name} for callback, name in message_shortcuts()],
        )

    @app.get("/api/channel/<channel>")
    def channel(channel: str):
        viewer = _viewer(ws)
        shaper = _Shaper(ws, viewer)
        if channel == "D" + viewer:  # the member's messages with the app (read-only, as the manifest says)
            messages = ws.history(channel)
            info = {"id": channel, "name": "steward", "dm": True, "member": True, "members": [viewer]}
        else:
            found = next((c for c in ws.channels() if c["id"] == channel), None)
            if found is None:
                return jsonify(error="no such channel"), 404
            messages = ws.history(channel)
            info = {"id": channel, "name": found["name"], "dm": False, "member": viewer in found["members"],
                    "members": [m for m in found["members"] if m != BOT_USER], **shaper.header(channel)}
        pinned = set(ws.pins(channel)) if not info["dm"] else set()
        items = [{**shaper.message(m, channel), "pinned": m["ts"] in pinned} for m in messages]
        items += [shaper.ephemeral(e) for e in ws.ephemerals(viewer, channel)]
        items.sort(key=lambda item: float(item["ts"]))
        return jsonify(channel=info, items=items)

    @app.get("/api/thread/<channel>/<ts>")
    def thread(channel: str, ts: str):
        viewer = _viewer(ws)
        shaper = _Shaper(ws, viewer)
        if channel.startswith("D") and channel != "D" + viewer:
            return jsonify(error="no such thread"), 404  # someone else's messages with the app
        messages = ws.thread(channel, ts)
        if not messages:
            return jsonify(error="no such thread"), 404
        items = [shaper.message(m, channel) for m in messages]
        items += [shaper.ephemeral(e) for e in ws.ephemerals(viewer, channel, ts)]
        items.sort(key=lambda item: float(item["ts"]))
        return jsonify(channel=channel, ts=ts, items=items)

    @app.get("/api/home")
    def home():
        viewer = _viewer(ws)
        view = ws.home(viewer)
        return jsonify(view=render.view(view, _Shaper(ws, viewer).names) if view else None)

    @app.get("/api/modal")
    def modal():
        viewer = _viewer(ws)
        view = ws.modal(viewer)
        if not view:
            return jsonify(view=None)
        return jsonify(view={**render.view(view, _Shaper(ws, viewer).names), "id": view.get("id"), "depth": ws.modal_depth(viewer)})

    @app.get("/api/file/<file_id>")
    def file(file_id: str):
        found = ws.file(_viewer(ws), file_id)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", str(found.get("name") or "file"))[:100] or "file"
        kind = "text/csv" if name.lower().endswith(".csv") else "text/plain"
        return Response(found["content"], mimetype=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/api/events")
    def events():
        if ws.hub.subscribers() >= MAX_STREAMS:
            return jsonify(error="too many open pages"), 503
        box = ws.hub.subscribe()

        def stream():
            try:
                yield "retry: 1000\n\n"
                while not ws.hub.closed.is_set():
                    try:
                        notice = box.get(timeout=KEEPALIVE_SECONDS)
                    except queue.Empty:
                        yield ": still here\n\n"
                        continue
                    if notice.get("type") == "bye":
                        break
                    yield f"data: {json.dumps(notice)}\n\n"
            finally:
                ws.hub.unsubscribe(box)
        return Response(stream(), mimetype="text/event-stream", headers={"Cache-Control": "no-store"})

    # --- actions ----------------------------------------------------------------------------
    @app.post("/api/post")
    def post():
        body = _body()
        text, channel, thread_ts = _text(body, "text"), _text(body, "channel"), body.get("thread_ts") or None
        if text.lstrip().startswith("/"):
            ws.command(body_user(body), channel, text)  # slash commands are never thread replies on Slack
        else:
            ws.post(body_user(body), channel, text, thread_ts=str(thread_ts) if thread_ts else None)
        return jsonify(ok=True)

    @app.post("/api/react")
    def react():
        body = _body()
        ws.react(body_user(body), _text(body, "channel"), _text(body, "ts"), _text(body, "name"), bool(body.get("on", True)))
        return jsonify(ok=True)

    @app.post("/api/edit")
    def edit():
        body = _body()
        ws.edit(body_user(body), _text(body, "channel"), _text(body, "ts"), _text(body, "text"))
        return jsonify(ok=True)

    @app.post("/api/press")
    def press():
        body = _body()
        ws.press(body_user(body), _text(body, "channel"), _text(body, "ts"), _text(body, "action_id"),
                 str(body.get("value", "")), str(body.get("block_id", "")), ephemeral=bool(body.get("ephemeral")))
        return jsonify(ok=True)

    @app.post("/api/shortcut")
    def shortcut():
        body = _body()
        ws.shortcut(body_user(body), _text(body, "channel"), _text(body, "ts"), _text(body, "callback_id"))
        return jsonify(ok=True)

    @app.post("/api/view-press")
    def view_press():
        body = _body()
        ws.press_view(body_user(body), _text(body, "surface"), _text(body, "action_id"), str(body.get("value", "")),
                      str(body.get("block_id", "")))
        return jsonify(ok=True)

    @app.post("/api/pin")
    def pin():
        body = _body()
        ws.pin(body_user(body), _text(body, "channel"), _text(body, "ts"), bool(body.get("on", True)))
        return jsonify(ok=True)

    @app.post("/api/bookmark")
    def bookmark():
        body = _body()
        user, channel = body_user(body), _text(body, "channel")
        if body.get("remove"):
            ws.remove_bookmark(user, channel, _text(body, "remove"))
            return jsonify(ok=True)
        return jsonify(ok=True, id=ws.add_bookmark(user, channel, _text(body, "title"), _text(body, "link")))

    @app.post("/api/join")
    def join():
        body = _body()
        ws.join(body_user(body), _text(body, "channel"))
        return jsonify(ok=True)

    @app.post("/api/leave")
    def leave():
        body = _body()
        ws.leave(body_user(body), _text(body, "channel"))
        return jsonify(ok=True)

    @app.post("/api/people")
    def add_person():
        body = _body()
        return jsonify(ok=True, id=ws.add_person(_text(body, "name"), _text(body, "tz")))

    @app.post("/api/channels")
    def add_channel():
        body = _body()
        return jsonify(ok=True, id=ws.add_channel(body_user(body), _text(body, "name")))

    @app.post("/api/home")
    def open_home():
        ws.open_home(body_user(_body()))
        return jsonify(ok=True)

    @app.post("/api/modal")
    def submit_modal():
        body = _body()
        if body.get("close"):
            ws.dismiss(body_user(body))
            return jsonify(ok=True)
        values = body.get("values")
        if not isinstance(values, dict):
            raise Refused("values are missing")
        return jsonify(ok=True, errors=ws.submit(body_user(body), values))

    @app.post("/api/clock")
    def clock():
        step = _text(_body(), "step")
        if step not in STEPS:
            raise Refused(f"step is one of {', '.join(STEPS)}")
        ws.advance(STEPS[step])
        return jsonify(ok=True)

    @app.post("/api/reset")
    def reset():
        ws.reset()
        return jsonify(ok=True)

    return app


# --------------------------------------------------------------------------- shaping for the page

class _Shaper:
    """Messages as the page needs them: names, the viewer's local time, HTML from `render`."""

    def __init__(self, ws: LocalWorkspace, viewer: str):
        self.ws = ws
        people = ws.people()
        self.people = {p["id"]: p for p in people}
        self.tz = _tz_of(people, viewer)
        self.viewer = viewer
        self.names = render.Names(people={p["id"]: p["name"] for p in people},
                                  channels={c["id"]: c["name"] for c in ws.channels()}, viewer=viewer)

    def header(self, channel: str) -> dict:
        """A channel's pinned messages (newest pin first) and bookmarks, for its header."""
        pins = []
        for ts in self.ws.pins(channel):
            m = self.ws.slack.message(channel, ts)
            if m is not None:
                author = self.people.get(m.get("user", ""), {})
                pins.append({"ts": ts, "author": author.get("name") or "?", **self._when(ts),
                             "thread_ts": m.get("thread_ts") if m.get("thread_ts") not in (None, ts) else None,
                             "html": render.message(m, self.names)})
        bookmarks = [{"id": b["id"], "title": b["title"], "link": render.safe_url(b["link"]) or ""}
                     for b in self.ws.bookmarks(channel)]
        return {"pins": pins, "bookmarks": bookmarks}

    def _when(self, ts: str) -> dict:
        moment = datetime.fromtimestamp(float(ts), tz=timezone.utc).astimezone(ZoneInfo(self.tz))
        return {"time": moment.strftime("%H:%M"), "day": moment.strftime("%A %d %B")}

    def message(self, m: dict, channel: str) -> dict:
        author = self.people.get(m.get("user", ""), {})
        is_bot = bool(m.get("bot_id")) or author.get("is_bot", False)
        reactions = [{"name": r["name"], "emoji": render.emoji(r["name"]), "count": r["count"],
                      "mine": self.viewer in r["users"],
                      "who": [self.names.people.get(u, u) for u in r["users"]]} for r in m.get("reactions", [])]
        parent = m.get("thread_ts")
        return {
            "ts": m["ts"], "channel": channel, **self._when(m["ts"]),
            "thread_ts": parent if parent and parent != m["ts"] else None,
            "user": m.get("user"), "author": author.get("name") or m.get("user") or "?", "bot": is_bot,
            "colour": _colour(m.get("user") or ""),
            "system": m.get("subtype") in ("channel_join", "channel_leave", "tombstone"),
            "html": render.message(m, self.names),
            "edited": bool(m.get("edited")) and not is_bot,
            "mine": m.get("user") == self.viewer and not is_bot and not m.get("subtype"),
            "edit_text": render.editable(str(m.get("text", "")), self.names) if m.get("user") == self.viewer else None,
            "reactions": reactions,
            "reply_count": m.get("reply_count", 0) if parent == m["ts"] else 0,
            "reply_names": [self.names.people.get(u, u) for u in m.get("reply_users", [])][:5],
            "permalink": self.ws.permalink(channel, m["ts"]),
        }

    def ephemeral(self, e: Ephemeral) -> dict:
        html = render.blocks(e.blocks, self.names) if e.blocks else f'<div class="bk-text">{render.mrkdwn(e.text, self.names)}</div>'
        return {"ts": e.ts, "channel": e.channel, **self._when(e.ts), "thread_ts": e.thread_ts, "ephemeral": True,
                "user": BOT_USER, "author": "steward", "bot": True, "colour": _colour(BOT_USER), "system": False,
                "html": html, "command": e.command, "edited": False, "mine": False, "reactions": [],
                "reply_count": 0, "reply_names": []}


def _viewer(ws: LocalWorkspace) -> str:
    viewer = request.args.get("as", "")
    if not any(p["id"] == viewer and not p["is_bot"] for p in ws.people()):
        raise Refused("no such member")
    return viewer


def _tz_of(people: list[dict], user: str) -> str:
    return next((p["tz"] for p in people if p["id"] == user), "UTC")


def _clock_label(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%a %d %b %Y, %H:%M")


def _colour(user_id: str) -> int:
    return sum(user_id.encode()) % COLOURS


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused("a JSON object is expected")
    return body


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise Refused(f"{name} is missing")
    return value


def body_user(body: dict) -> str:
    return _text(body, "as")


# ------------------------------------------------------------------------------------ the server

class PageServer:
    """waitress serving the page on a socket bound beforehand (so a taken PORT fails first)."""

    def __init__(self, app: Flask, listener: socket.socket, threads: int = THREADS):
        self._server = create_server(app, map={}, sockets=[listener], threads=threads, ident="community-steward-local",
                                     clear_untrusted_proxy_headers=True, asyncore_use_poll=True)
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        self.port: int = listener.getsockname()[1]
        self._thread: threading.Thread | None = None
        self._done = threading.Event()

    def start(self) -> "PageServer":
        def serve() -> None:
            try:
                self._server.run()
            finally:
                self._done.set()
        self._thread = threading.Thread(target=serve, name="page", daemon=True)
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def close(self, timeout: float = 3.0) -> None:
        """Let running requests finish (streams end when the hub closes), then close the sockets."""
        self._server.task_dispatcher.shutdown(timeout=timeout)
        if self._thread is not None and self._thread.is_alive():
            try:  # the socket map belongs to the loop's thread: close everything from there
                self._server.trigger.pull_trigger(lambda: wasyncore.close_all(self._server._map, ignore_all=True))
                if self._done.wait(timeout):
                    return
            except OSError:  # the loop's wake-up pipe is already gone: nothing will run the thunk
                pass
        wasyncore.close_all(self._server._map, ignore_all=True)


def listen(host: str, port: int) -> socket.socket:
    """The page's listening socket; OSError (EADDRINUSE…) here, before anything else starts."""
    return socket.create_server((host, port), backlog=128)
