"""The local workspace: the real bot, the Slack emulator playing Slack, and what people do there.

    page (web.py) ──▶ LocalWorkspace.post/command/press/… ──▶ SlackSender ──HTTP, signed──▶ /slack/events
                                                                                    (the real Bolt app, Steward)
    Steward's Web API calls ──HTTP──▶ SlackEmulator (keeps the workspace) ──subscribe──▶ Hub ──SSE──▶ page

Everything a visitor does is what a Slack client and Slack would do together: the message is stored
in the emulator (Slack keeps it) and delivered to the app as a signed Events API request; a
`/community` command, a button or a message shortcut is a signed slash command or interactivity
payload whose `response_url` and `trigger_id` the workspace remembers, so the ephemeral answer or the
modal is shown to the member who acted and to nobody else; a form submitted, a Home button or a
pin is what Slack sends for it too (`view_submission`, `block_actions` with the view, `pin_added`). The bot is the same `Steward` as with
Slack (same listeners, core, scheduler and TinyDB store), in HTTP mode on a loopback port of its own,
with its data in its own folder.

Time: an `OffsetClock` (real time that can be moved forward). `advance` moves it in steps of at
most `STEP` and, after each step, runs every sweep once and lets the delivery worker post what they
queued, so a week passes in a few seconds with each post at its time (a question's ping on Monday
morning, the weekly thanks on Friday afternoon), and nothing due between two steps is skipped. The
scheduler also ticks every `TICK_SECONDS` on its own, for what falls due as real time passes.

State: the emulator's workspace (people, channels, messages) and the clock's offset are saved in
`workspace.json` next to the bot's files, so a restart carries on where it was; `reset` wipes the
folder and plays the scenario again. With `STORE_BACKEND=memory` nothing is kept, so every start
is a fresh one.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import queue
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.clock import Clock, OffsetClock, SystemClock
from bot.settings import Settings
from bot.store import StoreError

from ..emulator import (
    Call,
    SlackEmulator,
    SlackSender,
    app_home_opened_event,
    new_ts,
    decode_json_arg,
    member_joined_event,
    member_left_event,
    message_changed_event,
    message_event,
    reaction_added_event,
    reaction_removed_event,
)
from ..runtime import Steward
from . import views
from .manifest import message_shortcuts

log = logging.getLogger(__name__)

TEAM = "T1"
BOT_USER = "UBOT"
COMMAND = "/community"
STATE_FILE = "workspace.json"
STATE_VERSION = 1
STEP = timedelta(hours=1)  # the clock control's resolution: a ladder step fires at most this late
TICK_SECONDS = 1.0  # the scheduler's own tick here: what real time makes due is seen within a second
SAVE_EVERY_SECONDS = 2.0
MAX_TEXT = 4000  # what the page may post at once (Slack's limit is 40,000; this is a demo)
KEEP_EPHEMERALS = 50  # per member, like a client that forgets them on reload anyway
KEEP_CALLS = 2000  # the emulator's memory of recent calls (it is never asked for old ones here)
STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
_CHANNEL_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")


class Refused(ValueError):
    """What a visitor asked cannot be done (as Slack would refuse it); the message says why."""


@dataclass(frozen=True)
class Ephemeral:
    """A reply only `user` sees: a `/community` answer, or a button's or shortcut's."""
    user: str
    channel: str
    ts: str  # on the workspace clock, so it sorts among the channel's messages
    text: str
    blocks: list | None = None
    thread_ts: str | None = None
    command: str | None = None  # the command it answers, shown with it


@dataclass(frozen=True)
class _Asker:
    """Who a response_url or a trigger_id belongs to: where their ephemeral or modal shows."""
    user: str
    channel: str
    thread_ts: str | None = None
    command: str | None = None
    ephemeral_ts: str | None = None  # a button on this ephemeral: the answer may replace or delete it


class Hub:
    """Change notices for the page's live updates: each subscriber (an SSE stream) has a queue."""

    def __init__(self, max_backlog: int = 500):
        self._subscribers: set[queue.Queue] = set()
        self._lock = threading.Lock()
        self._max_backlog = max_backlog
        self.closed = threading.Event()

    def subscribe(self) -> queue.Queue:
        box: queue.Queue = queue.Queue(self._max_backlog)
        with self._lock:
            self._subscribers.add(box)
        return box

    def unsubscribe(self, box: queue.Queue) -> None:
        with self._lock:
            self._subscribers.discard(box)

    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def publish(self, notice: dict) -> None:
        with self._lock:
            boxes = list(self._subscribers)
        for box in boxes:
            try:
                box.put_nowait(notice)
            except queue.Full:  # a stalled page: it reloads everything on its next notice anyway
                pass

    def close(self) -> None:
        """Tell every stream to end (the server is stopping)."""
        self.closed.set()
        self.publish({"type": "bye"})


@dataclass
class _World:
    """One run of the workspace: what `reset` throws away and builds again."""
    clock: OffsetClock
    slack: SlackEmulator
    steward: Steward
    sender: SlackSender
    notes: dict[str, str] = field(default_factory=dict)  # user id -> who they are in the scenario
    ephemerals: list[Ephemeral] = field(default_factory=list)
    homes: dict[str, dict] = field(default_factory=dict)  # user id -> the view views.publish gave
    # user id -> the modal's view stack (views.open, then views.push; Slack keeps at most 3), and
    # who opened it where (a shortcut's channel: where a push or a later trigger belongs)
    modals: dict[str, list[dict]] = field(default_factory=dict)
    modal_askers: dict[str, _Asker] = field(default_factory=dict)
    askers: dict[str, _Asker] = field(default_factory=dict)  # response_url path or trigger_id -> who
    unsubscribe: Callable[[], None] = lambda: None
    unsubscribe_events: Callable[[], None] = lambda: None


