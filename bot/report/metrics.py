"""A group's numbers over a span of days, and how they changed: what the owners' checklist, the App
Home dashboard, the report and the CSV export show. Read from records the bot already keeps; the
cost is one read per day of the span (the per-day record, `bot.activity.daily`) plus one pass over
the group's member records, whatever the length of the history.

Periods are local days of the group's time zone, [start, end): a week runs from Monday 00:00 to the
next Monday 00:00 there. Each number is measured at the end of its own period, so the period before,
computed the same way for the change, shows what it showed then (unless a record learned more since:
someone from before the set-up seen for the first time, a rejoin).

- members: the people known to be in the group at the end. The bot never lists a channel; it
  knows people from the joins and leaves it saw (the members table: a member whose latest join is
  before the end and who had not left by then) and, for people who were there before the group was
  set up (no join recorded), from their activity: anyone ever seen active here and never seen
  leaving, and anyone seen leaving at or after the end. Someone who left and rejoined counts from
  their latest join only; people from before the set-up who never did anything are not known.
- joins (new members), leaves: latest joins (leaves) recorded within the period.
- active: the people with at least one message, reply, question or reaction in the period.
- asked: tracked questions asked within the period. Of those, at the period's end:
  answered (someone other than the asker replied), resolved (marked answered), unanswered (neither
  replied to nor resolved); the response rate is answered / asked, and the median time to first
  answer is over the answered ones (the mean of the two middle ones for an even count; None when
  none was answered).
- kudos: kudos reactions counted in the period (within each giver's daily cap, never self-kudos).
- thanked: people named by the weekly recognition posts of the period.
- still open (dashboard): questions of the last 30 days (after that the bot no longer follows a
  question: it is stale) nobody but the asker replied to and nobody resolved, and the oldest one.
"""
from __future__ import annotations

import bisect
import statistics
import threading
from collections import OrderedDict
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from ..activity import LAST_ACTIVE, MEMBERS
from ..activity.daily import QUESTION, THANKED, DailyRecord, QuestionState, daily_table, distinct_active, local_day_of
from ..clock import Clock, parse_iso
from ..groups import Group
from ..i18n import t, tp
from ..messages import Text, text
from ..store import Store
from ..worktime import zone

STALE_DAYS = 30  # as `bot.questions.STALE_AFTER`: after that a waiting question is no longer followed
MONTH_DAYS = 30  # the dashboard's second activity window
MEMBERSHIPS_KEPT = 64  # groups whose member records are kept read (about 1 MB per 5,000 members)


def midnight(day: date, tz: str) -> datetime:
    """00:00 of `day` in `tz` (read with the offset before a change, as `bot.periods` does)."""
    return datetime.combine(day, time(0), zone(tz)).astimezone(zone("UTC")).astimezone(zone(tz))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Numbers:
    """One group's numbers for the local days [start, end); see the module docstring."""
    start: date
    end: date
    members: int
    joins: int
    leaves: int
    active: int
    asked: int
    answered: int
    resolved: int
    median_answer_seconds: float | None
    unanswered: int
    kudos: int
    thanked: int

    @property
    def response_rate(self) -> float | None:
        """Answered / asked (0 to 1), None when nothing was asked."""
        return self.answered / self.asked if self.asked else None

    @property
    def week(self) -> str:
        """The ISO week of the start ("2026-W48"), for weekly rows."""
        year, number, _ = self.start.isocalendar()
        return f"{year}-W{number:02d}"


TRENDED = tuple(f.name for f in fields(Numbers) if f.name not in ("start", "end")) + ("response_rate",)


@dataclass(frozen=True)
class Trend:
    value: float | None
    previous: float | None  # None: nothing to compare with (the bot did not follow the group then)

    @property
    def delta(self) -> float | None:
        return None if self.value is None or self.previous is None else self.value - self.previous


def trend(current: Numbers, previous: Numbers | None, name: str) -> Trend:
    return Trend(getattr(current, name), None if previous is None else getattr(previous, name))


