"""The owner's weekly hour: one checklist per group, by direct message to each owner and co-owner.

Seed: owners "spend about an hour a week" on their group; "delegate or share". At the group's
`owner_digest_day` and `owner_digest_time` (its time zone; `schedules/digest.py`), each owner gets
the same checklist, made of *sections* (`add_section`); this duty's, in their order:

- unanswered questions, oldest first, each with a link to it;
- newcomers who have not posted yet, to introduce;
- the people to thank (`bot.recognition`'s draft, with the reasons);
- the week in numbers, with the change from the week before (`numbers`);
- when no owner has acted for two weeks: a suggestion to share the load, with how to add a co-owner.

Later duties (join requests, flags, stale content) add theirs with `add_section` in the assembly,
without changing this module. The checklist reviews *the last complete week* (Monday to Sunday in
the group's time zone, before the week it is sent in): for the default Monday 09:30, the week that
just ended. Sections are given that reviewed week.

Each DM is a `Post` to the owner with the key `digest:<team>:<channel>:<week>:<owner>` (the week it
is sent in); "Remind me tomorrow" queues a re-send the next local day at the digest time, keyed
`digest:<team>:<channel>:<week>:<owner>:<day>`. "Done for this week" records that the group's
checklist is done (which suppresses the re-sends of every owner) and that an owner acted.

An owner *acts* when they press a checklist button, run a `/community` subcommand in the group,
or are active in it (post, reply, react: `ActivityService.last_active`).
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Callable

from ..activity import MEMBERS, ActivityService, activity_table, member_key
from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group, GroupService
from ..i18n import t, tp
from ..messages import Actions, Button, ChannelRef, Code, Link, Mention, Message, Text, join, people
from ..ports import Directory, Messenger, PlatformError, Post
from ..questions import QuestionService, humanize_age
from ..recognition import RecognitionService
from ..report.metrics import MetricsService, Numbers, change_text, duration_text  # noqa: F401 (duration_text: the digest's too)
from ..store import Store
from ..worktime import local_date, zone

SLOT = "owner_digest"  # the weekly slot (settings `owner_digest`, `owner_digest_day`, `owner_digest_time`)
DONE = "digest_done"  # button action ids (neutral: every adapter routes them)
TOMORROW = "digest_tomorrow"
DONE_WEEKS = "digest_done_weeks"  # per group and week: who marked the checklist done
ACTIONS = "digest_owner_actions"  # per group: the last button press or subcommand of an owner
RESENDS = "digest_resends"  # "remind me tomorrow": one per group, week, owner and day
SHARE_AFTER = timedelta(days=14)
MAX_QUESTIONS = 10
MAX_NEWCOMERS = 10
MAX_CANDIDATES = 2
KEEP_DONE_WEEKS = 8
POSTING = ("messages", "replies", "questions")  # activity counters that are posts
ACTIVITY = POSTING + ("reactions",)

Section = Callable[[Group, str], "list[Text] | None"]


def button_target(value: str) -> tuple[str, str, str] | None:
    """(team, channel, week) from a checklist button's value ("T1:C1:2026-W48"), None if malformed."""
    parts = value.split(":")
    if len(parts) != 3 or not all(parts) or not re.fullmatch(r"\d{4}-W\d{2}", parts[2]):
        return None
    try:
        week_monday(parts[2])
    except ValueError:
        return None
    return parts[0], parts[1], parts[2]


