"""Evangelise: a shareable report of the group's last weeks, and the weekly numbers as a CSV.

Seed: "evangelise, citing success stories from your group". `/community report [weeks]` gives an
owner, privately, a summary to copy and share, in the group's language: the numbers of the last
complete weeks (Monday to Sunday in the group's time zone) with the change from as many weeks
before (`bot.report.metrics`), the best-answered questions as success stories (with links and who
helped), the events held and their follow-ups, and the newcomers who became contributors.
`/community export [weeks]` sends the weekly numbers as a CSV file to the owner's direct messages
(the `Workspace` port's `upload_file`).

- Success stories: questions asked in the period and resolved by its end with someone's help, the
  most helped first (people other than the asker who replied), then the fastest first answer.
- Newcomers who became contributors: people whose latest join is in the period and who, in it,
  answered a question that got resolved, welcomed a newcomer, started a thread others joined or
  received kudos (the recognition's record), with what they did.
- Events: when an events duty is assembled (`core.events`), its `held(group, start, end)` (aware
  datetimes, [start, end)) gives the events held in the period; each one is read for `title`,
  `starts_at` (a datetime), `going` and `followups` (numbers, or collections that are counted) and
  an optional `link`, as attributes or keys. Without it the section is left out.
- People who asked not to be named by the weekly recognition are not named here either.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from ..activity import CONTRIBUTIONS, Contribution, contributions_table, member_key
from ..clock import Clock, parse_iso
from ..groups import Group
from ..i18n import t, tp
from ..messages import ChannelRef, Code, Link, Mention, Message, Text, join, people, text
from ..ports import Directory, Messenger, PlatformError, Post, Workspace
from ..questions import OPEN, archive_table, question_key
from ..recognition import RecognitionService, reasons
from ..store import Store
from ..worktime import zone
from .metrics import MetricsService, Numbers, change_text, duration_text, midnight, percent, week_start

REPORT_WEEKS, EXPORT_WEEKS, MAX_WEEKS = 4, 12, 52
MAX_STORIES = 3
MAX_NEWCOMERS = 10
MAX_EVENTS = 10
SEND_REPORT = "report_send"  # button action id (value: the group's key): the report by direct message
EXPORTED = "report.exported"  # the audit trail's action for an export

# The report's number lines: (field, catalogue line, how its change is said).
LINES = (
    ("members", "report.numbers.members", "count"), ("joins", "report.numbers.joins", "count"),
    ("active", "report.numbers.active", "count"), ("asked", "report.numbers.asked", "count"),
    ("answered", "report.numbers.answered", "count"), ("resolved", "report.numbers.resolved", "count"),
    ("response_rate", "report.numbers.rate", "rate"), ("median_answer_seconds", "report.numbers.median", "duration"),
    ("unanswered", "report.numbers.unanswered", "count"), ("kudos", "report.numbers.kudos", "count"),
    ("thanked", "report.numbers.thanked", "count"),
)
# The CSV's columns, stable whatever the group's language (a spreadsheet or a script reads them).
COLUMNS = ("week", "start", "end", "members", "new_members", "left", "active_members", "questions_asked", "answered",
           "resolved", "response_rate_percent", "median_first_answer_minutes", "still_unanswered", "kudos",
           "people_thanked")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would read such a cell as a formula


class NoWorkspace(RuntimeError):
    """There is no platform to upload a file to (the core runs without one)."""


def parse_weeks(rest: str, default: int) -> int | None:
    """The `[weeks]` argument: `default` when absent, None unless a whole number from 1 to MAX_WEEKS."""
    rest = rest.strip()
    if not rest:
        return default
    # Two figures at most before int(): Python refuses to convert thousands of digits (a traceback).
    if not rest.isascii() or not rest.isdigit() or len(rest) > 2 or not 1 <= int(rest) <= MAX_WEEKS:
        return None
    return int(rest)


def weeks_text(locale: str, weeks: int) -> str:
    """"1 week", "12 weeks"."""
    return tp(locale, "report.weeks.one") if weeks == 1 else tp(locale, "report.weeks.many", n=str(weeks))


def safe_cell(value) -> str:
    """A CSV cell that no spreadsheet runs as a formula: one starting with = + - @ gets a quote first."""
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


@dataclass(frozen=True)
class Period:
    start: date  # first local day
    end: date  # the day after the last
    weeks: int

    @property
    def before(self) -> "Period":
        return Period(self.start - timedelta(weeks=self.weeks), self.start, self.weeks)


class ReportService:
    def __init__(self, store: Store, clock: Clock, metrics: MetricsService, recognition: RecognitionService,
                 directory: Directory, messenger: Messenger, workspace: Workspace | None, audit,
                 events: Callable[[], object] = lambda: None):
        self.store = store
        self.clock = clock
        self.metrics = metrics
        self.recognition = recognition
        self.directory = directory
        self.messenger = messenger
        self.workspace = workspace
        self.audit = audit
        self.events = events  # the events duty's service when assembled (read when a report is made)

    def period(self, group: Group, weeks: int) -> Period:
        """The last `weeks` complete weeks, in the group's time zone."""
        end = week_start(self.metrics.today(group))
        return Period(end - timedelta(weeks=weeks), end, weeks)

    # --- the report -----------------------------------------------------------------------------
    def report(self, group: Group, weeks: int) -> Text:
        locale, tz = group.locale, group.config["timezone"]
        period = self.period(group, weeks)
        # Read once for the whole report: the member records and the days of both periods.
        membership = self.metrics.membership(group)
        days = self.metrics.days(group, period.before.start - timedelta(days=1), period.end + timedelta(days=1))
        previous, now = self.metrics.series(group, [period.before.start, period.start, period.end], days=days,
                                            membership=membership)
        if not self.metrics.observed(group, period.before.end):
            previous = None
        head = [t(locale, "report.header.one" if weeks == 1 else "report.header.many", group=ChannelRef(group.channel_id),
                  weeks=str(weeks), start=period.start.isoformat(), end=(period.end - timedelta(days=1)).isoformat())]
        if group.created_at and parse_iso(group.created_at) > midnight(period.start, tz):
            head.append(t(locale, "report.followed_since", date=parse_iso(group.created_at).astimezone(zone(tz)).date().isoformat()))
        sections = [join(head, "\n"), join(self._number_lines(locale, now, previous), "\n")]
        for lines in (self._stories(group, period, days), self._events(group, period),
                      self._newcomers(group, period, membership)):
            if lines:
                sections.append(join(lines, "\n"))
        sections.append(t(locale, "report.note", timezone=tz, export=Code("/community export")))
        return join(sections, "\n\n")

    @staticmethod
    def _number_lines(locale: str, now: Numbers, previous: Numbers | None) -> list[Text]:
        lines = [t(locale, "report.numbers.title" if previous else "report.numbers.title_first")]
        for name, key, kind in LINES:
            value = getattr(now, name)
            before = getattr(previous, name) if previous else None
            if value is None:
                shown = tp(locale, "digest.numbers.none")
            elif kind == "rate":
                shown = tp(locale, "report.percent", n=str(percent(value)))
            elif kind == "duration":
                shown = duration_text(locale, value)
            else:
                shown = str(value)
            lines.append(t(locale, key, value=shown, change=change_text(locale, value, before, kind=kind)))
        return lines

    def _named(self, group: Group, user_id: str | None) -> bool:
        return bool(user_id) and not self.recognition.is_opted_out(group.team_id, user_id)

    def _stories(self, group: Group, period: Period, days) -> list[Text]:
        """The best-answered questions of the period: resolved by its end, with help."""
        cutoff = midnight(period.end, group.config["timezone"]).timestamp()
        helped = [(ts, state) for ts, state in self.metrics.asked(group, period.start, period.end, days=days)
                  if state.resolve is not None and state.asked + state.resolve < cutoff and (state.helpers or state.answered_by)]
        helped.sort(key=lambda item: (-item[1].helpers, item[1].answer if item[1].answer is not None else item[1].resolve,
                                      item[0]))
        locale = group.locale
        lines = []
        for ts, state in helped[:MAX_STORIES]:
            doc = self._question(group, ts, state.asked)
            if doc is None:
                continue
            answerer = doc.get("answerer") or doc.get("first_replier")
            others = [user for user in dict.fromkeys((doc.get("replies") or {}).values())
                      if user not in (doc["asker"], answerer) and self._named(group, user)]
            who = t(locale, "report.stories.answered_by", user=Mention(answerer)) if self._named(group, answerer) \
                else t(locale, "report.stories.answered")
            speed = t(locale, "report.stories.in", duration=duration_text(locale, doc["answer_seconds"])) \
                if doc.get("answer_seconds") is not None else text()
            also = t(locale, "report.stories.with", people=people(others)) if others else text()
            link = self._link(group, ts)
            opens = t(locale, "report.stories.link", link=Link(link, tp(locale, "digest.unanswered.open"))) if link else text()
            lines.append(t(locale, "report.stories.line", question=doc["summary"], link=opens, who=who, speed=speed,
                           others=also))
        if not lines:
            return []
        title = "report.stories.title.one" if len(helped) == 1 else "report.stories.title.many"
        return [t(locale, title, count=str(len(helped))), *lines]

    def _question(self, group: Group, ts: str, asked: int) -> dict | None:
        key = question_key(group.team_id, group.channel_id, ts)
        archived = self.store.get(archive_table(datetime.fromtimestamp(asked, zone("UTC"))), key)
        return archived or self.store.get(OPEN, key)

    def _link(self, group: Group, ts: str) -> str | None:
        try:
            return self.directory.permalink(group.team_id, group.channel_id, ts)
        except PlatformError:
            return None  # the story is told without its link

    def _events(self, group: Group, period: Period) -> list[Text]:
        events = self.events()
        if events is None:
            return []
        tz, locale = group.config["timezone"], group.locale
        held = list(events.held(group, midnight(period.start, tz), midnight(period.end, tz)))
        if not held:
            return [t(locale, "report.events.title"), t(locale, "report.events.none")]
        lines = [t(locale, "report.events.title")]
        for item in held[:MAX_EVENTS]:
            starts = _field(item, "starts_at")
            when = starts.astimezone(zone(tz)).strftime("%Y-%m-%d") if isinstance(starts, datetime) else ""
            link = _field(item, "link")
            title = Link(link, str(_field(item, "title") or "")) if link else str(_field(item, "title") or "")
            lines.append(t(locale, "report.events.line", title=title, date=when, going=str(_count(_field(item, "going"))),
                           followups=str(_count(_field(item, "followups")))))
        if len(held) > MAX_EVENTS:
            lines.append(t(locale, "report.more", count=str(len(held) - MAX_EVENTS)))
        return lines

    def _newcomers(self, group: Group, period: Period, membership) -> list[Text]:
        """People whose latest join is in the period and who helped in it, most helpful first."""
        tz, locale = group.config["timezone"], group.locale
        weeks = [f"{year}-W{week:02d}" for year, week, _ in
                 ((period.start + timedelta(weeks=n)).isocalendar() for n in range(period.weeks))]
        found = []
        for user_id, joined in membership.joined_between(midnight(period.start, tz), midnight(period.end, tz)):
            if not self._named(group, user_id):
                continue
            done = self._contribution(group, user_id, weeks)
            if any(getattr(done, name) for name in CONTRIBUTIONS):
                found.append((joined, done))
        if not found:
            return []
        found.sort(key=lambda item: (-sum(getattr(item[1], name) for name in CONTRIBUTIONS), item[0]))
        lines = [t(locale, "report.newcomers.title", count=str(len(found)))]
        lines += [t(locale, "report.newcomers.line", user=Mention(done.user_id),
                    date=joined.astimezone(zone(tz)).date().isoformat(), what=reasons(locale, done))
                  for joined, done in found[:MAX_NEWCOMERS]]
        if len(found) > MAX_NEWCOMERS:
            lines.append(t(locale, "report.more", count=str(len(found) - MAX_NEWCOMERS)))
        return lines

    def _contribution(self, group: Group, user_id: str, weeks: list[str]) -> Contribution:
        totals: dict[str, int] = {}
        key = member_key(group.team_id, group.channel_id, user_id)
        for week in weeks:
            for name, value in (self.store.get(contributions_table(week), key) or {}).items():
                if (name in CONTRIBUTIONS or name.startswith("topic:")) and isinstance(value, (int, float)):
                    totals[name] = totals.get(name, 0) + int(value)
        topics = sorted((name[6:] for name, value in totals.items() if name.startswith("topic:") and value > 0),
                        key=lambda topic: (-totals[f"topic:{topic}"], -len(topic), topic))  # as the recognition orders them
        return Contribution(user_id, topics=tuple(topics), **{name: max(totals.get(name, 0), 0) for name in CONTRIBUTIONS})

    def send(self, group: Group, user_id: str, request_id: str) -> bool:
        """The report (the default weeks) by direct message: the dashboard's button. False when
        this request was already answered."""
        return self.messenger.send(Post(key=f"report:{group.key}:{user_id}:{request_id}", team_id=group.team_id,
                                        user_id=user_id, message=Message.of(self.report(group, REPORT_WEEKS)), group=group.key))

    # --- the export -----------------------------------------------------------------------------
    def csv(self, group: Group, weeks: int) -> str:
        """One row per complete week, oldest first, under a header (`COLUMNS`); a week that ended
        before the group was set up has its dates only (the bot has no record of it)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for n in self.metrics.weeks(group, weeks):
            if not self.metrics.observed(group, n.end):
                writer.writerow([n.week, n.start.isoformat(), (n.end - timedelta(days=1)).isoformat()] + [""] * (len(COLUMNS) - 3))
                continue
            median = None if n.median_answer_seconds is None else f"{n.median_answer_seconds / 60:.1f}"
            rate = None if n.response_rate is None else percent(n.response_rate)
            writer.writerow([safe_cell(value) for value in (
                n.week, n.start.isoformat(), (n.end - timedelta(days=1)).isoformat(), n.members, n.joins, n.leaves,
                n.active, n.asked, n.answered, n.resolved, rate, median, n.unanswered, n.kudos, n.thanked)])
        return out.getvalue()

    def export(self, group: Group, user_id: str, weeks: int) -> str:
        """Upload the CSV to the owner's direct messages and note it in the audit trail: the file's
        name. Raises PlatformError when the platform refuses, NoWorkspace without a platform."""
        if self.workspace is None:
            raise NoWorkspace("no workspace to upload to")
        period = self.period(group, weeks)
        first, last = (f"{y}-W{w:02d}" for y, w, _ in (period.start.isocalendar(), (period.end - timedelta(days=1)).isocalendar()))
        filename = f"community-{group.channel_id}-{first}-to-{last}.csv"
        comment = t(group.locale, "report.export.comment", group=ChannelRef(group.channel_id),
                    weeks=weeks_text(group.locale, weeks), start=period.start.isoformat(), end=(period.end - timedelta(days=1)).isoformat())
        self.workspace.upload_file(group.team_id, user_id, filename, self.csv(group, weeks),
                                   title=tp(group.locale, "report.export.title", first=first, last=last), comment=comment)
        self.audit.record(group.key, user_id, EXPORTED, detail=tp(group.locale, "report.export.detail", weeks=weeks_text(group.locale, weeks)))
        return filename


def _field(item, name: str):
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _count(value) -> int:
    if value is None:
        return 0
    return int(value) if isinstance(value, (int, float)) else len(value)