@dataclass(frozen=True)
class OpenQuestion:
    ts: str  # the question's message id
    asked_at: datetime


@dataclass(frozen=True)
class Overview:
    """What the dashboard shows for one group: the last `days` days (today included) against the
    same number of days before, active members over 30 days too, and the questions still open."""
    current: Numbers
    previous: Numbers | None
    active_month: int
    active_month_before: int | None
    open_now: int
    open_before: int | None  # at the start of `current`
    oldest_open: OpenQuestion | None

    def trend(self, name: str) -> Trend:
        return trend(self.current, self.previous, name)


class Membership:
    """The group's member records, read once (one pass over the members table and the last-activity
    records): members at any instants, joins and leaves between them, and who joined when."""

    def __init__(self, store: Store, group: Group):
        self.records = []  # (user, joined or None, left or None: only for those who left)
        recorded = set()
        for doc in store.find(MEMBERS, team_id=group.team_id, channel_id=group.channel_id):
            recorded.add(doc["user_id"])
            joined = parse_iso(doc["joined_at"]) if doc.get("joined_at") else None
            left = parse_iso(doc["left_at"]) if doc.get("status") == "left" and doc.get("left_at") else None
            self.records.append((doc["user_id"], joined, left))
        # People from before the set-up, known only from their activity.
        self.unrecorded = sum(1 for doc in store.find(LAST_ACTIVE, team_id=group.team_id, channel_id=group.channel_id)
                              if doc["user_id"] not in recorded)

    def counts(self, instants: list[datetime]) -> tuple[list[int], list[int], list[int]]:
        """Members at each instant, and joins and leaves between consecutive ones."""
        count = len(instants)
        diff = [0] * (count + 1)
        joins, leaves = [0] * (count - 1), [0] * (count - 1)
        for _, joined, left in self.records:
            first = 0 if joined is None else bisect.bisect_right(instants, joined)  # instants after the join
            last = count - 1 if left is None else bisect.bisect_right(instants, left) - 1  # instants up to the leave
            if first <= last:
                diff[first] += 1
                diff[last + 1] -= 1
            for moment, tally in ((joined, joins), (left, leaves)):
                if moment is not None and instants[0] <= moment < instants[-1]:
                    tally[bisect.bisect_right(instants, moment) - 1] += 1
        members, running = [], self.unrecorded
        for index in range(count):
            running += diff[index]
            members.append(running)
        return members, joins, leaves

    def joined_between(self, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        """(user, when) of the members still here whose latest join is in [start, end)."""
        return [(user, joined) for user, joined, left in self.records
                if joined is not None and left is None and start <= joined < end]


Days = dict  # date -> that day's document (`bot.activity.daily`)


class MetricsService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        self.daily = DailyRecord(store, clock)
        # What the member records said, per group, until they change (in memory: a restart reads again).
        self._memberships: OrderedDict[str, tuple[int, Membership]] = OrderedDict()
        self._lock = threading.Lock()

    # --- periods ------------------------------------------------------------------------------
    def today(self, group: Group) -> date:
        return local_day_of(self.clock.now(), group.config["timezone"])

    def observed(self, group: Group, end: date) -> bool:
        """Whether the group was set up before the end of a period ending at `end`."""
        return not group.created_at or parse_iso(group.created_at) < midnight(end, group.config["timezone"])

    def numbers(self, group: Group, start: date, end: date) -> Numbers:
        return self.series(group, [start, end])[0]

    def weeks(self, group: Group, count: int) -> list[Numbers]:
        """The last `count` complete weeks (Monday to Sunday, local), oldest first."""
        last_monday = week_start(self.today(group))
        return self.series(group, [last_monday - timedelta(weeks=back) for back in range(count, -1, -1)])

    def series(self, group: Group, bounds: list[date], *, days: Days | None = None,
               membership: Membership | None = None) -> list[Numbers]:
        """Numbers of the consecutive periods [bounds[0], bounds[1]), [bounds[1], bounds[2])…: one
        pass over the member records and one read per month of days, whatever the number of
        periods. `days` (holding at least a day either side of the bounds) and `membership` may be
        given when the caller read them already."""
        tz = group.config["timezone"]
        instants = [midnight(day, tz) for day in bounds]
        members, joins, leaves = (membership or self.membership(group)).counts(instants)
        if days is None:
            days = self.days(group, bounds[0] - timedelta(days=1), bounds[-1] + timedelta(days=1))
        return [self._period(days, start, end, instants[index], instants[index + 1], members[index + 1], joins[index],
                             leaves[index])
                for index, (start, end) in enumerate(zip(bounds, bounds[1:]))]

    def overview(self, group: Group, days: int = 7) -> Overview:
        """The dashboard's numbers: the last `days` local days, today included, and the days before."""
        tz = group.config["timezone"]
        end = self.today(group) + timedelta(days=1)
        start, before = end - timedelta(days=days), end - timedelta(days=2 * days)
        month, month_before = end - timedelta(days=MONTH_DAYS), end - timedelta(days=2 * MONTH_DAYS)
        records = self.days(group, min(month_before, before - timedelta(days=STALE_DAYS)) - timedelta(days=1),
                            end + timedelta(days=1))
        previous, current = self.series(group, [before, start, end], days=records)
        waiting_now = self._waiting(records, self.clock.now())
        observed = self.observed(group, start)
        return Overview(
            current=current, previous=previous if observed else None,
            active_month=distinct_active(records, month, end),
            active_month_before=distinct_active(records, month_before, month) if self.observed(group, month) else None,
            open_now=len(waiting_now),
            open_before=len(self._waiting(records, midnight(start, tz))) if observed else None,
            oldest_open=min(waiting_now, key=lambda q: (q.asked_at, q.ts), default=None))

    # --- reading the records --------------------------------------------------------------------
    def membership(self, group: Group) -> Membership:
        """The group's member records as last read, read again when a join, a leave or someone new
        changed them since (`membership_changes`): a dashboard read between two changes costs no
        pass over the members."""
        version = self.daily.membership_version(group)  # before reading: a change meanwhile reads again next time
        with self._lock:
            cached = self._memberships.get(group.key)
            if cached and cached[0] == version:
                self._memberships.move_to_end(group.key)
                return cached[1]
        membership = Membership(self.store, group)
        with self._lock:
            self._memberships[group.key] = (version, membership)
            self._memberships.move_to_end(group.key)
            while len(self._memberships) > MEMBERSHIPS_KEPT:
                self._memberships.popitem(last=False)
        return membership

    def days(self, group: Group, first: date, end: date) -> Days:
        """The group's per-day documents for the local days [first, end): one read per month table."""
        found: Days = {}
        month = first.replace(day=1)
        while month < end:
            for doc in self.store.find(daily_table(month), team_id=group.team_id, channel_id=group.channel_id):
                day = date.fromisoformat(doc["day"])
                if first <= day < end:
                    found[day] = doc
            month = (month + timedelta(days=32)).replace(day=1)
        return found

    def asked(self, group: Group, start: date, end: date, *, days: Days | None = None) -> list[tuple[str, QuestionState]]:
        """(message id, state as it stands now) of the questions asked in the local days [start, end)."""
        tz = group.config["timezone"]
        if days is None:
            days = self.days(group, start - timedelta(days=1), end + timedelta(days=1))
        return self._asked(days, start, end, midnight(start, tz), midnight(end, tz))

    @staticmethod
    def _asked(days: Days, start: date, end: date, start_at: datetime, end_at: datetime) -> list[tuple[str, QuestionState]]:
        """Questions asked in [start_at, end_at), looked up a day either side of [start, end) (the
        time zone may have changed since they were recorded)."""
        low, high = start_at.timestamp(), end_at.timestamp()
        found = []
        day, last = start - timedelta(days=1), end + timedelta(days=1)
        while day < last:
            for name, value in (days.get(day) or {}).items():
                if name.startswith(QUESTION):
                    state = QuestionState.decode(value)
                    if low <= state.asked < high:
                        found.append((name[len(QUESTION):], state))
            day += timedelta(days=1)
        return found

    def _period(self, days: Days, start: date, end: date, start_at: datetime, end_at: datetime, members: int, joins: int,
                leaves: int) -> Numbers:
        cutoff = end_at.timestamp()
        asked = [state for _, state in self._asked(days, start, end, start_at, end_at)]
        answered = [state.answer for state in asked if _by(state, state.answer, cutoff)]
        resolved = sum(1 for state in asked if _by(state, state.resolve, cutoff))
        unanswered = sum(1 for state in asked if not _by(state, state.answer, cutoff) and not _by(state, state.resolve, cutoff))
        kudos = thanked = 0
        day = start
        while day < end:
            doc = days.get(day) or {}
            kudos += int(doc.get("kudos", 0))
            thanked += sum(int(value) for name, value in doc.items() if name.startswith(THANKED))
            day += timedelta(days=1)
        return Numbers(start, end, members, joins, leaves, distinct_active(days, start, end), len(asked), len(answered),
                       resolved, statistics.median(answered) if answered else None, unanswered, kudos, thanked)

    @staticmethod
    def _waiting(days: Days, at: datetime) -> list[OpenQuestion]:
        """Questions asked in the `STALE_DAYS` before `at` with no reply and no resolution by then."""
        low, high = (at - timedelta(days=STALE_DAYS)).timestamp(), at.timestamp()
        first, last = (at - timedelta(days=STALE_DAYS + 1)).date(), (at + timedelta(days=1)).date()  # a day either side
        waiting = []
        for day, doc in days.items():
            if not first <= day <= last:
                continue
            for name, value in doc.items():
                if name.startswith(QUESTION):
                    state = QuestionState.decode(value)
                    if low <= state.asked < high and not _by(state, state.answer, high) and not _by(state, state.resolve, high):
                        waiting.append(OpenQuestion(name[len(QUESTION):], datetime.fromtimestamp(state.asked, zone("UTC"))))
        return waiting


def _by(state: QuestionState, after: int | None, cutoff: float) -> bool:
    """Whether what happened `after` seconds after the question was asked came before `cutoff`."""
    return after is not None and state.asked + after < cutoff


# --- saying the numbers --------------------------------------------------------------------------
def duration_text(locale: str, seconds: float) -> str:
    """"45 min", "2 h", "2 h 15 min", "3 days": minutes count below two days (a median or its change)."""
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return tp(locale, "age.minutes", n=str(minutes))
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return tp(locale, "digest.hours_minutes", hours=str(hours), minutes=str(rest)) if rest else tp(locale, "age.hours", n=str(hours))
    return tp(locale, "age.days", n=str(minutes // (24 * 60)))


def percent(rate: float) -> int:
    return int(round(rate * 100))


def change_text(locale: str, value, previous, *, kind: str = "count") -> Text:
    """" (+2)", " (−1)", " (=)", or nothing when there is nothing to compare with. `kind` is
    "count", "duration" (seconds: a change under a minute is no change) or "rate" (0 to 1: the
    change in percentage points)."""
    if value is None or previous is None:
        return text()
    if kind == "rate":
        value, previous = percent(value), percent(previous)
    delta = value - previous
    if (abs(delta) < 60) if kind == "duration" else delta == 0:
        return t(locale, "digest.change.same")
    if kind == "duration":
        amount = duration_text(locale, abs(delta))
    elif kind == "rate":
        amount = tp(locale, "report.points", n=str(abs(delta)))
    else:
        amount = str(abs(delta))
    return t(locale, "digest.change", delta=("+" if delta > 0 else "−") + amount)
