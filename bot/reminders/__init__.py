"""Visit reminders: a direct message to members who have been away, saying what they missed.

Seed: "remind people to visit". Slack shows no visits, so inactivity is the signal: a member of a
managed group who has not posted, replied or reacted there (`bot.activity`, `last_active`) for
the group's `reminder_after` gets one direct message, at most one per `reminder_every`, in their
own working hours and time zone (the group's `working_hours` and `working_days`, read in the
member's zone). A member never seen active counts from when they joined (`MEMBERS.joined_at`).

When a reminder is due (all times UTC):
    anchor = the later of last activity and joining
    due    = max(anchor + reminder_after, last reminder + reminder_every)
so activity resets the timer, and two reminders are never closer than `reminder_every`.

What it says: the liveliest threads (most replies) with replies since the later of the member's
last activity and their last reminder (what a reminder showed is not news twice), with links,
and the group's unanswered questions that match the member's expertise (declared, assigned for
this group, or learned from answers), at most three of each. Threads are noted for `THREAD_DAYS`,
so older ones are not known. With nothing to show nothing is sent, and the member is looked at
again the next day: a DM saying "nothing happened" only teaches people to ignore the bot.

Never reminded: owners, the bot itself, other bots, deactivated accounts, members who opted out
(the DM's button or `/community reminders off`, per group) and members an owner excluded
(`/community reminders exclude @user`). Members who left are not members.

Cost. The sweep runs on every scheduler tick (`schedules/reminders.py`):
- A group is passed over until the earliest moment one of its members can be due (remembered in
  memory from its last pass, at most `MAX_QUIET` ahead, and forgotten when its settings or owners
  change or a member's choice or exclusion does), so most ticks read nothing. New activity and
  joins only put reminders later, so they need no fresh pass.
- A pass reads three tables once for all groups (members, last activity, reminder records) and
  decides from them alone who is due. Only those are looked up in the `Directory` (bot?
  deactivated? time zone?), longest-waiting first, and at most `MAX_LOOKUPS_PER_SWEEP` people
  not looked up in the last hour: a first sweep over a large group spreads its lookups over many
  ticks instead of spending Slack's rate limits at once. Bots and deactivated accounts are
  recorded as such and not looked up again for `GONE_RECHECK`.
- The reminders of a pass are claimed together: their records (`last_at`, `last_key`) are
  buffered and written in one durable store flush, then the posts are queued. A post's key names
  the group, the member and their local day (`reminder:<team>:<channel>:<user>:<YYYY-MM-DD>`), so
  neither a restart nor a retry sends twice; a crash between the flush and the queueing loses
  those reminders rather than doubling them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..activity import LAST_ACTIVE, MEMBERS, THREAD_DAYS, ActivityService, member_key
from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group, GroupService
from ..i18n import t, tp
from ..messages import Button, ChannelRef, Link, Mention, Message, join
from ..ports import Directory, Messenger, Person, PlatformError, Post
from ..questions import QuestionService
from ..questions.experts import LEARNED_HALF_LIFE_DAYS, TOPIC_WEIGHT, ExpertService
from ..store import Store
from ..text import tokens
from ..worktime import add_working_time, is_working, local_date

TABLE = "reminders"  # per member of a group: opted out, excluded, last reminder, known to be gone
OPT_OUT = "reminder_opt_out"  # the DM's button (value: the group's key)
MAX_THREADS = 3
MAX_QUESTIONS = 3
# users.info is Tier 4 (about 100 calls a minute). At the default 15 s tick, 10 a sweep is at most
# 40 a minute: well under half of it, so welcomes and the question ladder keep theirs.
MAX_LOOKUPS_PER_SWEEP = 10
PERSON_MEMO = timedelta(hours=1)  # as long as the Slack adapter caches a person: no call is saved by less
GONE_RECHECK = timedelta(days=30)  # a bot or deactivated account is looked at again after this
EMPTY_RETRY = timedelta(days=1)  # nothing to show: look again tomorrow
MAX_QUIET = timedelta(hours=1)  # a group is passed over at most this long
GONE_ERRORS = frozenset({"user_not_found", "user_disabled", "account_inactive"})
# What, in a group's settings, changes who is due: a change means a fresh pass at once.
SETTINGS_READ = ("reminder_after", "reminder_every", "working_hours", "working_days")


@dataclass(frozen=True)
class Due:
    """A member whose reminder is due, from the store alone (no lookup yet)."""
    user_id: str
    due_at: datetime
    since: datetime  # what to show happened after this: their last activity or last reminder


class Snapshot:
    """The three tables a pass reads, each read once for every group: {group key: {user: doc}}."""

    def __init__(self, store: Store):
        self.members = self._by_group(store, MEMBERS)
        self.active = self._by_group(store, LAST_ACTIVE)
        self.records = self._by_group(store, TABLE)

    @staticmethod
    def _by_group(store: Store, table: str) -> dict[str, dict[str, dict]]:
        grouped: dict[str, dict[str, dict]] = {}
        for doc in store.find(table):
            grouped.setdefault(f"{doc['team_id']}:{doc['channel_id']}", {})[doc["user_id"]] = doc
        return grouped


class Lookups:
    """The sweep's budget of Directory lookups (people looked up in the last hour are free)."""

    def __init__(self, limit: int):
        self.left = limit

    @property
    def spent(self) -> bool:
        return self.left <= 0


