"""Per-day counters of a group, so that numbers over any span of days are read in O(days).

The weekly records (`activity.<week>`, `contributions.<gweek>`) say who did what in a week; the
numbers a dashboard, a report or an export shows (active members over 7 or 30 days, questions
answered, kudos) would need one read per member and week from them. So each group also keeps one
small document per local day (the group's time zone), in monthly tables `daily.YYYY-MM`, keyed
`<team>:<channel>:<YYYY-MM-DD>`. Everything in it is a buffered counter or a field that is *set*
(never added), so a replayed event is harmless:

- `seen:<gap>`: members whose first activity (post, reply, reaction) of the day this was, by the
  number of days since they were last active (`seen:400` also for never before). A member is
  active in the days [A, B) exactly once "for the first time", on their first active day d there,
  when their previous activity was before A: gap > d − A. So the distinct members active over any
  span of days is a sum over its days' documents, without a set of members (`distinct_active`).
- `kudos`: the kudos counted that day (a removed reaction takes it back from the day it was given).
- `q:<ts>`: the state of each question asked that day (`QuestionState`: when it was asked, how long
  until a first answer by someone else and until its resolution, how many people helped). Set
  again whenever the question changes (and when an event about it is replayed), from the
  question's own durable record.
- `thanked:<week>`: how many people the weekly recognition post of that week named.

Beside them, `membership_changes` counts, per group, the changes to what the member records say
(a join, a leave, someone seen for the first time), so a reader can keep what it made of those
records until they change (`bot.report.metrics.Membership`).

Windows up to `GAP_CAP` − 1 days are exact. A crash mid-flush can lose a member's first activity of
a day (the activity record and this one are separate files), never count it twice.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple

from ..clock import Clock, parse_iso
from ..groups import Group
from ..store import Store
from ..worktime import zone

GAP_CAP = 400  # `seen:` gaps at or above this (and "never before") share one bucket
SEEN = "seen:"
QUESTION = "q:"
THANKED = "thanked:"
MEMBERSHIP_CHANGES = "membership_changes"


def daily_table(day: date) -> str:
    return f"daily.{day:%Y-%m}"


def daily_key(team_id: str, channel_id: str, day: date) -> str:
    return f"{team_id}:{channel_id}:{day.isoformat()}"


def local_day_of(moment: datetime, tz: str) -> date:
    return moment.astimezone(zone(tz)).date()


def distinct_active(days: dict[date, dict], first: date, end: date) -> int:
    """Members active at least once in the local days [first, end), from those days' documents."""
    total = 0
    day = first
    while day < end:
        doc = days.get(day)
        if doc:
            offset = (day - first).days
            total += sum(int(count) for name, count in doc.items()
                         if name.startswith(SEEN) and int(name[len(SEEN):]) > offset)
        day += timedelta(days=1)
    return total


class QuestionState(NamedTuple):
    """A question as its day's document keeps it: a short string ("1764000000,1800,,2,0"), cheap
    to store, copy and read for thousands of questions."""
    asked: int  # epoch seconds
    answer: int | None  # seconds to the first reply by someone other than the asker
    resolve: int | None  # seconds to its resolution
    helpers: int  # people other than the asker who replied
    answered_by: int  # 1 when it was resolved with an answerer (someone other than the asker)

    def encode(self) -> str:
        return ",".join("" if value is None else str(value) for value in self)

    @classmethod
    def decode(cls, value: str) -> "QuestionState":
        asked, answer, resolve, helpers, answered_by = value.split(",")
        return cls(int(asked), int(answer) if answer else None, int(resolve) if resolve else None, int(helpers),
                   int(answered_by))

    @classmethod
    def of(cls, doc: dict) -> "QuestionState":
        asked = parse_iso(doc["asked_at"])
        resolve = int((parse_iso(doc["resolved_at"]) - asked).total_seconds()) if doc.get("resolved_at") else None
        helpers = len({user for user in (doc.get("replies") or {}).values() if user != doc["asker"]})
        answered_by = 1 if doc.get("resolved_at") and doc.get("answerer") and doc["answerer"] != doc["asker"] else 0
        answer = doc.get("answer_seconds")
        return cls(int(asked.timestamp()), None if answer is None else int(answer), resolve, helpers, answered_by)


class DailyRecord:
    """Writes the per-day counters; `bot.report.metrics` reads them."""

    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    def _bump(self, group: Group, day: date, *, add: dict | None = None, latest: dict | None = None,
              once: str | None = None) -> None:
        fields = {"team_id": group.team_id, "channel_id": group.channel_id, "day": day.isoformat(), **(latest or {})}
        self.store.accumulate(daily_table(day), daily_key(group.team_id, group.channel_id, day), add=add, latest=fields,
                              once=once)

    def active(self, group: Group, previous: datetime | None, now: datetime, event_id: str) -> None:
        """Someone was active now; `previous` is when they last were (None: never seen here)."""
        tz = group.config["timezone"]
        today = local_day_of(now, tz)
        gap = GAP_CAP if previous is None else min((today - local_day_of(previous, tz)).days, GAP_CAP)
        if gap >= 1:  # not their first activity of the day otherwise
            self._bump(group, today, add={f"{SEEN}{gap}": 1}, once=f"{event_id}:day")

    def kudos(self, group: Group, amount: int, once: str, day: date | None = None) -> None:
        """Kudos counted (1) or taken back (−1) on `day` (today by default): a take-back goes to
        the day the kudos was given, so no span of days ever shows fewer than none."""
        day = day or local_day_of(self.clock.now(), group.config["timezone"])
        self._bump(group, day, add={"kudos": amount}, once=once)

    def question(self, group: Group, doc: dict) -> None:
        """A question was asked or changed: its day's document holds its state again."""
        day = local_day_of(parse_iso(doc["asked_at"]), group.config["timezone"])
        self._bump(group, day, latest={f"{QUESTION}{doc['ts']}": QuestionState.of(doc).encode()})

    def membership_changed(self, group: Group) -> None:
        """A join, a leave, or someone seen in the group for the first time."""
        self.store.accumulate(MEMBERSHIP_CHANGES, f"{group.team_id}:{group.channel_id}", add={"n": 1},
                              latest={"team_id": group.team_id, "channel_id": group.channel_id})

    def membership_version(self, group: Group) -> int:
        return int((self.store.get(MEMBERSHIP_CHANGES, f"{group.team_id}:{group.channel_id}") or {}).get("n", 0))

    def thanked(self, group: Group, week: str, count: int) -> None:
        self._bump(group, local_day_of(self.clock.now(), group.config["timezone"]), latest={f"{THANKED}{week}": count})
