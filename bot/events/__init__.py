"""Events with an online follow-up: an owner plans a meeting, members answer, the bot reminds,
then asks attendees for their to-dos and updates afterwards, and nudges once those who went.

Seed: "organise offline events … use the online community for follow-up after an in-person
meeting, e.g. a discussion where everyone posts updates on their to-dos".

Who: owners create, edit and cancel (`/community event`, the card's **Edit**); members answer with
the card's buttons and see `/community event list`. Members do not propose events: a post in the
group's name that everyone is reminded of is the owners' call, and a proposal queue would be one
more thing for owners to watch; a member asks an owner, as for any announcement.

The card (`edits.py`: its coalesced edits in place; `card.py`: what it says) and the timeline
(`timeline.py`: when each step falls due; `sweep.py`: one sweep over the live events that sends
them, restart-safe and idempotent). Slack's `chat.scheduleMessage` is not used: it would have to be
deleted and scheduled again on every edit, answer and cancellation, and the sweep already runs.

Tables:
- `events`: the live events (scheduled, or held until their last nudge is due), small; a finished
  or cancelled event moves to `events_past.<year of its start>`, read only by `held`.
- `event_cards`: `<team>:<channel>:<card ts>` → the event, so a thread reply finds its event.
- `event_followups`: per event, buffered counts of the replies in its follow-up thread
  (`replies`, `from:<user>`), counted once per message event.
Participation: a reply in the follow-up thread (after it was posted) is counted for the event, and
a person's first reply in it earns them the recognition credit `followups` (`bot.activity`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..activity import ActivityService
from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group, GroupService
from ..i18n import t
from ..messages import Text
from ..outbox import Outbox
from ..ports import Directory, PlatformError, Post
from ..store import Store
from . import card as render
from .card import ANSWERS, GOING, MAYBE, attendees
from .edits import CardEdits
from .sweep import TimelineSweep
from .tables import ARCHIVE, CARDS, FOLLOWUPS, TABLE, TRACK_CARD, event_key
from .timeline import BadWallTime, start_from_wall

MAX_TITLE, MAX_PLACE, MAX_LINK, MAX_DESCRIPTION = 150, 200, 500, 1500
MAX_AHEAD = timedelta(days=365)
_LINK = re.compile(r"^https?://[^\s/$.?#][^\s<>|]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Draft:
    """The owner's form, as typed: a wall date and time in the group's time zone."""
    title: str = ""
    date: str = ""
    time: str = ""
    place: str = ""
    link: str = ""
    description: str = ""
    cancel: bool = False


@dataclass(frozen=True)
class EventForm:
    """What a platform shows to create (`event_id` "") or edit an event, prefilled with `draft`."""
    team_id: str
    channel_id: str
    locale: str
    timezone: str
    event_id: str = ""
    draft: Draft = field(default_factory=Draft)


@dataclass(frozen=True)
class Upcoming:
    key: str
    team_id: str
    channel_id: str
    title: str
    start: datetime
    place: str
    going: int
    maybe: int
    mine: str | None = None  # the asking member's answer, when a member was named


@dataclass(frozen=True)
class Held:
    key: str
    channel_id: str
    title: str
    start: datetime
    went: tuple[str, ...]  # said they were going
    follow_up_replies: int
    repliers: tuple[str, ...]  # most replies first

    # The names the owner's report reads (`bot.report`): when, how many going, follow-up replies.
    @property
    def starts_at(self) -> datetime:
        return self.start

    @property
    def going(self) -> int:
        return len(self.went)

    @property
    def followups(self) -> int:
        return self.follow_up_replies


def _visible(value: str) -> str:
    """The text without format characters (zero-width spaces and joiners, direction marks), which
    show nothing: a title of only those would leave the card's title blank."""
    return "".join(char for char in value if unicodedata.category(char) != "Cf").strip()