class ReminderService:
    def __init__(self, store: Store, clock: Clock, groups: GroupService, activity: ActivityService,
                 questions: QuestionService, experts: ExpertService, directory: Directory, messenger: Messenger):
        self.store = store
        self.clock = clock
        self.groups = groups
        self.activity = activity
        self.questions = questions
        self.experts = experts
        self.directory = directory
        self.messenger = messenger
        # In memory only (a restart costs one fresh pass, within the lookup budget):
        self._people: dict[tuple[str, str], tuple[datetime, Person]] = {}  # looked up lately
        self._empty: dict[tuple[str, str], datetime] = {}  # (group, member): nothing to show until then
        self._quiet: dict[str, tuple[datetime, tuple]] = {}  # group: (nobody due before, what it read)
        self._edits: dict[str, int] = {}  # group: opt-ins, opt-outs, exclusions so far (they end a quiet window)

    # --- settings per member -------------------------------------------------------------------
    def state(self, group: Group, user_id: str) -> dict:
        return self.store.get(TABLE, member_key(group.team_id, group.channel_id, user_id)) or {}

    def set_opted_out(self, group: Group, user_id: str, opted_out: bool) -> None:
        self._change(group, user_id, {"opted_out": opted_out})

    def set_excluded(self, group: Group, user_id: str, excluded: bool) -> None:
        self._change(group, user_id, {"excluded": excluded})

    def _change(self, group: Group, user_id: str, fields: dict) -> None:
        def change(doc):
            return {**(doc or {"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id}), **fields}
        self.store.update(TABLE, member_key(group.team_id, group.channel_id, user_id), change)
        self._edits[group.key] = self._edits.get(group.key, 0) + 1  # someone may be due sooner now

    # --- who is due (store only) ---------------------------------------------------------------
    def due(self, group: Group, now: datetime, snapshot: Snapshot | None = None) -> tuple[list[Due], datetime | None]:
        """Members whose reminder is due now, longest-waiting first, from the store alone, and the
        earliest moment another one will be. Members are those present, or seen active and never
        seen leaving; owners, opted out and excluded members, known bots and deactivated accounts,
        and those with nothing to show today are left out."""
        snapshot = snapshot or Snapshot(self.store)
        config = group.config
        after, every = timedelta(seconds=config["reminder_after"]), timedelta(seconds=config["reminder_every"])
        anchors: dict[str, datetime] = {}
        left: set[str] = set()
        for user_id, doc in snapshot.members.get(group.key, {}).items():
            if doc.get("status") == "left":
                left.add(user_id)
            elif doc.get("joined_at"):
                anchors[user_id] = parse_iso(doc["joined_at"])
        for user_id, doc in snapshot.active.get(group.key, {}).items():
            at = parse_iso(doc["at"])
            if user_id not in left and (user_id not in anchors or at > anchors[user_id]):
                anchors[user_id] = at
        records = snapshot.records.get(group.key, {})
        owners = set(group.owners)
        due, upcoming = [], None
        for user_id, since in anchors.items():
            record = records.get(user_id)
            if user_id in owners or (record and (record.get("opted_out") or record.get("excluded"))):
                continue
            due_at = since + after
            if record and record.get("last_at"):
                reminded = parse_iso(record["last_at"])
                due_at = max(due_at, reminded + every)
                since = max(since, reminded)  # what the last reminder showed is not news
            if record and record.get("gone_until"):
                due_at = max(due_at, parse_iso(record["gone_until"]))
            if (group.key, user_id) in self._empty:
                due_at = max(due_at, self._empty[(group.key, user_id)])
            if due_at <= now:
                due.append(Due(user_id, due_at, since))
            elif upcoming is None or due_at < upcoming:
                upcoming = due_at
        due.sort(key=lambda d: (d.due_at, d.user_id))
        return due, upcoming

    # --- the sweep -----------------------------------------------------------------------------
    def sweep(self) -> int:
        """Queue every reminder due now, within the lookup budget; how many were queued."""
        now = self.clock.now()
        groups = [g for g in self.groups.all() if g.config["reminders"] and self._may_be_due(g, now)]
        if not groups:
            return 0
        self._forget(now)
        reads = {group.key: self._reads(group) for group in groups}  # before the snapshot: an edit after it counts
        snapshot = Snapshot(self.store)
        budget = Lookups(MAX_LOOKUPS_PER_SWEEP)
        return sum(self.sweep_group(group, now, budget, snapshot, reads[group.key]) for group in groups)

    def _reads(self, group: Group) -> tuple:
        """What a pass over the group depended on, besides the tables it read."""
        config = group.config
        return tuple(config[name] for name in SETTINGS_READ) + (tuple(group.owners), self._edits.get(group.key, 0))

    def _may_be_due(self, group: Group, now: datetime) -> bool:
        quiet = self._quiet.get(group.key)
        return quiet is None or quiet[0] <= now or quiet[1] != self._reads(group)

    def sweep_group(self, group: Group, now: datetime, budget: Lookups, snapshot: Snapshot, reads: tuple) -> int:
        due, upcoming = self.due(group, now, snapshot)
        next_pass = min(upcoming or now + MAX_QUIET, now + MAX_QUIET)
        ready: list[tuple[Due, str, Message]] = []
        if due:
            config = group.config
            content = Content(self, group, now)
            try:
                bot = self.directory.bot_user_id(group.team_id)
            except PlatformError:
                bot, due, next_pass = None, [], now  # the platform is not answering: next tick
            for member in due:
                if member.user_id == bot:
                    continue
                person = self._person(group.team_id, member.user_id, now, budget)
                if person is None:  # the budget is spent, or the platform did not answer
                    next_pass = now
                    break
                if person.is_bot or person.deleted:
                    self.store.accumulate(TABLE, member_key(group.team_id, group.channel_id, member.user_id),
                                          latest=self._record(group, member.user_id, gone_until=utc_iso(now + GONE_RECHECK)))
                    continue
                hours, days = config["working_hours"], config["working_days"]
                if not is_working(now, person.timezone, hours, days):
                    next_pass = min(next_pass, add_working_time(now, 0, person.timezone, hours, days))
                    continue
                message = content.message_for(member)
                if message is None:
                    self._empty[(group.key, member.user_id)] = now + EMPTY_RETRY
                    next_pass = min(next_pass, now + EMPTY_RETRY)
                    continue
                ready.append((member, f"reminder:{group.team_id}:{group.channel_id}:{member.user_id}:"
                                      f"{local_date(now, person.timezone)}", message))
        self._quiet[group.key] = (next_pass, reads)
        return self._send(group, now, ready)

    def _send(self, group: Group, now: datetime, ready: list[tuple[Due, str, Message]]) -> int:
        """Claim the reminders in one durable write, then queue their posts."""
        claimed = []
        for member, key, message in ready:
            record = self.state(group, member.user_id)  # an opt-out or exclusion since the pass wins
            if record.get("opted_out") or record.get("excluded") or record.get("last_key") == key:
                continue
            self.store.accumulate(TABLE, member_key(group.team_id, group.channel_id, member.user_id),
                                  latest=self._record(group, member.user_id, last_at=utc_iso(now), last_key=key))
            claimed.append((member, key, message))
        if claimed:
            self.store.flush()  # the records are on disk before any post is queued
        for member, key, message in claimed:
            self.messenger.send(Post(key=key, team_id=group.team_id, user_id=member.user_id, message=message, group=group.key))
        return len(claimed)

    @staticmethod
    def _record(group: Group, user_id: str, **fields) -> dict:
        return {"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id, **fields}

    def _person(self, team_id: str, user_id: str, now: datetime, budget: Lookups) -> Person | None:
        """Who they are, from the last hour's lookups or from the Directory while the budget lasts;
        None when the budget is spent or the platform did not answer (later, then). An account the
        platform no longer knows comes back as deleted."""
        memo = self._people.get((team_id, user_id))
        if memo and memo[0] > now:
            return memo[1]
        if budget.spent:
            return None
        budget.left -= 1
        try:
            person = self.directory.person(team_id, user_id)
        except PlatformError as error:
            if error.code not in GONE_ERRORS:
                budget.left = 0  # rate limited or down: stop asking this sweep
                return None
            person = Person(user_id, deleted=True)
        self._people[(team_id, user_id)] = (now + PERSON_MEMO, person)
        return person

    def _forget(self, now: datetime) -> None:
        for memo in (self._people, self._empty):
            for key in [key for key, value in memo.items() if (value[0] if isinstance(value, tuple) else value) <= now]:
                del memo[key]


class Content:
    """What a group has to show its away members in one pass: its lively threads, its open
    questions' words, and permalinks, each read or looked up once per pass."""

    def __init__(self, service: ReminderService, group: Group, now: datetime):
        self.service = service
        self.group = group
        self.now = now
        self._threads: list[dict] | None = None
        self._questions: list[tuple[dict, set[str]]] | None = None
        self._links: dict[str, str | None] = {}

    def threads(self) -> list[dict]:
        if self._threads is None:  # every thread still noted; each member's own "since" filters
            self._threads = self.service.activity.lively_threads(self.group, self.now - timedelta(days=THREAD_DAYS + 1))
        return self._threads

    def questions(self) -> list[tuple[dict, set[str]]]:
        """The group's unanswered questions, oldest first, each with its words."""
        if self._questions is None:
            group = self.group
            self._questions = [(doc, set(tokens(doc["text"])))
                               for doc in self.service.questions.open_questions(group.team_id, group.channel_id)
                               if doc["status"] == "open"]
        return self._questions

    def expertise(self, user_id: str) -> dict[str, float]:
        """The member's words and their weights, as the expert ranking counts them: declared
        topics, topics assigned in this group, and words learned from answers (fading)."""
        profile = self.service.experts.profile(self.group.team_id, user_id)
        if profile.get("opted_out"):
            return {}  # they paused being asked about questions: none are put to them here either
        weights: dict[str, float] = {}
        for topic in profile.get("topics", []) + profile.get("assigned", {}).get(self.group.channel_id, []):
            for term in tokens(topic):
                weights[term] = weights.get(term, 0.0) + TOPIC_WEIGHT
        for term, (weight, at, _) in profile.get("learned", {}).items():
            age_days = max((self.now - parse_iso(at)).total_seconds() / 86400, 0)
            weights[term] = weights.get(term, 0.0) + weight * 0.5 ** (age_days / LEARNED_HALF_LIFE_DAYS)
        return weights

    def link(self, message_id: str) -> str | None:
        """The message's permalink; None when the platform would not give one (the item is left
        out: a thread is only its link here)."""
        if message_id not in self._links:
            try:
                self._links[message_id] = self.service.directory.permalink(self.group.team_id, self.group.channel_id, message_id)
            except PlatformError:
                self._links[message_id] = None
        return self._links[message_id]

    def message_for(self, member: Due) -> Message | None:
        """The member's reminder; None when there is nothing to show."""
        locale, group = self.group.locale, self.group
        threads, shown = [], set()
        for thread in self.threads():  # most replies first
            if thread["last_reply_at"] >= member.since and (url := self.link(thread["id"])):
                shown.add(thread["id"])
                replies = tp(locale, "reminders.replies.one" if thread["replies"] == 1 else "reminders.replies.many",
                             n=str(thread["replies"]))
                threads.append(t(locale, "reminders.thread", link=Link(url, replies), author=Mention(thread["author"])))
                if len(threads) == MAX_THREADS:
                    break
        questions = []
        weights = self.expertise(member.user_id) if self.questions() else {}
        scored = [(sum(weights[w] for w in words if w in weights), doc) for doc, words in self.questions()
                  if doc["asker"] != member.user_id and doc["ts"] not in shown]
        for score, doc in sorted((item for item in scored if item[0] > 0), key=lambda item: -item[0]):
            if url := self.link(doc["ts"]):
                questions.append(t(locale, "reminders.question", summary=doc["summary"], asker=Mention(doc["asker"]),
                                   link=Link(url, tp(locale, "reminders.question_link"))))
                if len(questions) == MAX_QUESTIONS:
                    break
        if not threads and not questions:
            return None
        paragraphs = [t(locale, "reminders.header", user=Mention(member.user_id), group=ChannelRef(group.channel_id))]
        if threads:
            paragraphs.append(join([t(locale, "reminders.threads_header"), *threads], "\n"))
        if questions:
            paragraphs.append(join([t(locale, "reminders.questions_header"), *questions], "\n"))
        config = group.config
        why = t(locale, "reminders.why", group=ChannelRef(group.channel_id), after=days(locale, config["reminder_after"]),
                every=days(locale, config["reminder_every"]))
        return Message.of(*paragraphs, notes=[why],
                          buttons=[Button(tp(locale, "reminders.opt_out_button"), OPT_OUT, group.key)])


def days(locale: str, seconds: int) -> str:
    n = max(round(seconds / 86400), 1)
    return tp(locale, "reminders.days.one" if n == 1 else "reminders.days.many", n=str(n))