class LocalWorkspace:
    """The bot and a played Slack, and every action the page offers. Thread-safe."""

    def __init__(self, folder: Path, base: Settings, *, scenario=None, wall: Clock | None = None):
        from . import scenario as default_scenario
        self.folder = Path(folder)
        self.base = base
        self.scenario = scenario or default_scenario
        self.wall = wall or SystemClock()
        self.hub = Hub()
        self.keeps_state = base.store_backend == "tinydb"  # memory: the bot forgets, so do we
        self._world: _World | None = None
        self._lock = threading.RLock()  # actions, the clock control and reset take turns
        self._state_lock = threading.Lock()  # the world's page-side lists (hooks run on emulator threads)
        self._dirty = threading.Event()
        self._closing = threading.Event()
        self._saver: threading.Thread | None = None

    # ----------------------------------------------------------------------------- lifecycle
    def start(self) -> "LocalWorkspace":
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not self.keeps_state:
                self._wipe()  # the bot's inbox journal is on disk whatever the store: start it empty too
            state = self._read_state() if self.keeps_state else None
            try:
                self._world = self._build(state)
            except (StoreError, ValueError, KeyError, TypeError) as error:
                if state is None:
                    raise
                log.warning("the local workspace in %s could not be read (%s); starting it over", self.folder, error)
                self._wipe()
                state = None
                self._world = self._build(None)
            if state is None:
                with _quiet():
                    self.scenario.play(self)
                    self.settle()
                with self._state_lock:
                    self._world.ephemerals.clear()  # the set-up's own command answers are not news
            self._save()
        if self.keeps_state and self._saver is None:
            self._saver = threading.Thread(target=self._save_loop, name="local-save", daemon=True)
            self._saver.start()
        return self

    def close(self) -> None:
        self._closing.set()
        with self._lock:
            if self._world is not None:
                # Stopped first, so what the bot posted while stopping is in what is saved.
                self._tear_down(self._world)
                self._save()
                self._world = None
        if self._saver is not None:
            self._saver.join(timeout=SAVE_EVERY_SECONDS + 1)

    def reset(self) -> None:
        """Throw the workspace away (the bot's data included) and play the scenario again."""
        self.hub.publish({"type": "resetting"})  # pages stop reading until "reset": people may be gone
        with self._lock:
            if self._world is not None:
                self._tear_down(self._world)
                self._world = None
            self._wipe()
            self._world = self._build(None)
            with _quiet():
                self.scenario.play(self)
                self.settle()
            with self._state_lock:
                self._world.ephemerals.clear()
            self._save()
        self.hub.publish({"type": "reset"})

    def _build(self, state: dict | None) -> _World:
        """Emulator, then the bot pointed at it, then the sender pointed at the bot."""
        if state is None:
            clock = OffsetClock.starting_at(self.scenario.start_time(self.wall.now()), source=self.wall)
        else:
            clock = OffsetClock(timedelta(seconds=float(state["clock_offset_seconds"])), source=self.wall)
        slack = SlackEmulator(team_id=TEAM, bot_user_id=BOT_USER, clock=clock, keep_calls=KEEP_CALLS).start()
        try:
            if state is None:
                self.scenario.cast(slack)
                notes = dict(self.scenario.NOTES)
            else:
                slack.load_state(state["slack"])
                _load_extras(slack, state.get("extras") or {})
                notes = dict(state.get("notes", {}))
            secret = secrets.token_hex(16)  # per run: only this process signs and checks
            settings = replace(self.base, mode="http", bot_token="xoxb-local-workspace", app_token=None,
                               signing_secret=secret, api_url=slack.url, port=0,
                               data_dir=self.folder, scheduler_tick_seconds=min(self.base.scheduler_tick_seconds, TICK_SECONDS))
            steward = Steward(settings, clock=clock)
        except BaseException:
            slack.stop()
            raise
        try:
            steward.start()
            server = steward.serve_http(host="127.0.0.1", port=0, block=False)
        except BaseException:
            steward.close()
            slack.stop()
            raise
        sender = SlackSender(f"http://127.0.0.1:{server.port}/slack/events", secret, team_id=TEAM,
                             bot_user_id=BOT_USER, response_url_base=slack.hooks_url)
        world = _World(clock=clock, slack=slack, steward=steward, sender=sender, notes=notes)
        world.unsubscribe = slack.subscribe(lambda call, status, body: self._heard(world, call, status, body))
        # Slack's own events about what happened in the workspace (pins, people's or the bot's), signed
        # and sent to the app as Slack would.
        world.unsubscribe_events = slack.on_event(lambda event: self._slack_event(world, event))
        return world

    @staticmethod
    def _tear_down(world: _World) -> None:
        world.unsubscribe()
        world.unsubscribe_events()
        try:
            world.steward.close()
        finally:
            world.slack.stop()

    def _wipe(self) -> None:
        """Empty our own folder (DATA_DIR/local-workspace), and nothing else."""
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------------------ the world
    @property
    def world(self) -> _World:
        world = self._world
        if world is None:
            raise Refused("the workspace is not running")
        return world

    @property
    def slack(self) -> SlackEmulator:
        return self.world.slack

    @property
    def steward(self) -> Steward:
        return self.world.steward

    @property
    def clock(self) -> OffsetClock:
        return self.world.clock

    def settle(self, timeout: float = 10.0) -> None:
        """Until the bot has applied every event, answered every request and posted everything."""
        self.steward.wait_idle(timeout)

    # -------------------------------------------------------------------- what people can do
    def post(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> str:
        """`user` writes in `channel` (in `thread_ts`'s thread): Slack keeps it, the app hears it."""
        with self._lock:
            self._person(user)
            self._member_of(user, channel)
            slack_text = self.encode(text, command=False)
            world = self.world
            if thread_ts is not None:
                parent = world.slack.message(channel, thread_ts)
                if parent is None:
                    raise Refused("that thread does not exist")
                thread_ts = parent.get("thread_ts") or thread_ts  # a reply to a reply joins the thread
            ts = world.slack.add_message(channel, user, slack_text, thread_ts=thread_ts)
            self._deliver(message_event(channel, user, slack_text, ts=ts, thread_ts=thread_ts, team=TEAM))
            self._changed({"type": "message", "channel": channel, "ts": ts, "thread_ts": thread_ts})
            return ts

    def command(self, user: str, channel: str, text: str) -> None:
        """`/community <text>` typed by `user` in `channel`; the answer comes to them alone."""
        with self._lock:
            person = self._person(user)
            self._member_of(user, channel)
            line = text.strip()
            if not line.startswith(COMMAND) or line[len(COMMAND):][:1] not in ("", " "):
                raise Refused(f"only {COMMAND} is installed in this workspace")
            argument = self.encode(line[len(COMMAND):].strip(), command=True)
            world = self.world
            response_url, trigger_id = self._asked(_Asker(user, channel, command=line[:200]))
            response = world.sender.command(COMMAND, argument, user_id=user, channel_id=channel,
                                            user_name=person["name"], channel_name=self._channel(channel)["name"],
                                            response_url=response_url, trigger_id=trigger_id)
            self._answered(response, "the command")

    def react(self, user: str, channel: str, ts: str, name: str, on: bool = True) -> None:
        with self._lock:
            self._person(user)
            self._member_of(user, channel)
            name = name.strip().strip(":")
            if not re.fullmatch(r"[a-z0-9_+\-']{1,60}", name):
                raise Refused("not an emoji name")
            world = self.world
            message = world.slack.message(channel, ts)
            if message is None:
                raise Refused("that message does not exist")
            if on:
                mine = any(r["name"] == name and user in r["users"] for r in message.get("reactions", []))
                if mine:
                    return
                world.slack.add_reaction(channel, ts, name, user)
                event = reaction_added_event(user, name, channel, ts, item_user=message.get("user"))
            else:
                if not world.slack.remove_reaction(channel, ts, name, user):
                    return
                event = reaction_removed_event(user, name, channel, ts, item_user=message.get("user"))
            self._deliver(event)
            self._changed({"type": "message", "channel": channel, "ts": ts, "thread_ts": message.get("thread_ts")})

    def edit(self, user: str, channel: str, ts: str, text: str) -> None:
        """`user` edits their own message: Slack keeps the new text and sends `message_changed`."""
        with self._lock:
            self._person(user)
            world = self.world
            before = world.slack.message(channel, ts)
            if before is None or before.get("user") != user or before.get("bot_id") or before.get("subtype"):
                raise Refused("you can only edit your own messages")
            after = world.slack.edit_message(channel, ts, self.encode(text, command=False), user)
            self._deliver(message_changed_event(channel, after, before, team=TEAM))
            self._changed({"type": "message", "channel": channel, "ts": ts, "thread_ts": before.get("thread_ts")})

    def press(self, user: str, channel: str, ts: str, action_id: str, value: str, block_id: str = "",
              ephemeral: bool = False) -> None:
        """`user` presses a button on a message: a block_actions payload, as Slack sends it."""
        if ephemeral:
            return self._press_ephemeral(user, channel, ts, action_id, value, block_id)
        with self._lock:
            self._person(user)
            world = self.world
            message = world.slack.message(channel, ts)
            if message is None:
                raise Refused("that message does not exist")
            found = views.button(message, action_id, value, block_id)
            if found is None:
                raise Refused("that message has no such button")
            block_id = found[0] or block_id
            thread_ts = message.get("thread_ts") if message.get("thread_ts") != ts else None
            response_url, trigger_id = self._asked(_Asker(user, channel, thread_ts=thread_ts or None))
            response = world.sender.block_action(action_id, value, user_id=user, channel_id=channel, message_ts=ts,
                                                 block_id=block_id or "b", thread_ts=thread_ts, message=message,
                                                 trigger_id=trigger_id, response_url=response_url)
            self._answered(response, "the button")

    def _press_ephemeral(self, user: str, channel: str, ts: str, action_id: str, value: str, block_id: str) -> None:
        """A button on a reply only `user` sees (a command's answer): Slack keeps no such message,
        so the payload names it in its container (`is_ephemeral`) and carries no `message`; an
        answer to its response_url may replace or delete it."""
        with self._lock:
            self._person(user)
            world = self.world
            with self._state_lock:
                note = next((e for e in reversed(world.ephemerals) if e.user == user and e.channel == channel and e.ts == ts), None)
            found = views.button({"blocks": note.blocks or []}, action_id, value, block_id) if note else None
            if found is None:
                raise Refused("that message has no such button")
            response_url, trigger_id = self._asked(_Asker(user, channel, note.thread_ts, note.command, ephemeral_ts=ts))
            container = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": True}
            if note.thread_ts:
                container["thread_ts"] = note.thread_ts
            sender = world.sender
            payload = {
                "type": "block_actions", "user": sender._user(user), "api_app_id": sender.api_app_id,
                "token": sender.verification_token, "container": container, "trigger_id": trigger_id,
                "team": sender._team(), "enterprise": None, "is_enterprise_install": False,
                "channel": {"id": channel, "name": self._channel(channel)["name"] if not channel.startswith("D") else "directmessage"},
                "response_url": response_url, "state": {"values": {}},
                "actions": [{"action_id": action_id, "block_id": found[0] or block_id, "text": found[1].get("text"),
                             "value": value, "type": "button", "action_ts": new_ts()}],
            }
            self._answered(sender.action(payload), "the button")

    def shortcut(self, user: str, channel: str, ts: str, callback_id: str) -> None:
        """A message shortcut of the manifest (**Mark as answer**, **Flag to owners**, **Highlight**)
        on a message, through the interactivity path, with a trigger_id so the app can open a modal."""
        with self._lock:
            self._person(user)
            self._member_of(user, channel)
            if callback_id not in {callback for callback, _ in message_shortcuts()}:
                raise Refused("the app has no such shortcut")
            world = self.world
            message = world.slack.message(channel, ts)
            if message is None:
                raise Refused("that message does not exist")
            thread_ts = message.get("thread_ts") if message.get("thread_ts") != ts else None
            response_url, trigger_id = self._asked(_Asker(user, channel, thread_ts=thread_ts))
            response = world.sender.message_shortcut(callback_id, user_id=user, channel_id=channel, message=message,
                                                     trigger_id=trigger_id, response_url=response_url)
            self._answered(response, "the shortcut")

    # ---------------------------------------------------------------- views: Home and modals
    def press_view(self, user: str, surface: str, action_id: str, value: str, block_id: str = "") -> None:
        """A button on `user`'s Home tab or open modal: block_actions with the whole view (its
        private_metadata, state and ids) and a trigger_id, and no channel or response_url, as Slack
        sends it. The app answers by publishing the Home again, or updating or pushing the modal."""
        with self._lock:
            self._person(user)
            world = self.world
            with self._state_lock:
                stack = list(world.modals.get(user) or [])
                view = world.homes.get(user) if surface == "home" else (stack[-1] if stack else None)
                origin = world.modal_askers.get(user)
            if surface not in ("home", "modal") or view is None:
                raise Refused("nothing is open there")
            found = views.button(view, action_id, value, block_id)
            if found is None:
                raise Refused("that view has no such button")
            block_id, pressed = found
            channel = origin.channel if surface == "modal" and origin else ""
            _, trigger_id = self._asked(_Asker(user, channel))
            values = views.state_values(view, {})[0] if surface == "modal" else {}
            sender = world.sender
            payload = {
                "type": "block_actions", "user": sender._user(user), "api_app_id": sender.api_app_id,
                "token": sender.verification_token, "container": {"type": "view", "view_id": view.get("id")},
                "trigger_id": trigger_id, "team": sender._team(), "enterprise": None, "is_enterprise_install": False,
                "view": self._payload_view(view, values, stack if surface == "modal" else [view]),
                "actions": [{"action_id": action_id, "block_id": block_id, "text": pressed.get("text"),
                             "value": value, "type": "button", "action_ts": new_ts()}],
            }
            self._answered(sender.action(payload), "the button")

    def submit(self, user: str, raw: dict) -> dict | None:
        """Submit `user`'s open modal with what the page typed or picked ({block_id: {action_id:
        text, [values] or None}}): what Slack's client refuses is said beside the fields and never
        sent; else `view_submission` goes to the app and its answer is applied (`errors` beside
        the fields, `update`, `push`, `clear`, or nothing: this view closes and the one under it
        shows). The errors, or None."""
        with self._lock:
            self._person(user)
            world = self.world
            with self._state_lock:
                stack = list(world.modals.get(user) or [])
                origin = world.modal_askers.get(user)
            if not stack:
                raise Refused("no form is open")
            view = stack[-1]
            values, errors = views.state_values(view, raw)
            if errors:
                return errors
            sender = world.sender
            _, trigger_id = self._asked(_Asker(user, origin.channel if origin else "", origin.thread_ts if origin else None))
            payload = {
                "type": "view_submission", "team": sender._team(), "user": sender._user(user), "api_app_id": sender.api_app_id,
                "token": sender.verification_token, "trigger_id": trigger_id,
                "view": self._payload_view(view, values, stack), "response_urls": [],
                "is_enterprise_install": False, "enterprise": None,
            }
            response = sender.action(payload)
            self._answered(response, "the form")
            answer = _json_or_none(response.body)
            action = answer.get("response_action") if isinstance(answer, dict) else None
            if action == "errors":
                return {str(k): str(v) for k, v in (answer.get("errors") or {}).items()}
            with self._state_lock:
                current = world.modals.get(user) or []
                if action in ("update", "push") and isinstance(answer.get("view"), dict):
                    shown = views.with_ids(answer["view"])
                    if action == "update":
                        shown = {**shown, "id": view.get("id"), "hash": view.get("hash")}
                        current[-1:] = [shown]
                    else:
                        shown = {"team_id": TEAM, **shown, "id": f"VPUSH{secrets.token_hex(4).upper()}"}
                        current.append(shown)
                elif action == "clear":
                    current.clear()
                elif current and current[-1].get("id") == view.get("id"):
                    current.pop()  # closed; the view under it, if any, shows again
                if not current:
                    world.modals.pop(user, None)
            self._changed({"type": "modal", "user": user})
            return None

    def dismiss(self, user: str) -> None:
        """Cancel (the close button): this view closes, or the whole modal with clear_on_close;
        `view_closed` is sent only when the view asked for it (notify_on_close), as Slack does."""
        with self._lock:
            world = self.world
            with self._state_lock:
                stack = list(world.modals.get(user) or [])
            if not stack:
                return
            view = stack[-1]
            cleared = bool(view.get("clear_on_close"))
            if view.get("notify_on_close"):
                sender = world.sender
                payload = {"type": "view_closed", "team": sender._team(), "user": sender._user(user),
                           "api_app_id": sender.api_app_id, "token": sender.verification_token,
                           "view": self._payload_view(view, views.state_values(view, {})[0], stack),
                           "is_cleared": cleared, "is_enterprise_install": False, "enterprise": None}
                response = sender.action(payload)
                if response.status != 200:
                    log.warning("the app answered view_closed with HTTP %s", response.status)
            with self._state_lock:
                current = world.modals.get(user) or []
                if cleared:
                    current.clear()
                elif current and current[-1].get("id") == view.get("id"):
                    current.pop()
                if not current:
                    world.modals.pop(user, None)
        self._changed({"type": "modal", "user": user})

    def _payload_view(self, view: dict, values: dict, stack: list[dict]) -> dict:
        index = next((i for i, shown in enumerate(stack) if shown.get("id") == view.get("id")), 0)
        return views.payload_view(view, values, team_id=TEAM, app_id=self.world.sender.api_app_id,
                                  bot_id=self.world.slack.bot_id, root_id=stack[0].get("id") if stack else None,
                                  previous_id=stack[index - 1].get("id") if index > 0 else None)

    # --------------------------------------------------------------- pins, bookmarks, files
    def pin(self, user: str, channel: str, ts: str, on: bool = True) -> None:
        """`user` pins (or unpins) a message of `channel`: Slack keeps it and tells the app
        (`pin_added` / `pin_removed`, through the emulator's event listeners, see `_slack_event`)."""
        with self._lock:
            self._person(user)
            self._member_of(user, channel)
            world = self.world
            if world.slack.message(channel, ts) is None:
                raise Refused("that message does not exist")
            try:
                if on:
                    world.slack.pin(channel, ts, user)
                else:
                    world.slack.unpin(channel, ts, user)
            except ValueError as refused:
                raise Refused({"already_pinned": "that message is already pinned",
                               "not_pinned": "that message is not pinned"}.get(str(refused), str(refused))) from None
            self._changed({"type": "pins", "channel": channel})

    def add_bookmark(self, user: str, channel: str, title: str, link: str) -> str:
        """A bookmark in `channel`'s header. Slack tells apps nothing about bookmarks: the bot
        learns of it at its daily check (`pins.list`, `bookmarks.list`)."""
        title, link = " ".join(str(title).split()), str(link).strip()
        if not 1 <= len(title) <= 100:
            raise Refused("a bookmark's title is 1 to 100 characters")
        if not re.match(r"^https?://[^\s<>]+$", link, re.IGNORECASE) or len(link) > 1000:
            raise Refused("a bookmark's link starts with http:// or https://")
        with self._lock:
            self._person(user)
            self._member_of(user, channel)
            slack = self.world.slack
            # The id is chosen here, not by the emulator's counter, which restarts with the process
            # while the saved bookmarks keep theirs.
            bookmark_id = "Bk" + secrets.token_hex(5).upper()
            try:
                with slack._lock:
                    slack._content_state().add_bookmark(channel, title, link, user, int(self.now().timestamp()), TEAM,
                                                        bookmark_id=bookmark_id)
            except Exception as refused:  # the emulator's ContentError: Slack's error name
                raise Refused(f"Slack refused the bookmark ({getattr(refused, 'error', refused)})") from None
            self._changed({"type": "pins", "channel": channel})
            return bookmark_id

    def remove_bookmark(self, user: str, channel: str, bookmark_id: str) -> None:
        with self._lock:
            self._person(user)
            self._member_of(user, channel)
            try:
                self.world.slack.remove_bookmark(channel, bookmark_id)
            except Exception:
                raise Refused("no such bookmark") from None
            self._changed({"type": "pins", "channel": channel})

    def pins(self, channel: str) -> list[str]:
        """The ts of `channel`'s pinned messages, newest pin first."""
        return self.world.slack.pinned(channel)

    def bookmarks(self, channel: str) -> list[dict]:
        return self.world.slack.bookmarks(channel)

    def file(self, user: str, file_id: str) -> dict:
        """A file the app shared (the CSV export), for `user` if it was shared where they can see
        it (their DM with the app, or a channel they are in): name, title, channel, content."""
        found = next((f for f in self.world.slack.uploaded_files() if f["id"] == file_id), None)
        channel = (found or {}).get("channel") or ""
        visible = channel == "D" + user or (channel and any(c["id"] == channel and user in c["members"] for c in self.channels()))
        if found is None or not visible:
            raise Refused("no such file")
        return found

    def join(self, user: str, channel: str) -> None:
        """`user` joins: Slack's join message in the channel and `member_joined_channel` for the app."""
        with self._lock:
            self._person(user)
            self._channel(channel)
            world = self.world
            if not world.slack.join_channel(channel, user):
                raise Refused("already in that channel")
            ts = world.slack.add_message(channel, user, f"<@{user}> has joined the channel", subtype="channel_join")
            self._deliver(message_event(channel, user, f"<@{user}> has joined the channel", ts=ts, team=TEAM, subtype="channel_join"))
            self._deliver(member_joined_event(channel, user, team=TEAM))
            self._changed({"type": "members", "channel": channel})
            self._changed({"type": "message", "channel": channel, "ts": ts})

    def leave(self, user: str, channel: str) -> None:
        with self._lock:
            self._person(user)
            self._channel(channel)
            world = self.world
            if not world.slack.leave_channel(channel, user):
                raise Refused("not in that channel")
            ts = world.slack.add_message(channel, user, f"<@{user}> has left the channel", subtype="channel_leave")
            self._deliver(message_event(channel, user, f"<@{user}> has left the channel", ts=ts, team=TEAM, subtype="channel_leave"))
            self._deliver(member_left_event(channel, user, team=TEAM))
            self._changed({"type": "members", "channel": channel})
            self._changed({"type": "message", "channel": channel, "ts": ts})

    def add_person(self, name: str, tz: str) -> str:
        """Someone new in the workspace (in no channel yet); their user id."""
        name = " ".join(str(name).split())
        if not 1 <= len(name) <= 40 or not all(ch.isalnum() or ch in " .'-" for ch in name):
            raise Refused("a name is 1 to 40 letters, digits, spaces, dots, dashes or apostrophes")
        try:
            ZoneInfo(tz)
        except Exception:
            raise Refused("not a time zone: use a name such as Europe/Paris") from None
        with self._lock:
            world = self.world
            if any(u["name"].lower() == name.lower() for u in world.slack.users()):
                raise Refused("someone already has that name")
            stem = re.sub(r"[^A-Z0-9]", "", name.upper())[:12] or "PERSON"
            user_id = f"U{stem}"
            taken = {u["id"] for u in world.slack.users()}
            number = 2
            while user_id in taken:
                user_id, number = f"U{stem}{number}", number + 1
            world.slack.add_user(user_id, name, tz=tz, team_id=TEAM)
            self._changed({"type": "members"})
            return user_id

    def add_channel(self, user: str, name: str) -> str:
        """A new public channel created by `user`; the app is added to it, as if invited."""
        name = str(name).strip().lstrip("#").lower()
        if not _CHANNEL_NAME.match(name):
            raise Refused("channel names are lowercase letters, digits, - and _, up to 80")
        with self._lock:
            self._person(user)
            world = self.world
            if any(c["name"] == name for c in world.slack.channels()):
                raise Refused("that channel already exists")
            stem = re.sub(r"[^A-Z0-9]", "", name.upper())[:12] or "CHANNEL"
            channel_id = f"C{stem}"
            taken = {c["id"] for c in world.slack.channels()}
            number = 2
            while channel_id in taken:
                channel_id, number = f"C{stem}{number}", number + 1
            world.slack.add_channel(channel_id, name, creator=user, members=[user, BOT_USER])
            self._changed({"type": "members"})
            return channel_id

    def open_home(self, user: str) -> None:
        """`user` opens the app's Home tab: `app_home_opened`, and the app publishes their view."""
        with self._lock:
            self._person(user)
            self._deliver(app_home_opened_event(user))

    # ----------------------------------------------------------------------- the clock control
    def advance(self, delta: timedelta) -> datetime:
        """Move the bot's clock forward by `delta`, in steps of at most `STEP`; after each step
        every sweep runs once and what it queued is posted before the next step. The new time."""
        if delta <= timedelta(0) or delta > timedelta(weeks=4):
            raise Refused("the clock moves forward, by up to four weeks at a time")
        with self._lock:
            world = self.world
            end = world.clock.now() + delta
            while True:
                remaining = end - world.clock.now()
                if remaining <= timedelta(0):
                    break
                world.clock.advance(min(STEP, remaining))
                self._sweep(world)
                world.steward.delivery.wait_idle(timeout=30)
            self.settle()
            self._changed({"type": "clock"})
            return world.clock.now()

    @staticmethod
    def _sweep(world: _World) -> None:
        for sweep in world.steward.scheduler.sweeps:
            try:
                sweep.run()
            except Exception:  # as the scheduler does: one failing sweep does not stop the others
                log.exception("sweep %s failed", sweep.job_id)

    # ------------------------------------------------------------------- reads for the page
    def people(self) -> list[dict]:
        world = self.world
        with self._state_lock:
            notes = dict(world.notes)
        return [{**u, "note": notes.get(u["id"], "")} for u in world.slack.users() if u["team_id"] == TEAM]

    def channels(self) -> list[dict]:
        return self.world.slack.channels()

    def history(self, channel: str) -> list[dict]:
        return self.world.slack.history(channel)

    def thread(self, channel: str, ts: str) -> list[dict]:
        return self.world.slack.thread(channel, ts)

    def ephemerals(self, user: str, channel: str, thread_ts: str | None = None) -> list[Ephemeral]:
        with self._state_lock:
            return [e for e in self.world.ephemerals
                    if e.user == user and e.channel == channel and e.thread_ts == thread_ts]

    def home(self, user: str) -> dict | None:
        with self._state_lock:
            return self.world.homes.get(user)

    def modal(self, user: str) -> dict | None:
        """The view `user` sees in their open modal (the top of its stack), or None."""
        with self._state_lock:
            stack = self.world.modals.get(user)
            return stack[-1] if stack else None

    def modal_depth(self, user: str) -> int:
        with self._state_lock:
            return len(self.world.modals.get(user) or [])

    def now(self) -> datetime:
        return self.world.clock.now()

    def permalink(self, channel: str, ts: str) -> str:
        """A message's link, as Slack's **Copy link** gives it (and chat.getPermalink answers)."""
        return f"https://{self.world.slack.team_domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"

    def group_timezone(self) -> str:
        return self.scenario.TIMEZONE

    # --------------------------------------------------------------------------- Slack's text
    def encode(self, text: str, *, command: bool) -> str:
        """What a Slack client sends for typed text: `&`, `<`, `>` escaped, and `@Name` of a
        member turned into a mention (`<@U…>`; a command with should_escape gets `<@U…|name>`)."""
        text = str(text).replace("\r\n", "\n").strip()
        if not text:
            raise Refused("nothing to send")
        if len(text) > MAX_TEXT:
            raise Refused(f"at most {MAX_TEXT} characters at a time")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        people = sorted(self.people(), key=lambda u: -len(u["name"]))  # "Ann Lee" before "Ann"
        if not people:
            return text
        names = {u["name"].lower(): u for u in people}
        pattern = re.compile(r"(?<![\w@])@(" + "|".join(re.escape(u["name"]) for u in people) + r")(?![\w])", re.IGNORECASE)

        def mention(match: re.Match) -> str:
            person = names[match.group(1).lower()]
            return f"<@{person['id']}|{person['name']}>" if command else f"<@{person['id']}>"
        text = pattern.sub(mention, text)
        return self._channel_links(text) if command else text

    def _channel_links(self, text: str) -> str:
        """`#name` of a channel becomes `<#C…|name>`, as a command with should_escape gets it."""
        channels = {c["name"].lower(): c["id"] for c in self.world.slack.channels()}
        return re.sub(r"(?<![\w#|<])#([a-z0-9_\-]+)",
                      lambda m: f"<#{channels[m.group(1).lower()]}|{m.group(1).lower()}>" if m.group(1).lower() in channels
                      else m.group(0), text)

    # ------------------------------------------------------------------------------- helpers
    def _person(self, user: str) -> dict:
        person = self.world.slack.user(str(user))
        if person is None or person["is_bot"]:
            raise Refused("no such member")
        return person

    def _channel(self, channel: str) -> dict:
        for found in self.world.slack.channels():
            if found["id"] == channel:
                return found
        raise Refused("no such channel")

    def _member_of(self, user: str, channel: str) -> None:
        if user not in self._channel(channel)["members"]:
            raise Refused("join the channel first")

    def _asked(self, asker: _Asker) -> tuple[str, str]:
        """A response_url and a trigger_id that remember who asked."""
        world = self.world
        response_url, trigger_id = world.sender.response_url("commands" if asker.command else "actions"), world.sender.trigger_id()
        with self._state_lock:
            if len(world.askers) > 5000:  # old ones: nobody answers a response_url after 30 minutes
                for key in list(world.askers)[:2500]:
                    del world.askers[key]
            world.askers[urlsplit(response_url).path] = asker
            world.askers[trigger_id] = asker
        return response_url, trigger_id

    def _deliver(self, event: dict) -> None:
        response = self.world.sender.event(event)
        self._answered(response, "the event")

    @staticmethod
    def _answered(response, what: str) -> None:
        if response.status != 200:
            log.warning("the app answered %s with HTTP %s: %s", what, response.status, response.body[:200])
            raise Refused(f"the app answered {what} with HTTP {response.status}")

    def _changed(self, notice: dict) -> None:
        self._dirty.set()
        self.hub.publish(notice)

    # ---------------------------------------------------------------------- what the app did
    def _heard(self, world: _World, call: Call, status: int, body: Any) -> None:
        """A Web API call the app made (or a response_url post): note what the page must show."""
        if status != 200 or not isinstance(body, dict) or not body.get("ok", False):
            return
        args = call.args
        if call.method in ("chat.postMessage", "chat.update", "chat.delete"):
            message = body.get("message") or {}
            self._changed({"type": "message", "channel": body.get("channel"), "ts": body.get("ts"),
                           "thread_ts": message.get("thread_ts") or args.get("thread_ts")})
        elif call.method in ("reactions.add", "reactions.remove"):
            self._changed({"type": "message", "channel": args.get("channel"), "ts": args.get("timestamp")})
        elif call.method in ("pins.add", "pins.remove"):
            self._changed({"type": "pins", "channel": args.get("channel")})
        elif call.method in ("bookmarks.add", "bookmarks.remove"):
            self._changed({"type": "pins", "channel": args.get("channel_id")})
        elif call.method == "files.completeUploadExternal" and args.get("channel_id"):
            # The file is shared in a message from the app, which the emulator files itself.
            self._changed({"type": "message", "channel": args.get("channel_id"), "thread_ts": args.get("thread_ts")})
        elif call.method == "response_url":
            with self._state_lock:
                asker = world.askers.get(call.path)
            if asker is None:
                return
            if asker.ephemeral_ts and (_flag(args.get("delete_original")) or _flag(args.get("replace_original"))):
                # An answer about an ephemeral's button may delete or replace that ephemeral.
                self._forget_ephemeral(world, asker.user, asker.channel, asker.ephemeral_ts)
            if not _flag(args.get("delete_original")):
                self._ephemeral(world, asker.user, asker.channel, args, asker.thread_ts, asker.command)
        elif call.method == "chat.postEphemeral":
            user, channel = args.get("user"), args.get("channel")
            if isinstance(user, str) and isinstance(channel, str):
                self._ephemeral(world, user, channel, args, args.get("thread_ts") or None, None)
        elif call.method == "views.publish":
            view, user = decode_json_arg(args.get("view")), args.get("user_id")
            if isinstance(view, dict) and isinstance(user, str):
                with self._state_lock:
                    world.homes[user] = views.with_ids(body.get("view") or view)
                self.hub.publish({"type": "home", "user": user})
        elif call.method in ("views.open", "views.push", "views.update"):
            self._modal(world, call.method, args, body)
        elif call.method == "conversations.join":
            self._changed({"type": "members", "channel": args.get("channel")})
        elif call.method == "conversations.invite":
            self._invited(str(args.get("channel") or ""), str(args.get("users") or ""))

    def _invited(self, channel: str, users: str) -> None:
        """The emulator added them (an approved join request): Slack's join message and
        `member_joined_channel` follow, as on Slack, so the group's welcome does too. Delivered
        before the bot's call returns: the event is journalled when the invitation is done."""
        for user in filter(None, users.split(",")):
            text = f"<@{user}> has joined the channel"
            ts = self.world.slack.add_message(channel, user, text, subtype="channel_join")
            self._deliver(message_event(channel, user, text, ts=ts, team=TEAM, subtype="channel_join"))
            self._deliver(member_joined_event(channel, user, team=TEAM))
            self._changed({"type": "members", "channel": channel})
            self._changed({"type": "message", "channel": channel, "ts": ts})

    def _ephemeral(self, world: _World, user: str, channel: str, args: dict, thread_ts: str | None, command: str | None) -> None:
        blocks = decode_json_arg(args.get("blocks"))
        micros = int(world.clock.now().timestamp() * 1_000_000)
        note = Ephemeral(user=user, channel=channel, ts=f"{micros // 1_000_000}.{micros % 1_000_000:06d}",
                         text=str(args.get("text") or ""), blocks=blocks if isinstance(blocks, list) else None,
                         thread_ts=thread_ts, command=command)
        with self._state_lock:
            mine = [e for e in world.ephemerals if e.user == user]
            if len(mine) >= KEEP_EPHEMERALS:
                world.ephemerals.remove(mine[0])
            world.ephemerals.append(note)
        self.hub.publish({"type": "ephemeral", "user": user, "channel": channel, "thread_ts": thread_ts})

    def _forget_ephemeral(self, world: _World, user: str, channel: str, ts: str) -> None:
        with self._state_lock:
            world.ephemerals[:] = [e for e in world.ephemerals if not (e.user == user and e.channel == channel and e.ts == ts)]
        self.hub.publish({"type": "ephemeral", "user": user, "channel": channel, "thread_ts": None})

    def _modal(self, world: _World, method: str, args: dict, body: dict) -> None:
        """views.open starts `user`'s modal, views.push stacks a view on it (Slack keeps 3), and
        views.update replaces the view with that id wherever it is in the stack."""
        view = body.get("view")
        if not isinstance(view, dict):
            return
        view = views.with_ids(view)
        with self._state_lock:
            if method == "views.update":
                wanted, external = args.get("view_id") or view.get("id"), args.get("external_id")
                user = None
                for someone, stack in world.modals.items():
                    for index, shown in enumerate(stack):
                        if shown.get("id") == wanted or (external and shown.get("external_id") == external):
                            stack[index] = {**view, "id": shown.get("id")}
                            user = someone
                if user is None:
                    return
            else:
                asker = world.askers.get(str(args.get("trigger_id") or ""))
                if asker is None:
                    return
                user = asker.user
                stack = world.modals.get(user) or []
                if method == "views.open" or not stack:
                    world.modals[user] = [view]
                    world.modal_askers[user] = asker
                elif len(stack) < 3:
                    stack.append(view)
        self.hub.publish({"type": "modal", "user": user})

    def _slack_event(self, world: _World, event: dict) -> None:
        """An event Slack sends the app about the workspace (a pin, a person's or the bot's own):
        signed and delivered, and the page told."""
        if world is not self._world:
            return  # a world being torn down
        response = world.sender.event(event)
        if response.status != 200:
            log.warning("the app answered %s with HTTP %s", event.get("type"), response.status)
        channel = event.get("channel_id") or event.get("channel")
        self._changed({"type": "pins", "channel": channel})

    # ---------------------------------------------------------------------------- persistence
    def _read_state(self) -> dict | None:
        path = self.folder / STATE_FILE
        if not path.exists():
            if any(self.folder.iterdir()):  # the bot's files without ours: an old or broken run
                log.warning("%s has no %s; starting the local workspace over", self.folder, STATE_FILE)
                self._wipe()
            return None
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            if state.get("version") != STATE_VERSION:
                raise ValueError(f"version {state.get('version')!r}")
            return state
        except (OSError, ValueError, AttributeError) as error:
            log.warning("%s cannot be read (%s); starting the local workspace over", path, error)
            self._wipe()
            return None

    def _save(self) -> None:
        """Write the workspace's state atomically (a temp file renamed over the old one)."""
        world = self._world
        if not self.keeps_state or world is None:
            return
        self._dirty.clear()
        with self._state_lock:
            notes = dict(world.notes)
        state = {"version": STATE_VERSION, "clock_offset_seconds": world.clock.offset.total_seconds(),
                 "notes": notes, "slack": world.slack.export_state(), "extras": _export_extras(world.slack)}
        path = self.folder / STATE_FILE
        temp = path.with_suffix(".tmp")
        try:
            temp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
            os.replace(temp, path)
        except OSError as error:
            log.warning("could not save the local workspace to %s: %s", path, error)

    def _save_loop(self) -> None:
        """Save what changed every few seconds: the bot's posts arrive on their own threads."""
        while not self._closing.wait(SAVE_EVERY_SECONDS):
            if self._dirty.is_set() and self._lock.acquire(timeout=SAVE_EVERY_SECONDS):
                try:
                    self._save()
                finally:
                    self._lock.release()


@contextlib.contextmanager
def _quiet():
    """The first morning is played, not lived: what the bot logs about it (an event form saved…)
    would only bury the one line `python -m bot` prints. Warnings still show."""
    loggers = [logging.getLogger(name) for name in ("bot", "handlers", "schedules")]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, before):
            logger.setLevel(level)


