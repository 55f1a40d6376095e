"""Members of managed groups: joins and leaves, activity counters, and the welcome.

Seed: "welcome and introduce new members" and "introduce people to one another". Activity is
counted per member and ISO week, never by keeping copies of messages. A welcome is done when it is
queued in the outbox (its key names the join), so a storm delays it and never loses it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..activity import MEMBERS, ActivityService, member_key
from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group
from ..i18n import t
from ..messages import ChannelRef, Mention, Message, Text, join, people, text
from ..ports import Directory, Messenger, PlatformError, Post
from ..questions.experts import ExpertService
from ..store import Store
from .template import render_template



@dataclass
class Introduction:
    user_id: str
    reason: Text


class WelcomeService:
    def __init__(self, store: Store, clock: Clock, directory: Directory, messenger: Messenger, experts: ExpertService,
                 activity: ActivityService):
        self.store = store
        self.activity = activity
        self.clock = clock
        self.directory = directory
        self.messenger = messenger
        self.experts = experts

    # --- joins and leaves -------------------------------------------------------------------
    def member_joined(self, group: Group, user_id: str, joined_at: str) -> bool:
        """Queue the welcome for this join (`joined_at`: the platform's id of the join) and record
        the member. False when there is nothing to say: a bot, or someone already welcomed."""
        if self._is_bot(group.team_id, user_id):
            return False
        now = self.clock.now()
        key = member_key(group.team_id, group.channel_id, user_id)
        before = self.store.get(MEMBERS, key) or {}
        if before.get("status") == "member" and before.get("welcomed_at"):
            return False  # a second join notice for someone already here and welcomed
        left_at = before.get("left_at")
        returning = bool(left_at) and now - parse_iso(left_at) <= timedelta(seconds=group.config["rejoin_window"])
        message = self.welcome_back(group, user_id) if returning else self.welcome_message(group, user_id)
        in_dm = group.config["welcome_in"] == "dm"
        self.messenger.send(Post(key=f"welcome:{group.team_id}:{group.channel_id}:{user_id}:{joined_at}", team_id=group.team_id,
                                 message=message, channel_id=None if in_dm else group.channel_id,
                                 user_id=user_id if in_dm else None, group=group.key))

        def join(doc):  # recorded after queueing: a crash between queues nothing twice (same key)
            doc = doc or {"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id}
            doc.update(status="member", joined_at=utc_iso(now), welcomed_at=utc_iso(now), left_at=None)
            return doc
        self.store.update(MEMBERS, key, join)
        self.activity.daily.membership_changed(group)
        return True

    def member_left(self, group: Group, user_id: str) -> None:
        now = utc_iso(self.clock.now())

        def leave(doc):
            doc = doc or {"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id}
            doc.update(status="left", left_at=now)
            return doc
        self.store.update(MEMBERS, member_key(group.team_id, group.channel_id, user_id), leave)
        self.activity.daily.membership_changed(group)

    def _is_bot(self, team_id: str, user_id: str) -> bool:
        try:
            return user_id == self.directory.bot_user_id(team_id) or self.directory.person(team_id, user_id).is_bot
        except PlatformError:
            return False  # cannot look them up now: a person is more likely than a bot; welcome them

    # --- the welcome ------------------------------------------------------------------------
    def welcome_message(self, group: Group, user_id: str) -> Message:
        introductions = self.suggest_people(group, user_id)
        notes = [t(group.locale, "welcome.meet", people=join(text(Mention(i.user_id), " (", i.reason, ")") for i in introductions))] if introductions else []
        return Message.of(render_welcome(group, user_id), notes=notes)

    def welcome_back(self, group: Group, user_id: str) -> Message:
        return Message.of(t(group.locale, "welcome.back", group=ChannelRef(group.channel_id), user=Mention(user_id)))

    def suggest_people(self, group: Group, newcomer: str) -> list[Introduction]:
        """Up to `welcome_suggestions` people to meet: an owner, shared interests, active contributors."""
        wanted = group.config["welcome_suggestions"]
        gone = {d["user_id"] for d in self.store.find(MEMBERS, team_id=group.team_id, channel_id=group.channel_id, status="left")}
        chosen: dict[str, Text] = {}

        def offer(user_id: str, reason: Text) -> None:
            if len(chosen) < wanted and user_id != newcomer and user_id not in chosen and user_id not in gone:
                chosen[user_id] = reason
        for owner in group.owners[:1]:
            offer(owner, t(group.locale, "welcome.meet_reason.owner"))
        interests = set(self.experts.profile(group.team_id, newcomer)["topics"])
        if interests:
            for user_id, topics in self.experts.declared_topics(group.team_id):
                shared = interests & set(topics)
                if shared and self._is_present(group, user_id):
                    offer(user_id, t(group.locale, "welcome.meet_reason.interests", topics=", ".join(sorted(shared))))
        for user_id, _ in self.activity.active_members(group.team_id, group.channel_id):
            offer(user_id, t(group.locale, "welcome.meet_reason.active"))
        for owner in group.owners[1:]:
            offer(owner, t(group.locale, "welcome.meet_reason.owner"))
        return [Introduction(user_id, reason) for user_id, reason in chosen.items()]

    def _is_present(self, group: Group, user_id: str) -> bool:
        doc = self.store.get(MEMBERS, member_key(group.team_id, group.channel_id, user_id))
        return bool(doc) and doc.get("status") != "left"


def render_welcome(group: Group, user_id: str) -> Text:
    """The group's template (or the catalogue's), placeholders filled with plain user text."""
    values = {"user": Mention(user_id), "group": ChannelRef(group.channel_id),
              "purpose": group.purpose or t(group.locale, "welcome.no_purpose"), "owners": people(group.owners)}
    body = render_template(group.welcome_template, values) if group.welcome_template else t(group.locale, "welcome.default_template", **values)
    if group.rules:
        body = text(body, "\n", t(group.locale, "welcome.rules", rules=group.rules))
    return body
