"""The local workspace: the real bot, the Slack emulator playing Slack, and what people do there.

    page (web.py) ──▶ LocalWorkspace.post/command/press/… ──▶ SlackSender ──HTTP, signed──▶ /slack/events
                                                                                    (the real Bolt app, Steward)
    Steward's Web API calls ──HTTP──▶ SlackEmulator (keeps the workspace) ──subscribe──▶ Hub ──SSE──▶ page

Everything a visitor does is what a Slack client and Slack would do together: the message is stored
in the emulator (Slack keeps it) and delivered to the app as a signed Events API request; a
`/community` command, a button or a message shortcut is a signed slash command or interactivity
payload whose `response_url` and `trigger_id` the workspace remembers, so the ephemeral answer or the
modal is shown to the member who acted and to nobody else. The bot is the same `Steward` as with
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
    decode_json_arg,
    member_joined_event,
    member_left_event,
    message_changed_event,
    message_event,
    reaction_added_event,
    reaction_removed_event,
)
from ..runtime import Steward

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
    modals: dict[str, dict] = field(default_factory=dict)  # user id -> the modal views.open gave
    askers: dict[str, _Asker] = field(default_factory=dict)  # response_url path or trigger_id -> who
    unsubscribe: Callable[[], None] = lambda: None


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
        return world

    @staticmethod
    def _tear_down(world: _World) -> None:
        world.unsubscribe()
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

    def press(self, user: str, channel: str, ts: str, action_id: str, value: str, block_id: str = "") -> None:
        """`user` presses a button on a message: a block_actions payload, as Slack sends it."""
        with self._lock:
            self._person(user)
            world = self.world
            message = world.slack.message(channel, ts)
            if message is None:
                raise Refused("that message does not exist")
            if not self._has_button(message, action_id, value):
                raise Refused("that message has no such button")
            thread_ts = message.get("thread_ts") if message.get("thread_ts") != ts else None
            response_url, trigger_id = self._asked(_Asker(user, channel, thread_ts=thread_ts or None))
            response = world.sender.block_action(action_id, value, user_id=user, channel_id=channel, message_ts=ts,
                                                 block_id=block_id or "b", thread_ts=thread_ts, message=message,
                                                 trigger_id=trigger_id, response_url=response_url)
            self._answered(response, "the button")

    def shortcut(self, user: str, channel: str, ts: str, callback_id: str) -> None:
        """A message shortcut (**Mark as answer**) on a message, through the interactivity path."""
        with self._lock:
            self._person(user)
            self._member_of(user, channel)
            world = self.world
            message = world.slack.message(channel, ts)
            if message is None:
                raise Refused("that message does not exist")
            thread_ts = message.get("thread_ts") if message.get("thread_ts") != ts else None
            response_url, trigger_id = self._asked(_Asker(user, channel, thread_ts=thread_ts))
            response = world.sender.message_shortcut(callback_id, user_id=user, channel_id=channel, message=message,
                                                     trigger_id=trigger_id, response_url=response_url)
            self._answered(response, "the shortcut")

    def submit(self, user: str, values: dict) -> dict | None:
        """Submit `user`'s open modal with `values` ({block_id: {action_id: {...}}}): the errors
        the app answered, or None when it closed."""
        with self._lock:
            world = self.world
            with self._state_lock:
                modal = world.modals.get(user)
            if modal is None:
                raise Refused("no form is open")
            response = world.sender.view_submission(modal.get("callback_id", ""), values, user_id=user,
                                                    private_metadata=modal.get("private_metadata", ""),
                                                    view_id=modal.get("id"), blocks=modal.get("blocks"))
            self._answered(response, "the form")
            answer = _json_or_none(response.body)
            if isinstance(answer, dict) and answer.get("response_action") == "errors":
                return answer.get("errors") or {}
            if isinstance(answer, dict) and answer.get("response_action") in ("update", "push") and isinstance(answer.get("view"), dict):
                with self._state_lock:
                    world.modals[user] = {**answer["view"], "id": modal.get("id")}
            else:
                self.dismiss(user)
            self._changed({"type": "modal", "user": user})
            return None

    def dismiss(self, user: str) -> None:
        with self._state_lock:
            self.world.modals.pop(user, None)
        self._changed({"type": "modal", "user": user})

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
        with self._state_lock:
            return self.world.modals.get(user)

    def now(self) -> datetime:
        return self.world.clock.now()

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

    @staticmethod
    def _has_button(message: dict, action_id: str, value: str) -> bool:
        for block in message.get("blocks") or []:
            elements = list(block.get("elements") or []) + ([block["accessory"]] if block.get("accessory") else [])
            for element in elements:
                if element.get("type") == "button" and element.get("action_id") == action_id \
                        and str(element.get("value", "")) == str(value):
                    return True
        return False

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
        elif call.method == "response_url":
            with self._state_lock:
                asker = world.askers.get(call.path)
            if asker is not None and not _flag(args.get("delete_original")):
                self._ephemeral(world, asker.user, asker.channel, args, asker.thread_ts, asker.command)
        elif call.method == "chat.postEphemeral":
            user, channel = args.get("user"), args.get("channel")
            if isinstance(user, str) and isinstance(channel, str):
                self._ephemeral(world, user, channel, args, args.get("thread_ts") or None, None)
        elif call.method == "views.publish":
            view, user = decode_json_arg(args.get("view")), args.get("user_id")
            if isinstance(view, dict) and isinstance(user, str):
                with self._state_lock:
                    world.homes[user] = body.get("view") or view
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

    def _modal(self, world: _World, method: str, args: dict, body: dict) -> None:
        view = body.get("view")
        if not isinstance(view, dict):
            return
        with self._state_lock:
            if method == "views.update":
                user = next((u for u, m in world.modals.items() if m.get("id") == view.get("id")), None)
            else:
                asker = world.askers.get(str(args.get("trigger_id") or ""))
                user = asker.user if asker else None
            if user is None:
                return
            world.modals[user] = view
        self.hub.publish({"type": "modal", "user": user})

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
                 "notes": notes, "slack": world.slack.export_state()}
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