def _export_extras(slack: SlackEmulator) -> dict:
    """What the emulator keeps beside people, channels and messages and does not export itself: the
    channels' pins and bookmarks (handlers/emulator/content.py), the files the app shared, and its
    next view id (the events duty names an event after its form's view: ids must not repeat)."""
    content = slack._content_state()
    with slack._lock:
        next_view = next(slack._view_ids)
        slack._view_ids = itertools.count(next_view)
        channels = [c["id"] for c in slack.channels()]
        pins = {c: content.pins(c) for c in channels if content.pin_count(c)}
        bookmarks = {c: content.bookmarks(c) for c in channels if content.bookmarks(c)}
        files = [{**{k: v for k, v in f.items() if k != "bytes"}, "text": f["bytes"].decode("utf-8", "replace")}
                 for f in slack._file_table().values()]
    return {"pins": pins, "bookmarks": bookmarks, "files": files, "next_view": next_view}


def _load_extras(slack: SlackEmulator, extras: dict) -> None:
    """Put back what `_export_extras` saved, ids and dates unchanged (the bot's store knows them)."""
    content = slack._content_state()
    with slack._lock:
        for channel, pins in (extras.get("pins") or {}).items():
            for pin in pins:
                content.pin(channel, pin["ts"], pin["created_by"], pin["created"])
        for channel, bookmarks in (extras.get("bookmarks") or {}).items():
            for b in bookmarks:
                content.add_bookmark(channel, b["title"], b["link"], b["last_updated_by_user_id"], b["date_created"],
                                     b.get("last_updated_by_team_id") or TEAM, bookmark_id=b["id"])
        slack._view_ids = itertools.count(max(int(extras.get("next_view") or 1), next(slack._view_ids)))
        table = slack._file_table()
        for f in extras.get("files") or []:
            table[f["id"]] = {**{k: v for k, v in f.items() if k != "text"}, "bytes": str(f.get("text", "")).encode("utf-8")}


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _json_or_none(body: str) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, every: float = 0.02) -> Any:
    """Poll `condition` until it is truthy (its value) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value or None
        time.sleep(every)
