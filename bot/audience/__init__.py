"""A wider audience: people outside a group hear of its best content on topics they follow.

Seed: "cultivate a wider audience using @mentions to alert others to content they may find
interesting". Members follow topics for the whole workspace (`/community follow kubernetes`).
When a question in a managed group is resolved, or an owner highlights a message (the
**Highlight** message shortcut), the followers of the topics it is about who are *not* in that
group get it in a digest by direct message.

Rules, each a decision:
- Only from public groups: a private channel's content never goes to people outside it.
- Never to the author (the asker; the author of a highlighted message), never to someone who
  already took part in the thread (the answerer, the repliers), never to a member of the group,
  never to a bot or a deactivated account.
- One digest a day at most per person, sent within their working hours (09:00-18:00, Monday to
  Friday, in their own time zone, since a follower has no group to take hours from), at most
  `WEEKLY_CAP` digests a week and `ITEMS_PER_DIGEST` items each; an item waits at most
  `ITEM_KEPT` for a digest, then is dropped (old news is no news).
- A topic matches a text when all of its words (folded, stemmed) are in the text's words.

Tables:
- `follows`: per person (`team:user`), the topics they follow, as written.
- `topic_index`: per `team:<first stem of the topic>`, who follows which topic, so matching a text
  reads one small document per distinct word of the text, whatever the number of followers.
- `audience_items`: per person and item (`team:user:channel:ts`), what waits for their digest;
  inserted once and kept, marked sent, until it is `ITEM_KEPT` old, so a re-resolved question or
  a second highlight queues nothing new, also after the digest that carried it went out.
Digest keys name the person and their local day (`audience:<team>:<user>:<day>`), so a restart
or a retry sends nothing twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group
from ..i18n import t
from ..messages import ChannelRef, Link, Message, Strong, join, text
from ..periods import iso_week
from ..ports import Directory, Messenger, PlatformError, Post
from ..store import Store
from ..text import tokens
from ..worktime import is_working, local_date

log = logging.getLogger(__name__)
FOLLOWS, TOPIC_INDEX, ITEMS, SENT = "follows", "topic_index", "audience_items", "audience_sent"
MAX_TOPICS = 20
MAX_TOPIC_CHARS = 60
WEEKLY_CAP = 3
ITEMS_PER_DIGEST = 5
ITEM_KEPT = timedelta(days=7)
EXCERPT_CHARS = 200
WORK_HOURS, WORK_DAYS = "09:00-18:00", "mon,tue,wed,thu,fri"


class TopicError(ValueError):
    """A topic that cannot be followed; `reason` is a catalogue key."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Shared(NamedTuple):
    """What sharing an item did: how many followers it was queued for and the topics they follow;
    when none, `already` says how many had it already (queued or sent), and `topics` are theirs."""
    count: int
    topics: list
    already: int = 0


@dataclass(frozen=True)
class Item:
    """Something worth sharing: a resolved question or a highlighted message."""
    kind: str  # "resolved" or "highlight"
    group: Group
    message_id: str
    text: str
    author: str
    seen_by: frozenset = frozenset()  # took part already: never told about it


def topic_terms(topic: str) -> list[str]:
    return sorted(set(tokens(topic)))


