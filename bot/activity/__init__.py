"""What people do in managed groups, recorded as events arrive, never by re-reading history.

Everything here is a buffered counter or note (`Store.accumulate`): a busy channel costs a few
dictionary updates in memory per message, written every `COUNTER_FLUSH_SECONDS`. Each bump carries
the event's id (`once=`), so a redelivered or replayed event is counted once. Events of one channel
are applied in order on one inbox lane, so read-then-write here never races within a channel.

Tables (weeks are ISO weeks; `<gweek>` is the week in the group's time zone):
- `activity.<week>`: per member, messages / replies / questions / reactions, and `last_seen`.
- `last_active`: per member, when they last posted, replied or reacted (visit reminders).
- `channel_active`: per group, when someone last posted there (conversation starters).
- `messages.<day>`: per top-level message (a thread's root), its author, whether the author was a
  newcomer, its replies and whether someone else replied. Kept by day, so a flush rewrites one
  day's notes, and looked up for `THREAD_DAYS` (a reply to an older thread is only activity).
- `contributions.<gweek>`: per member, what helped this week: `answers` (with `topic:<word>`
  counts), `welcomed` (first replies to newcomers), `kudos` received, `threads` others replied to,
  `followups`: events whose follow-up thread they posted their updates in (`bot.events`).
- `kudos.<gweek>`: one note per (message, giver) that counted, so a removed reaction takes it back,
  and per giver and local day how many they gave (the daily cap).
- `daily.<YYYY-MM>`: per group and local day, counters that make numbers over any span of days a
  read of those days (`bot.activity.daily`, read by `bot.report.metrics`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group
from ..periods import iso_week, local_day
from ..ports import Directory, PlatformError
from ..store import Store
from .daily import DailyRecord

ACTIVE_WEEKS = 4
NEWCOMER_FOR = timedelta(days=14)  # a member's first two weeks: replying to them is welcoming them
THREAD_DAYS = 14
MEMBERS = "members"  # joins and leaves, written by the welcome duty; read here for newcomers
LAST_ACTIVE = "last_active"
CHANNEL_ACTIVE = "channel_active"
CONTRIBUTIONS = ("answers", "welcomed", "kudos", "threads", "followups")


def member_key(team_id: str, channel_id: str, user_id: str) -> str:
    return f"{team_id}:{channel_id}:{user_id}"


def activity_table(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"activity.{year}-W{week:02d}"


def messages_table(moment: datetime) -> str:
    return "messages." + local_day(moment)


def contributions_table(week: str) -> str:
    return f"contributions.{week}"


def kudos_table(week: str) -> str:
    return f"kudos.{week}"


@dataclass(frozen=True)
class Contribution:
    user_id: str
    answers: int = 0
    welcomed: int = 0
    kudos: int = 0
    threads: int = 0
    followups: int = 0
    topics: tuple[str, ...] = ()  # what their answers were about, most frequent first


class ActivityService:
    def __init__(self, store: Store, clock: Clock, directory: Directory):
        self.store = store
        self.clock = clock
        self.directory = directory
        self.daily = DailyRecord(store, clock)
        self.reply_listeners: list = []  # told of every thread reply: (group, user, thread id, event id)

    def on_reply(self, listener) -> None:
        """A duty that watches threads of its own (an event's follow-up) hears of each reply here."""
        self.reply_listeners.append(listener)

    # --- messages ------------------------------------------------------------------------------
    def message(self, group: Group, user_id: str, message_id: str, thread_id: str | None, kind: str, event_id: str) -> None:
        """A message someone posted: counters, last activity, the root note, thread credit.
        `kind` is "messages", "questions" or "replies" (the question service decides)."""
        now = self.clock.now()
        key = member_key(group.team_id, group.channel_id, user_id)
        self.store.accumulate(activity_table(now), key, add={kind: 1}, latest={
            "team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id, "last_seen": utc_iso(now)},
            once=event_id)
        self._touch(group, user_id, now, event_id)
        self.store.accumulate(CHANNEL_ACTIVE, group.key, latest={"team_id": group.team_id, "channel_id": group.channel_id,
                                                                 "last_message_at": utc_iso(now)}, once=f"{event_id}:channel")
        if thread_id and thread_id != message_id:
            for listener in self.reply_listeners:
                listener(group, user_id, thread_id, event_id)
            self._reply(group, user_id, thread_id, now, event_id)
            return
        joined_at = (self.store.get(MEMBERS, key) or {}).get("joined_at")
        newcomer = bool(joined_at) and now - parse_iso(joined_at) <= NEWCOMER_FOR
        self.store.accumulate(messages_table(now), f"{group.key}:{message_id}", latest={
            "team_id": group.team_id, "channel_id": group.channel_id, "id": message_id, "author": user_id,
            "at": utc_iso(now), "newcomer": newcomer}, once=f"{event_id}:note")

    def _reply(self, group: Group, replier: str, root_id: str, now: datetime, event_id: str) -> None:
        root_key = f"{group.key}:{root_id}"
        root, table = self._message_note(root_key, now)
        if root is None:
            return  # a thread older than we keep notes for
        self.store.accumulate(table, root_key, add={"replies": 1}, latest={"last_reply_at": utc_iso(now)}, once=f"{event_id}:thread")
        if replier == root["author"]:
            return
        week = iso_week(now, group.config["timezone"])
        if not root.get("others_replied"):  # the thread now has a reply from someone else: credit once
            self.store.accumulate(table, root_key, latest={"others_replied": True}, once=f"{event_id}:others")
            self._credit(group, week, root["author"], {"threads": 1}, f"{event_id}:credit-thread")
        if root.get("newcomer") and not root.get("welcomed_by"):  # the first reply to a newcomer
            self.store.accumulate(table, root_key, latest={"welcomed_by": replier}, once=f"{event_id}:welcomed")
            self._credit(group, week, replier, {"welcomed": 1}, f"{event_id}:credit-welcome")

    def _message_note(self, key: str, now: datetime) -> tuple[dict | None, str]:
        for back in range(THREAD_DAYS):
            table = messages_table(now - timedelta(days=back))
            note = self.store.get(table, key)
            if note is not None:
                return note, table
        return None, ""

    def _touch(self, group: Group, user_id: str, now: datetime, event_id: str) -> None:
        key = member_key(group.team_id, group.channel_id, user_id)
        before = self.store.get(LAST_ACTIVE, key)  # read before it moves: their first activity of the day?
        self.daily.active(group, parse_iso(before["at"]) if before else None, now, event_id)
        if before is None:
            self.daily.membership_changed(group)  # someone seen here for the first time
        self.store.accumulate(LAST_ACTIVE, key, latest={
            "team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id, "at": utc_iso(now)},
            once=f"{event_id}:active")

    # --- reactions -----------------------------------------------------------------------------
    def reaction(self, group: Group, giver: str, message_id: str, author: str | None, emoji: str, added: bool,
                 event_id: str) -> None:
        """A reaction added or removed on a message by `author` (the platform says who wrote it).
        Reacting is activity; the group's kudos emoji credits the author, within the giver's daily
        cap, never for oneself, never from a bot."""
        now = self.clock.now()
        if added:
            self._touch(group, giver, now, event_id)
            self.store.accumulate(activity_table(now), member_key(group.team_id, group.channel_id, giver),
                                  add={"reactions": 1}, once=f"{event_id}:reaction",
                                  latest={"team_id": group.team_id, "channel_id": group.channel_id, "user_id": giver})
        if emoji != group.config["kudos_emoji"] or not author or author == giver or self._is_bot(group.team_id, giver):
            return
        week = iso_week(now, group.config["timezone"])
        given_key = f"{group.key}:{message_id}:{giver}"
        daily_key = f"{group.key}:{giver}:{local_day(now, group.config['timezone'])}"
        counted = self.store.get(kudos_table(week), given_key)
        if added and not (counted and counted.get("counted")):
            if (self.store.get(kudos_table(week), daily_key) or {}).get("given", 0) >= group.config["kudos_daily_cap"]:
                return  # kudos cannot be farmed: the giver's cap for today is reached
            self.store.accumulate(kudos_table(week), daily_key, add={"given": 1}, once=f"{event_id}:given")
            self.store.accumulate(kudos_table(week), given_key, latest={"counted": True, "author": author,
                                                                       "day_key": daily_key}, once=f"{event_id}:kudos-note")
            self._credit(group, week, author, {"kudos": 1}, f"{event_id}:credit-kudos")
            self.daily.kudos(group, 1, f"{event_id}:daily-kudos")
        elif not added and counted and counted.get("counted"):
            self.store.accumulate(kudos_table(week), counted["day_key"], add={"given": -1}, once=f"{event_id}:given")
            self.store.accumulate(kudos_table(week), given_key, latest={"counted": False}, once=f"{event_id}:kudos-note")
            self._credit(group, week, counted["author"], {"kudos": -1}, f"{event_id}:credit-kudos")
            given_on = date.fromisoformat(counted["day_key"].rsplit(":", 1)[1])  # "<group>:<giver>:<local day>"
            self.daily.kudos(group, -1, f"{event_id}:daily-kudos", day=given_on)

    def _is_bot(self, team_id: str, user_id: str) -> bool:
        try:
            person = self.directory.person(team_id, user_id)
        except PlatformError:
            return False
        return person.is_bot

    # --- answers -------------------------------------------------------------------------------
    def answered(self, group: Group, answerer: str, topics: list[str], question_key: str) -> None:
        """A question was resolved and `answerer` credited; `topics` are its words."""
        week = iso_week(self.clock.now(), group.config["timezone"])
        add = {"answers": 1, **{f"topic:{word}": 1 for word in dict.fromkeys(topics[:5])}}
        self._credit(group, week, answerer, add, f"answer:{question_key}")

    def followed_up(self, group: Group, user_id: str, once: str) -> None:
        """`user_id` posted their update in an event's follow-up thread (once per event)."""
        self._credit(group, iso_week(self.clock.now(), group.config["timezone"]), user_id, {"followups": 1}, once)

    def _credit(self, group: Group, week: str, user_id: str, add: dict, once: str) -> None:
        self.store.accumulate(contributions_table(week), member_key(group.team_id, group.channel_id, user_id), add=add,
                              latest={"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id}, once=once)

    # --- reading -------------------------------------------------------------------------------
    def contributions(self, group: Group, week: str) -> list[Contribution]:
        """What each member did that helped in the group's `week` (nobody with nothing)."""
        found = []
        for doc in self.store.find(contributions_table(week), team_id=group.team_id, channel_id=group.channel_id):
            topics = sorted((k[6:] for k, v in doc.items() if k.startswith("topic:") and v > 0), key=lambda t: (-doc[f"topic:{t}"], -len(t), t))
            counts = {name: int(doc.get(name, 0)) for name in CONTRIBUTIONS}
            if any(counts.values()):
                found.append(Contribution(doc["user_id"], topics=tuple(topics), **counts))
        return found

    def last_active(self, group: Group) -> dict[str, datetime]:
        """When each member of the group was last active (those ever seen)."""
        return {doc["user_id"]: parse_iso(doc["at"]) for doc in
                self.store.find(LAST_ACTIVE, team_id=group.team_id, channel_id=group.channel_id)}

    def channel_last_message(self, group: Group) -> datetime | None:
        doc = self.store.get(CHANNEL_ACTIVE, group.key)
        return parse_iso(doc["last_message_at"]) if doc else None

    def active_members(self, team_id: str, channel_id: str, weeks: int = ACTIVE_WEEKS) -> list[tuple[str, int]]:
        """(user, contributions) over the last weeks, most active first."""
        now = self.clock.now()
        totals: dict[str, int] = {}
        for back in range(weeks):
            for doc in self.store.find(activity_table(now - timedelta(weeks=back)), team_id=team_id, channel_id=channel_id):
                contributions = sum(v for k, v in doc.items() if isinstance(v, (int, float)))
                totals[doc["user_id"]] = totals.get(doc["user_id"], 0) + int(contributions)
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))

    def lively_threads(self, group: Group, since: datetime) -> list[dict]:
        """Threads of the last `THREAD_DAYS` with replies since `since`, most replies first:
        {"id", "author", "replies", "last_reply_at"}. One read per day kept, whatever `since`."""
        now = self.clock.now()
        threads = []
        for back in range(THREAD_DAYS):
            for doc in self.store.find(messages_table(now - timedelta(days=back)), team_id=group.team_id, channel_id=group.channel_id):
                if doc.get("replies") and doc.get("last_reply_at") and parse_iso(doc["last_reply_at"]) >= since:
                    threads.append({"id": doc["id"], "author": doc["author"], "replies": int(doc["replies"]),
                                    "last_reply_at": parse_iso(doc["last_reply_at"])})
        return sorted(threads, key=lambda t: (-t["replies"], t["id"]))