class EventService(CardEdits, TimelineSweep):
    """The form, the answers, participation and the reads; the card's edits (`CardEdits`) and the
    timeline's sweep (`TimelineSweep`) are its other parts."""

    def __init__(self, store: Store, clock: Clock, groups: GroupService, activity: ActivityService, directory: Directory,
                 messenger: Outbox, workspace=None, audit=None):
        self.store = store
        self.clock = clock
        self.groups = groups
        self.activity = activity
        self.directory = directory
        self.messenger = messenger
        self.workspace = workspace
        self.audit = audit

    # --- the form ------------------------------------------------------------------------------
    def check(self, group: Group, user_id: str, draft: Draft, event_id: str = "") -> dict[str, Text]:
        """What is wrong with a submitted form, by field ("title", "date", "time", "place", "link",
        "description"); empty when it can be saved. The permission and the event's state are
        checked too (a forged submission is refused like a bad field)."""
        locale, tz = group.locale, group.config["timezone"]
        if not self.groups.may_own(group, user_id):
            return {"title": t(locale, "events.error.not_owner")}
        if event_id:
            doc = self.get(group.team_id, event_id)
            if doc is None or doc["channel_id"] != group.channel_id:
                return {"title": t(locale, "events.error.unknown")}
            if doc["status"] != "scheduled" or parse_iso(doc["start"]) <= self.clock.now():
                return {"title": t(locale, "events.error.closed")}
            if draft.cancel:
                return {}
        errors: dict[str, Text] = {}
        for name, limit, required in (("title", MAX_TITLE, True), ("place", MAX_PLACE, True), ("link", MAX_LINK, False),
                                      ("description", MAX_DESCRIPTION, False)):
            value = getattr(draft, name).strip()
            if required and not _visible(value):
                errors[name] = t(locale, "events.error.required")
            elif len(value) > limit:
                errors[name] = t(locale, "events.error.too_long", length=str(len(value)), limit=str(limit))
        if "link" not in errors and draft.link.strip() and not _LINK.match(draft.link.strip()):
            errors["link"] = t(locale, "events.error.bad_link")
        try:
            start = start_from_wall(draft.date, draft.time, tz)
        except BadWallTime as bad:
            key = {"date": "events.error.bad_date", "time": "events.error.bad_time", "gap": "events.error.no_such_time"}[bad.reason]
            errors["date" if bad.reason == "date" else "time"] = t(locale, key, date=draft.date.strip(), time=draft.time.strip(), timezone=tz)
            return errors
        now = self.clock.now()
        if start <= now:
            errors["date"] = t(locale, "events.error.past", date=draft.date.strip(), time=draft.time.strip(), timezone=tz)
        elif start - now > MAX_AHEAD:
            errors["date"] = t(locale, "events.error.too_far", days=str(MAX_AHEAD.days))
        return errors

    def open_form(self, group: Group, user_id: str, trigger_id: str, event_id: str = "") -> str:
        """Show the form (create, or edit prefilled): "opened", "not_owner", "unknown", "closed".
        Raises PlatformError when the platform refuses to show it."""
        if not self.groups.may_own(group, user_id):
            return "not_owner"
        draft = Draft()
        if event_id:
            doc = self.get(group.team_id, event_id)
            if doc is None or doc["channel_id"] != group.channel_id:
                return "unknown"
            if doc["status"] != "scheduled" or parse_iso(doc["start"]) <= self.clock.now():
                return "closed"
            local = render.wall(parse_iso(doc["start"]), group.config["timezone"])
            draft = Draft(doc["title"], local.strftime("%Y-%m-%d"), local.strftime("%H:%M"), doc["place"], doc.get("link", ""),
                          doc.get("description", ""))
        self.workspace.open_event_form(group.team_id, trigger_id, EventForm(group.team_id, group.channel_id, group.locale,
                                                                            group.config["timezone"], event_id, draft))
        return "opened"

    def save(self, group: Group, user_id: str, draft: Draft, *, form_id: str, event_id: str = "",
             shown: Draft | None = None) -> str:
        """A submitted form: "created", "edited", "cancelled", "unchanged", or "refused" (`check`
        found something: the platform showed it in the form already). `shown`: what the edit form
        showed when it was opened; a field left as shown is not changed (another owner may have
        changed it since)."""
        if self.check(group, user_id, draft, event_id):
            return "refused"
        if not event_id:
            return self._create(group, user_id, draft, form_id)
        if draft.cancel:
            return self.cancel(group, user_id, event_id)
        return self._edit(group, user_id, event_id, draft, shown)

    def _fields(self, group: Group, draft: Draft, shown: Draft | None = None) -> dict:
        start = start_from_wall(draft.date, draft.time, group.config["timezone"])
        fields = {"title": draft.title.strip(), "place": draft.place.strip(), "link": draft.link.strip(),
                  "description": draft.description.strip(), "start": utc_iso(start)}
        if shown is None:
            return fields
        untouched = {name for name in ("title", "place", "link", "description")
                     if getattr(draft, name).strip() == getattr(shown, name).strip()}
        if (draft.date.strip(), draft.time.strip()) == (shown.date.strip(), shown.time.strip()):
            untouched.add("start")
        return {name: value for name, value in fields.items() if name not in untouched}

    def _create(self, group: Group, user_id: str, draft: Draft, form_id: str) -> str:
        """One event per form (the form's id is the event's): a resubmitted form creates nothing."""
        key = event_key(group.team_id, form_id)
        now = utc_iso(self.clock.now())
        doc = {"key": key, "id": form_id, "team_id": group.team_id, "channel_id": group.channel_id, **self._fields(group, draft),
               "created_by": user_id, "created_at": now, "changed_at": now, "status": "scheduled", "edits": 0,
               "rsvps": {}, "done": {}, "notices": [], "rev": 0,
               "card": {"key": f"event-card:{key}", "versions": 0, "pending": f"event-card:{key}", "pending_rev": 0,
                        "shown": None, "shown_rev": -1, "shown_at": None, "ref": None}}
        if not self.store.insert_if_absent(TABLE, key, doc):
            return "unchanged"
        self.messenger.send(Post(key=doc["card"]["key"], team_id=group.team_id, channel_id=group.channel_id,
                                 message=render.card(doc, group.locale, group.config["timezone"]), group=group.key,
                                 then=TRACK_CARD, then_args={"event": key, "rev": 0}))
        self._audit(group, user_id, "events.created", doc, f"{key}:created")
        return "created"

    def _edit(self, group: Group, user_id: str, event_id: str, draft: Draft, shown: Draft | None = None) -> str:
        fields = self._fields(group, draft, shown)
        outcome = {}

        def apply(doc):
            if doc is None or doc["status"] != "scheduled":
                return doc
            changed = {name for name, value in fields.items() if doc.get(name) != value}
            if not changed:
                return doc
            doc.update(fields)
            doc["edits"] += 1
            doc["rev"] += 1
            if changed & {"start", "place"}:  # what attendees plan around: they are told
                doc["changed_at"] = utc_iso(self.clock.now())
                doc["notices"].append({"id": f"change{doc['edits']}", "kind": "change",
                                       "users": [u for u in attendees(doc, GOING, MAYBE) if u != user_id]})
            outcome["changed"] = sorted(changed)
            return doc
        doc = self.store.update(TABLE, event_key(group.team_id, event_id), apply)
        if not outcome:
            return "unchanged"
        self._audit(group, user_id, "events.edited", doc, f"{doc['key']}:edit{doc['edits']}", ", ".join(outcome["changed"]))
        self._refresh_card(doc["key"])
        self._send_notices(group, doc)
        return "edited"

    def cancel(self, group: Group, user_id: str, event_id: str) -> str:
        cancelled = []

        def apply(doc):
            if doc is None or doc["status"] != "scheduled":
                return doc
            cancelled.append(True)
            doc.update(status="cancelled", cancelled_by=user_id, cancelled_at=utc_iso(self.clock.now()))
            doc["rev"] += 1
            doc["notices"].append({"id": "cancel", "kind": "cancel",
                                   "users": [u for u in attendees(doc, GOING, MAYBE) if u != user_id]})
            return doc
        doc = self.store.update(TABLE, event_key(group.team_id, event_id), apply)
        if not cancelled:
            return "unchanged"
        self._audit(group, user_id, "events.cancelled", doc, f"{doc['key']}:cancelled")
        self._refresh_card(doc["key"])
        self._send_notices(group, doc)
        return "cancelled"

    def _audit(self, group: Group, user_id: str, action: str, doc: dict, key: str, detail: str = "") -> None:
        if self.audit is not None:
            self.audit.record(group.key, user_id, action, detail=f"{doc['title'][:120]} {detail}".strip(), key=f"audit:{key}")

    # --- answers -------------------------------------------------------------------------------
    def rsvp(self, group: Group, key: str, user_id: str, answer: str) -> str:
        """A member's answer: "saved", "unchanged", "unknown", "cancelled" or "started"."""
        if answer not in ANSWERS:
            return "unknown"
        current = self.store.get(TABLE, key) or self._retired(key)
        if current is None or current["team_id"] != group.team_id or current["channel_id"] != group.channel_id:
            return "unknown"
        if current["status"] != "scheduled":  # retired, or about to be: no need to write
            return "cancelled" if current["status"] == "cancelled" else "started"
        try:  # the reminders' time zone, as the member's profile says at the time they answer
            tz = self.directory.person(group.team_id, user_id).timezone
        except PlatformError:
            tz = group.config["timezone"]
        outcome = []
        now = self.clock.now()

        def apply(doc):
            if doc is None:
                outcome.append("unknown")
            elif doc["status"] == "cancelled":
                outcome.append("cancelled")
            elif doc["status"] != "scheduled" or parse_iso(doc["start"]) <= now:
                outcome.append("started")
            elif doc["rsvps"].get(user_id, {}).get("answer") == answer:
                outcome.append("unchanged")
            else:
                doc["rsvps"].pop(user_id, None)  # a changed answer goes to the end of its new list
                doc["rsvps"][user_id] = {"answer": answer, "at": utc_iso(now), "tz": tz}
                doc["rev"] += 1
                outcome.append("saved")
            return doc
        self.store.update(TABLE, key, apply)
        if outcome[0] == "saved":
            self._refresh_card(key)
        return outcome[0]

    # --- participation ---------------------------------------------------------------------------
    def replied(self, group: Group, user_id: str, thread_id: str, event_id: str) -> bool:
        """A reply under a card: counted for the event once its follow-up is posted, and a person's
        first reply there earns the recognition credit. Once per message event."""
        card = self.store.get(CARDS, f"{group.key}:{thread_id}")
        if card is None or not card.get("follow_up_at"):
            return False
        key = card["event"]
        if not self.store.accumulate(FOLLOWUPS, key, add={"replies": 1, f"from:{user_id}": 1},
                                     latest={"team_id": group.team_id, "channel_id": group.channel_id}, once=f"{event_id}:event-reply"):
            return False
        if (self.store.get(FOLLOWUPS, key) or {}).get(f"from:{user_id}") == 1:
            self.activity.followed_up(group, user_id, f"{event_id}:credit-followup")
        return True

    def has_replied(self, key: str, user_id: str) -> bool:
        return (self.store.get(FOLLOWUPS, key) or {}).get(f"from:{user_id}", 0) > 0

    # --- reads -----------------------------------------------------------------------------------
    def get(self, team_id: str, event_id: str) -> dict | None:
        """The live event (scheduled, or held until its nudges are done)."""
        return self.store.get(TABLE, event_key(team_id, event_id))

    def _retired(self, key: str) -> dict | None:
        """A retired event (a card's button pressed after the event left the live table)."""
        year = self.clock.now().year
        return self.store.get(f"{ARCHIVE}.{year}", key) or self.store.get(f"{ARCHIVE}.{year + 1}", key) or \
            self.store.get(f"{ARCHIVE}.{year - 1}", key)

    def upcoming(self, team_id: str, user_id: str | None = None, group: Group | str | None = None) -> list[Upcoming]:
        """Scheduled events still to start, soonest first, of the workspace or of one group (a
        `Group` or its key); with `user_id`, each says that member's answer (`mine`, None when they
        have not answered). Reads the live table only (a few dozen events), never the history."""
        group_key = group.key if isinstance(group, Group) else group
        now, found = self.clock.now(), []
        for doc in self.store.find(TABLE, team_id=team_id, status="scheduled"):
            start = parse_iso(doc["start"])
            if start <= now or (group_key and f"{doc['team_id']}:{doc['channel_id']}" != group_key):
                continue
            mine = doc["rsvps"].get(user_id, {}).get("answer") if user_id else None
            found.append(Upcoming(doc["key"], doc["team_id"], doc["channel_id"], doc["title"], start, doc["place"],
                                  len(attendees(doc, GOING)), len(attendees(doc, MAYBE)), mine))
        return sorted(found, key=lambda item: (item.start, item.key))

    def held(self, group: Group, start: datetime, end: datetime) -> list[Held]:
        """Events of the group that took place in [start, end) (not cancelled, started before now),
        oldest first, with who said they were going and the replies in their follow-up thread."""
        now, docs = self.clock.now(), {}
        tables = [TABLE] + [f"{ARCHIVE}.{year}" for year in range(start.year, end.year + 1)]
        for table in tables:
            for doc in self.store.find(table, team_id=group.team_id, channel_id=group.channel_id):
                docs.setdefault(doc["key"], doc)
        found = []
        for doc in docs.values():
            at = parse_iso(doc["start"])
            if doc["status"] == "cancelled" or not (start <= at < end) or at > now:
                continue
            counts = self.store.get(FOLLOWUPS, doc["key"]) or {}
            repliers = sorted((k[5:] for k, v in counts.items() if k.startswith("from:") and v > 0), key=lambda u: (-counts[f"from:{u}"], u))
            found.append(Held(doc["key"], doc["channel_id"], doc["title"], at, tuple(attendees(doc, GOING)),
                              int(counts.get("replies", 0)), tuple(repliers)))
        return sorted(found, key=lambda item: (item.start, item.key))