class AudienceService:
    def __init__(self, store: Store, clock: Clock, directory: Directory, workspace, outbox: Messenger):
        self.store = store
        self.clock = clock
        self.directory = directory
        self.workspace = workspace
        self.outbox = outbox

    # --- following -----------------------------------------------------------------------------
    def following(self, team_id: str, user_id: str) -> list[str]:
        return list((self.store.get(FOLLOWS, f"{team_id}:{user_id}") or {}).get("topics", []))

    def follow(self, team_id: str, user_id: str, topic: str) -> bool:
        """False when they already follow it. Raises TopicError for a topic that cannot be."""
        topic = " ".join(topic.split())
        if not topic:
            raise TopicError("audience.topic_missing")
        if len(topic) > MAX_TOPIC_CHARS:
            raise TopicError("audience.topic_too_long")
        terms = topic_terms(topic)
        if not terms:
            raise TopicError("audience.topic_no_words")
        current = self.following(team_id, user_id)
        if any(topic_terms(known) == terms for known in current):
            return False
        if len(current) >= MAX_TOPICS:
            raise TopicError("audience.too_many_topics")
        self.store.put(FOLLOWS, f"{team_id}:{user_id}", {"topics": current + [topic]})
        self.store.update(TOPIC_INDEX, f"{team_id}:{terms[0]}", _add_follower(user_id, topic, terms))
        return True

    def unfollow(self, team_id: str, user_id: str, topic: str) -> str | None:
        """The topic as they had written it, or None when they did not follow it."""
        terms = topic_terms(topic)
        current = self.following(team_id, user_id)
        known = next((known for known in current if terms and topic_terms(known) == terms), None)
        if known is None:
            return None
        self.store.put(FOLLOWS, f"{team_id}:{user_id}", {"topics": [k for k in current if k != known]})
        self.store.update(TOPIC_INDEX, f"{team_id}:{terms[0]}", _remove_follower(user_id, terms))
        return known

    def followers_of(self, team_id: str, text_: str) -> dict[str, list[str]]:
        """Who follows a topic the text is about: {user: [topics, as they wrote them]}."""
        words = set(tokens(text_))
        found: dict[str, list[str]] = {}
        for word in words:
            index = self.store.get(TOPIC_INDEX, f"{team_id}:{word}") or {}
            for entry in index.get("follows", []):
                if set(entry["terms"]) <= words:
                    found.setdefault(entry["user"], []).append(entry["topic"])
        return found

    # --- sharing ------------------------------------------------------------------------------------
    def share(self, item: Item) -> Shared:
        """Queue the item for the followers it may go to (see `Shared`). Raises PlatformError when
        the group's channel or members cannot be looked up."""
        group = item.group
        followers = self.followers_of(group.team_id, item.text)
        if not followers:
            return Shared(0, [])
        if self.workspace.channel(group.team_id, group.channel_id).is_private:
            return Shared(0, [])
        members = set(self.workspace.members(group.team_id, group.channel_id))
        now = utc_iso(self.clock.now())
        queued, topics, already, their_earlier = 0, set(), 0, set()
        for user, their_topics in sorted(followers.items()):
            if user == item.author or user in item.seen_by or user in members or self._never_reached(group.team_id, user):
                continue
            doc = {"user": user, "team_id": group.team_id, "channel_id": group.channel_id, "message_id": item.message_id,
                   "kind": item.kind, "topics": sorted(their_topics), "excerpt": _excerpt(item.text), "queued_at": now,
                   "locale": group.locale}
            if self.store.insert_if_absent(ITEMS, f"{group.team_id}:{user}:{group.channel_id}:{item.message_id}", doc):
                queued += 1
                topics.update(their_topics)
            else:
                already += 1
                their_earlier.update(their_topics)
        return Shared(queued, sorted(topics)) if queued else Shared(0, sorted(their_earlier), already)

    def _never_reached(self, team_id: str, user: str) -> bool:
        """A bot or a deactivated account gets no digest: not queued, so not counted as reached.
        When the platform cannot say, the digest's sweep decides (it looks again)."""
        try:
            person = self.directory.person(team_id, user)
        except PlatformError:
            return False
        return person.is_bot or person.deleted

    def question_resolved(self, group: Group, question: dict) -> None:
        """The questions duty's hook: a resolved question is shared with outside followers."""
        seen = {question.get("answerer"), question.get("first_replier"), *(question.get("replies") or {}).values()}
        item = Item("resolved", group, question["ts"], question.get("text", ""), question["asker"],
                    frozenset(user for user in seen if user))
        try:
            self.share(item)
        except Exception:  # never let sharing undo or stop a resolution; the question stays resolved
            log.warning("could not share the resolved question %s of %s", question["ts"], group.key, exc_info=True)

    # --- the digests ------------------------------------------------------------------------------
    def send_due(self) -> int:
        """Each person with items waiting gets one digest, if today's and this week's allow it."""
        now = self.clock.now()
        waiting: dict[tuple[str, str], list[dict]] = {}
        for doc in self.store.find(ITEMS):
            if now - parse_iso(doc["queued_at"]) > ITEM_KEPT:
                self.store.delete(ITEMS, _item_key(doc))
                continue
            if doc.get("sent_at"):  # in a digest already; kept so that sharing it again adds nothing
                continue
            waiting.setdefault((doc["team_id"], doc["user"]), []).append(doc)
        sent = 0
        for (team_id, user), items in sorted(waiting.items()):
            sent += self._send_digest(team_id, user, sorted(items, key=lambda d: d["queued_at"]), now)
        return sent

    def _send_digest(self, team_id: str, user: str, items: list[dict], now: datetime) -> int:
        try:
            person = self.directory.person(team_id, user)
        except PlatformError:
            return 0  # asked again next sweep
        if person.is_bot or person.deleted:
            for doc in items:
                self.store.delete(ITEMS, _item_key(doc))
            return 0
        if not is_working(now, person.timezone, WORK_HOURS, WORK_DAYS):
            return 0
        day, week = local_date(now, person.timezone), iso_week(now, person.timezone)
        record = self.store.get(SENT, f"{team_id}:{user}") or {}
        if record.get("day") == day or (record.get("week") == week and record.get("count", 0) >= WEEKLY_CAP):
            return 0
        chosen = items[:ITEMS_PER_DIGEST]
        count = record.get("count", 0) + 1 if record.get("week") == week else 1
        # Queued first, then recorded: a crash between the two queues it again under the same key
        # (the outbox ignores it), where the other order would lose the day.
        self.outbox.send(Post(key=f"audience:{team_id}:{user}:{day}", team_id=team_id, user_id=user,
                              message=digest_message(chosen, self.directory)))
        self.store.put(SENT, f"{team_id}:{user}", {"day": day, "week": week, "count": count})
        sent_at = utc_iso(now)
        for doc in chosen:
            self.store.update(ITEMS, _item_key(doc), lambda current: current and {**current, "sent_at": sent_at})
        return 1


