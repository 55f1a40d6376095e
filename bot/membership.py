"""Members of managed groups: joins and leaves, activity counters and the welcome.

Seed: "create membership … personal invitations" and "introduce people to one another" (the party
planner). Activity is counted per member and ISO week, never by keeping copies of messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .clock import Clock, parse_iso, utc_iso
from .formatting import channel_link, mention, people
from .groups import Group
from .i18n import t
from .safety import defuse_broadcasts
from .store import Store

MEMBERS = "members"
EXPERTS = "experts"  # per person and workspace: declared topics (also used as interests)
ACTIVE_WEEKS = 4


def member_key(team_id: str, channel_id: str, user_id: str) -> str:
    return f"{team_id}:{channel_id}:{user_id}"


def activity_table(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"activity.{year}-W{week:02d}"


@dataclass
class Introduction:
    user_id: str
    reason: str  # already localised


@dataclass
class Welcome:
    group: Group
    user_id: str
    returning: bool
    deliver_in: str  # "channel" or "dm"
    text: str
    introductions: list[Introduction] = field(default_factory=list)

    @property
    def introductions_text(self) -> str:
        if not self.introductions:
            return ""
        listed = ", ".join(f"{mention(i.user_id)} ({i.reason})" for i in self.introductions)
        return t(self.group.locale, "welcome.meet", people=listed)


class MembershipService:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock

    # --- activity ---------------------------------------------------------------------------
    def record_activity(self, team_id: str, channel_id: str, user_id: str, kind: str = "messages",
                        event_id: str | None = None) -> None:
        """Buffered: a busy channel costs a counter bump in memory, flushed every few seconds.

        `last_seen` lives in the week's activity record, not in `members`, so the member table is
        only written when people join or leave. With the Slack `event_id`, a redelivered event is
        counted once, even across a restart of the bot.
        """
        now = self.clock.now()
        latest = {"team_id": team_id, "channel_id": channel_id, "user_id": user_id, "last_seen": utc_iso(now)}
        self.store.accumulate(activity_table(now), member_key(team_id, channel_id, user_id), add={kind: 1}, latest=latest,
                              once=event_id)

    def last_seen(self, team_id: str, channel_id: str, user_id: str, weeks: int = 52) -> str | None:
        now = self.clock.now()
        for back in range(weeks):
            doc = self.store.get(activity_table(now - timedelta(weeks=back)), member_key(team_id, channel_id, user_id))
            if doc:
                return doc["last_seen"]
        return None

    def active_members(self, team_id: str, channel_id: str, weeks: int = ACTIVE_WEEKS) -> list[tuple[str, int]]:
        """(user, contributions) over the last weeks, most active first."""
        now = self.clock.now()
        totals: dict[str, int] = {}
        for back in range(weeks):
            for doc in self.store.find(activity_table(now - timedelta(weeks=back)), team_id=team_id, channel_id=channel_id):
                contributions = sum(v for k, v in doc.items() if isinstance(v, (int, float)))
                totals[doc["user_id"]] = totals.get(doc["user_id"], 0) + int(contributions)
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))

    # --- joins and leaves -------------------------------------------------------------------
    def member_joined(self, group: Group, user_id: str) -> Welcome | None:
        """Record the join and return the welcome to post (None: nothing to say)."""
        now = self.clock.now()
        key = member_key(group.team_id, group.channel_id, user_id)
        before = self.store.get(MEMBERS, key) or {}
        if before.get("status") == "member" and before.get("welcomed_at"):
            return None  # a second join notice for someone already here and welcomed
        left_at = before.get("left_at")
        returning = bool(left_at) and now - parse_iso(left_at) <= timedelta(seconds=group.config["rejoin_window"])

        def join(doc):
            doc = doc or {"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id}
            doc.update(status="member", joined_at=utc_iso(now), welcomed_at=utc_iso(now), left_at=None)
            return doc
        self.store.update(MEMBERS, key, join)
        if returning:
            text = t(group.locale, "welcome.back", group=channel_link(group.channel_id), user=mention(user_id))
            return Welcome(group, user_id, True, group.config["welcome_in"], text)
        return Welcome(group, user_id, False, group.config["welcome_in"], render_welcome(group, user_id), self.suggest_people(group, user_id))

    def member_left(self, group: Group, user_id: str) -> None:
        now = utc_iso(self.clock.now())

        def leave(doc):
            doc = doc or {"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id}
            doc.update(status="left", left_at=now)
            return doc
        self.store.update(MEMBERS, member_key(group.team_id, group.channel_id, user_id), leave)

    def suggest_people(self, group: Group, newcomer: str) -> list[Introduction]:
        """Up to `welcome_suggestions` people to meet: an owner, shared interests, active contributors."""
        wanted = group.config["welcome_suggestions"]
        gone = {d["user_id"] for d in self.store.find(MEMBERS, team_id=group.team_id, channel_id=group.channel_id, status="left")}
        chosen: dict[str, str] = {}

        def offer(user_id: str, reason: str) -> None:
            if len(chosen) < wanted and user_id != newcomer and user_id not in chosen and user_id not in gone:
                chosen[user_id] = reason
        for owner in group.owners[:1]:
            offer(owner, t(group.locale, "welcome.meet_reason.owner"))
        interests = set(self._topics(group.team_id, newcomer))
        if interests:
            for doc in self.store.find(EXPERTS, team_id=group.team_id):
                shared = interests & set(doc.get("topics", []))
                if shared and self._is_present(group, doc["user_id"]):
                    offer(doc["user_id"], t(group.locale, "welcome.meet_reason.interests", topics=", ".join(sorted(shared))))
        for user_id, _ in self.active_members(group.team_id, group.channel_id):
            offer(user_id, t(group.locale, "welcome.meet_reason.active"))
        for owner in group.owners[1:]:
            offer(owner, t(group.locale, "welcome.meet_reason.owner"))
        return [Introduction(user_id, reason) for user_id, reason in chosen.items()]

    def _topics(self, team_id: str, user_id: str) -> list[str]:
        doc = self.store.get(EXPERTS, f"{team_id}:{user_id}")
        return doc.get("topics", []) if doc else []

    def _is_present(self, group: Group, user_id: str) -> bool:
        doc = self.store.get(MEMBERS, member_key(group.team_id, group.channel_id, user_id))
        return bool(doc) and doc.get("status") != "left"


def render_welcome(group: Group, user_id: str) -> str:
    """The group's template (or the catalogue's) with placeholders filled; user text is defused."""
    template = group.welcome_template or t(group.locale, "welcome.default_template")
    text = defuse_broadcasts(template).format(
        user=mention(user_id),
        group=channel_link(group.channel_id),
        purpose=defuse_broadcasts(group.purpose) or t(group.locale, "welcome.no_purpose"),
        owners=people(group.owners),
    )
    if group.rules:
        text += "\n" + t(group.locale, "welcome.rules", rules=defuse_broadcasts(group.rules))
    return text