# --- weeks -------------------------------------------------------------------------------------
def week_monday(week: str) -> date:
    year, _, number = week.partition("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def previous_week(week: str) -> str:
    year, number, _ = (week_monday(week) - timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def local_instant(day: date, at: time, tz: str) -> datetime:
    """`day` at the wall time `at` in `tz`. A wall time skipped by a DST change is read with the offset
    before the change, as `bot.periods.weekly_time` does: 02:30 on the spring night in Paris is 03:30."""
    return datetime.combine(day, at, zone(tz)).astimezone(zone("UTC")).astimezone(zone(tz))


def week_bounds(week: str, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of an ISO week in `tz`: Monday 00:00 to the next Monday 00:00, local time."""
    monday = week_monday(week)
    return local_instant(monday, time(0), tz), local_instant(monday + timedelta(days=7), time(0), tz)


# --- the week in numbers -----------------------------------------------------------------------
NUMBER_LINES = (  # (field of `Numbers`, catalogue line), in the order shown
    ("members", "digest.numbers.members"), ("joins", "digest.numbers.joins"), ("leaves", "digest.numbers.leaves"),
    ("active", "digest.numbers.active"), ("asked", "digest.numbers.asked"), ("answered", "digest.numbers.answered"),
    ("median_answer_seconds", "digest.numbers.median"), ("unanswered", "digest.numbers.still_open"),
)


class DigestService:
    def __init__(self, store: Store, clock: Clock, groups: GroupService, activity: ActivityService,
                 questions: QuestionService, recognition: RecognitionService, directory: Directory, messenger: Messenger,
                 metrics: MetricsService | None = None):
        self.store = store
        self.metrics = metrics or MetricsService(store, clock)
        self.clock = clock
        self.groups = groups
        self.activity = activity
        self.questions = questions
        self.recognition = recognition
        self.directory = directory
        self.messenger = messenger
        self._sections: list[tuple[int, int, str, Section]] = []
        # This duty's own sections; later duties add theirs the same way (see `add_section`).
        self.add_section("unanswered", self.unanswered_section, order=10)
        self.add_section("newcomers", self.newcomers_section, order=20)
        self.add_section("thanks", self.thanks_section, order=30)
        self.add_section("numbers", self.numbers_section, order=80)
        self.add_section("share_the_load", self.share_section, order=90)

    # --- the section registry --------------------------------------------------------------
    def add_section(self, name: str, build: Section, *, order: int = 50) -> None:
        """Add a section to every owner checklist. `build(group, week)` returns its lines (the first
        one is its title; text in the group's locale, user text as plain string parts), or None
        (or []) when there is nothing to say this time; `week` is the reviewed week ("2026-W48").
        A line may be an `Actions` row: buttons about the lines just before it, shown under them
        (stale content's Keep / Unpin / Relabel per item).
        Sections are shown by `order`, then in the order they were added: this duty uses 10
        (unanswered), 20 (newcomers), 30 (thanks), 80 (numbers) and 90 (share the load), so things
        to act on (join requests, flags, stale content) fit between 10 and 80. A name is added once."""
        if any(existing == name for _, _, existing, _ in self._sections):
            raise ValueError(f"digest section {name!r} is already added")
        self._sections.append((order, len(self._sections), name, build))
        self._sections.sort(key=lambda entry: entry[:2])

    def section_names(self) -> list[str]:
        return [name for _, _, name, _ in self._sections]

    # --- the checklist ----------------------------------------------------------------------
    def checklist(self, group: Group, week: str, *, reminder: bool = False) -> Message:
        """The checklist sent in `week` (it reviews the week before), with its buttons."""
        reviewed = previous_week(week)
        start, end = week_bounds(reviewed, group.config["timezone"])
        locale = group.locale
        paragraphs = [t(locale, "digest.reminder_lead")] if reminder else []
        paragraphs.append(t(locale, "digest.header", group=ChannelRef(group.channel_id), start=start.date().isoformat(),
                            end=(end - timedelta(days=1)).date().isoformat()))
        rows = []
        for _, _, _, build in self._sections:
            lines, chunk = build(group, reviewed) or [], []
            for line in lines:  # an `Actions` line is a row of buttons under the lines before it
                if isinstance(line, Actions):
                    if chunk:
                        paragraphs.append(join(chunk, "\n"))
                        chunk = []
                    rows.append((len(paragraphs) - 1, line))
                else:
                    chunk.append(line)
            if chunk:
                paragraphs.append(join(chunk, "\n"))
        value = f"{group.key}:{week}"
        return Message.of(*paragraphs, notes=[t(locale, "digest.note", timezone=group.config["timezone"],
                                                    preview=Code("/community digest preview"))],
                          buttons=[Button(tp(locale, "digest.done_button"), DONE, value, primary=True),
                                   Button(tp(locale, "digest.tomorrow_button"), TOMORROW, value)], rows=rows)

    def send_week(self, group: Group, week: str) -> int:
        """The weekly sweep's work: queue this week's checklist to each owner; how many were queued.
        A group set up after the reviewed week ended has nothing to review yet: nothing is sent."""
        self._prune_done_weeks(group, week)
        _, reviewed_end = week_bounds(previous_week(week), group.config["timezone"])
        if group.created_at and parse_iso(group.created_at) >= reviewed_end:
            return 0
        message = self.checklist(group, week)
        return sum(self.messenger.send(Post(key=f"digest:{group.key}:{week}:{owner}", team_id=group.team_id, user_id=owner,
                                            message=message, group=group.key)) for owner in group.owners)

    # --- the buttons ------------------------------------------------------------------------
    def mark_done(self, group: Group, week: str, user_id: str) -> tuple[str, str | None]:
        """"Done for this week": ('done', None), ('already', who marked it) or ('not_owner', None)."""
        if not self.groups.may_own(group, user_id):
            return "not_owner", None
        self.owner_acted(group, user_id, "done")
        record = {"team_id": group.team_id, "channel_id": group.channel_id, "week": week, "done_by": user_id,
                  "done_at": utc_iso(self.clock.now())}
        if self.store.insert_if_absent(DONE_WEEKS, f"{group.key}:{week}", record):
            return "done", None
        return "already", self.done_by(group, week)

    def done_by(self, group: Group, week: str) -> str | None:
        return (self.store.get(DONE_WEEKS, f"{group.key}:{week}") or {}).get("done_by")

    def remind_tomorrow(self, group: Group, week: str, user_id: str) -> tuple[str, datetime | str | None]:
        """"Remind me tomorrow": ('queued', when), ('already_done', who) or ('not_owner', None).
        The re-send is due the next local day at that day's digest time; pressing again the same
        day changes nothing."""
        if not self.groups.may_own(group, user_id):
            return "not_owner", None
        self.owner_acted(group, user_id, "tomorrow")
        done_by = self.done_by(group, week)
        if done_by:
            return "already_done", done_by
        now, tz = self.clock.now(), group.config["timezone"]
        tomorrow = now.astimezone(zone(tz)).date() + timedelta(days=1)
        _, _, at = group.slot(SLOT, local_instant(tomorrow, time(12), tz))
        due = local_instant(tomorrow, time.fromisoformat(at), tz)
        day = tomorrow.isoformat()
        self.store.insert_if_absent(RESENDS, f"{group.key}:{week}:{user_id}:{day}", {
            "team_id": group.team_id, "channel_id": group.channel_id, "week": week, "owner": user_id, "day": day,
            "due_at": utc_iso(due)})
        return "queued", due

    def resend_due(self) -> int:
        """The re-send sweep: queue each re-send due now; how many were queued. Like the weekly
        checklist, a re-send is due from its time to the end of that local day, and dropped after;
        it is dropped too once an owner marked the week done."""
        now = self.clock.now()
        queued = 0
        for doc in self.store.find(RESENDS):
            if parse_iso(doc["due_at"]) > now:
                continue
            key = f"{doc['team_id']}:{doc['channel_id']}:{doc['week']}:{doc['owner']}:{doc['day']}"
            group = self.groups.get(doc["team_id"], doc["channel_id"])
            if (group is not None and self.groups.may_own(group, doc["owner"]) and not self.done_by(group, doc["week"])
                    and local_date(now, group.config["timezone"]) == doc["day"]):
                queued += self.messenger.send(Post(key=f"digest:{key}", team_id=group.team_id, user_id=doc["owner"],
                                                   message=self.checklist(group, doc["week"], reminder=True), group=group.key))
            self.store.delete(RESENDS, key)  # after queueing: a crash in between queues the same key again
        return queued

    # --- owners acting ----------------------------------------------------------------------
    def owner_acted(self, group: Group, user_id: str, how: str) -> None:
        """An owner pressed a checklist button or ran a subcommand in the group."""
        if not self.groups.may_own(group, user_id):
            return
        self.store.put(ACTIONS, group.key, {"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id,
                                            "how": how, "at": utc_iso(self.clock.now())})

    def last_owner_action(self, group: Group) -> datetime | None:
        """When an owner last acted: a checklist button, a subcommand in the group, or activity in it
        (a post, a reply or a reaction). None when no owner ever did."""
        moments = []
        recorded = self.store.get(ACTIONS, group.key)
        if recorded:
            moments.append(parse_iso(recorded["at"]))
        active = self.activity.last_active(group)
        moments += [active[owner] for owner in group.owners if owner in active]
        return max(moments, default=None)

    # --- the numbers ------------------------------------------------------------------------
    def numbers(self, group: Group, week: str) -> Numbers:
        """The week in numbers (`bot.report.metrics` says what each one counts, measured at the end
        of the week). `week` is an ISO week in the group's time zone: Monday 00:00 to the next
        Monday 00:00 local time."""
        monday = week_monday(week)
        return self.metrics.numbers(group, monday, monday + timedelta(days=7))

    def _observed(self, group: Group, week: str) -> bool:
        """Whether the group existed at some point of `week` (a week before it is not compared)."""
        _, end = week_bounds(week, group.config["timezone"])
        return not group.created_at or parse_iso(group.created_at) < end

    # --- this duty's sections -----------------------------------------------------------------
    def unanswered_section(self, group: Group, week: str) -> list[Text] | None:
        """Questions nobody but the asker has replied to yet, oldest first, with links."""
        waiting = [doc for doc in self.questions.open_questions(group.team_id, group.channel_id) if doc["status"] == "open"]
        if not waiting:
            return None
        locale, now = group.locale, self.clock.now()
        lines = [t(locale, "digest.unanswered.title", count=str(len(waiting)))]
        for doc in waiting[:MAX_QUESTIONS]:
            age = humanize_age(locale, (now - parse_iso(doc["asked_at"])).total_seconds())
            link = self._link(group, doc["ts"])
            if link:
                lines.append(t(locale, "digest.unanswered.line", summary=doc["summary"], asker=Mention(doc["asker"]), age=age,
                               link=Link(link, tp(locale, "digest.unanswered.open"))))
            else:
                lines.append(t(locale, "digest.unanswered.line_unlinked", summary=doc["summary"], asker=Mention(doc["asker"]),
                               age=age))
        if len(waiting) > MAX_QUESTIONS:
            lines.append(t(locale, "digest.unanswered.more", count=str(len(waiting) - MAX_QUESTIONS),
                           command=Code("/community unanswered")))
        return lines

    def _link(self, group: Group, message_id: str) -> str | None:
        try:
            return self.directory.permalink(group.team_id, group.channel_id, message_id)
        except PlatformError:
            return None  # the question is still listed, without its link

    def newcomers_section(self, group: Group, week: str) -> list[Text] | None:
        """People who joined since the reviewed week began, are still here, and have posted nothing
        (no message, reply or question) since they joined."""
        start, _ = week_bounds(week, group.config["timezone"])
        now = self.clock.now()
        quiet = []
        for doc in self.store.find(MEMBERS, team_id=group.team_id, channel_id=group.channel_id, status="member"):
            joined = parse_iso(doc["joined_at"]) if doc.get("joined_at") else None
            if joined is not None and joined >= start and not self._posted_since(group, doc["user_id"], joined, now):
                quiet.append((joined, doc["user_id"]))
        if not quiet:
            return None
        locale = group.locale
        quiet.sort()
        lines = [t(locale, "digest.newcomers.title", count=str(len(quiet)), group=ChannelRef(group.channel_id))]
        lines += [t(locale, "digest.newcomers.line", user=Mention(user_id),
                    age=humanize_age(locale, (now - joined).total_seconds())) for joined, user_id in quiet[:MAX_NEWCOMERS]]
        if len(quiet) > MAX_NEWCOMERS:
            lines.append(t(locale, "digest.newcomers.more", count=str(len(quiet) - MAX_NEWCOMERS)))
        return lines

    def _posted_since(self, group: Group, user_id: str, since: datetime, now: datetime) -> bool:
        """Whether the weekly activity records from `since`'s week to now count a post of theirs."""
        key = member_key(group.team_id, group.channel_id, user_id)
        tables, moment = [], since
        while moment < now:
            tables.append(activity_table(moment))
            moment += timedelta(days=7)
        tables.append(activity_table(now))
        return any(any((self.store.get(table, key) or {}).get(name, 0) > 0 for name in POSTING)
                   for table in dict.fromkeys(tables))

    def thanks_section(self, group: Group, week: str) -> list[Text] | None:
        """The people to thank for the reviewed week, with the reasons (`bot.recognition`)."""
        draft = self.recognition.draft(group, week)
        if not draft:
            return None
        locale = group.locale
        return [t(locale, "digest.thanks.title"),
                *(t(locale, "digest.thanks.line", user=Mention(r.user_id), reasons=r.reasons) for r in draft)]

    def numbers_section(self, group: Group, week: str) -> list[Text]:
        """The reviewed week's numbers, with the change from the week before when the group existed then."""
        locale = group.locale
        this = self.numbers(group, week)
        before = previous_week(week)
        then = self.numbers(group, before) if self._observed(group, before) else None
        lines = [t(locale, "digest.numbers.title_first" if then is None else "digest.numbers.title")]
        for name, key in NUMBER_LINES:
            value, previous = getattr(this, name), None if then is None else getattr(then, name)
            if name == "median_answer_seconds":
                shown = duration_text(locale, value) if value is not None else tp(locale, "digest.numbers.none")
                change = self._change(locale, value, previous, duration=True)
            else:
                shown, change = str(value), self._change(locale, value, previous)
            lines.append(t(locale, key, value=shown, change=change))
        return lines

    @staticmethod
    def _change(locale: str, value, previous, *, duration: bool = False) -> Text:
        """" (+2)", " (−1)", " (=)", or nothing when there is nothing to compare with."""
        return change_text(locale, value, previous, kind="duration" if duration else "count")

    def share_section(self, group: Group, week: str) -> list[Text] | None:
        """"Delegate or share": shown when no owner has acted for two weeks (counted from the
        group's set-up when they never did), with how to add a co-owner and who is active lately."""
        now = self.clock.now()
        since = self.last_owner_action(group) or (parse_iso(group.created_at) if group.created_at else None)
        if since is not None and now - since < SHARE_AFTER:
            return None
        locale = group.locale
        lines = [t(locale, "digest.share.title", group=ChannelRef(group.channel_id),
                   days=str((now - since).days) if since else "14+"),
                 t(locale, "digest.share.how", command=Code("/community owners add @someone"))]
        candidates = self._candidates(group)
        if candidates:
            lines.append(t(locale, "digest.share.candidates", people=people(candidates)))
        return lines

    def _candidates(self, group: Group) -> list[str]:
        """The most active members of the last weeks who are not owners, not gone and not bots."""
        gone = {doc["user_id"] for doc in self.store.find(MEMBERS, team_id=group.team_id, channel_id=group.channel_id,
                                                           status="left")}
        chosen = []
        for user_id, _ in self.activity.active_members(group.team_id, group.channel_id):
            if len(chosen) == MAX_CANDIDATES:
                break
            if user_id in group.owners or user_id in gone:
                continue
            try:
                person = self.directory.person(group.team_id, user_id)
            except PlatformError:
                continue
            if not (person.is_bot or person.deleted):
                chosen.append(user_id)
        return chosen

    def _prune_done_weeks(self, group: Group, week: str) -> None:
        oldest = week_monday(week) - timedelta(weeks=KEEP_DONE_WEEKS)
        for doc in self.store.find(DONE_WEEKS, team_id=group.team_id, channel_id=group.channel_id):
            if week_monday(doc["week"]) < oldest:
                self.store.delete(DONE_WEEKS, f"{group.key}:{doc['week']}")