def digest_message(items: list[dict], directory: Directory) -> Message:
    locale = items[0].get("locale", "en")
    lines = []
    for doc in items:
        try:
            link = Link(directory.permalink(doc["team_id"], doc["channel_id"], doc["message_id"]), doc["excerpt"])
        except PlatformError:
            link = doc["excerpt"]
        what = "audience.item_resolved" if doc["kind"] == "resolved" else "audience.item_highlight"
        lines.append(t(locale, what, topics=join(Strong(topic) for topic in doc["topics"]), group=ChannelRef(doc["channel_id"]),
                       excerpt=text(link)))
    return Message.of(t(locale, "audience.digest_header"), join(lines, "\n"), notes=[t(locale, "audience.digest_note")])


def _excerpt(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= EXCERPT_CHARS else value[:EXCERPT_CHARS - 1].rstrip() + "…"


def _item_key(doc: dict) -> str:
    return f"{doc['team_id']}:{doc['user']}:{doc['channel_id']}:{doc['message_id']}"


def _add_follower(user_id: str, topic: str, terms: list[str]):
    def change(doc):
        follows = [f for f in (doc or {}).get("follows", []) if not (f["user"] == user_id and f["terms"] == terms)]
        return {"follows": follows + [{"user": user_id, "topic": topic, "terms": terms}]}
    return change


def _remove_follower(user_id: str, terms: list[str]):
    def change(doc):
        follows = [f for f in (doc or {}).get("follows", []) if not (f["user"] == user_id and f["terms"] == terms)]
        return {"follows": follows} if follows else None
    return change
