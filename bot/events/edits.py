"""The event card's coalesced edits.

The card is posted in the group through the outbox under `event-card:<event>`; every change (an
answer, an edit, the cancellation, the event held) re-renders it as a new version
`event-card:<event>:v<n>` that replaces the last delivered one (`Post.replaces` → chat.update).
Bursts are coalesced: at most one version of a card waits in the outbox at a time. A change made
while one waits only bumps the event's revision; when the waiting version is delivered (the
`TRACK_CARD` follow-up) the next one is queued with the state as it is then. So 30 answers in 5 s
make a handful of edits, at the channel's pace, and the last one shows all 30. The sweep repairs a
version lost between the decision and the outbox (a crash), and re-renders a card untouched for
`KEEPALIVE` so the version it replaces is always one the outbox still remembers (two months).
"""
from __future__ import annotations

from datetime import timedelta

from ..clock import parse_iso, utc_iso
from ..messages import Message
from ..ports import Post
from . import card as render
from .tables import CARDS, TABLE, TRACK_CARD

KEEPALIVE = timedelta(days=20)
REPAIR_AFTER = timedelta(minutes=1)  # a version decided this recently may be on its way into the outbox


class CardEdits:
    """The card's versions, for `EventService` (which has the store, clock, groups and messenger)."""

    def _refresh_card(self, key: str) -> None:
        """Queue the next version of the card unless one is already waiting (see the module doc)."""
        chosen = {}

        def decide(doc):
            card = doc and doc["card"]
            if doc is None or card["pending"] or card["shown"] is None or doc["rev"] <= card["shown_rev"]:
                return doc
            card["versions"] += 1
            card["pending"], card["pending_rev"] = f"{card['key']}:v{card['versions']}", doc["rev"]
            card["pending_at"] = utc_iso(self.clock.now())
            chosen["doc"] = doc
            return doc
        self.store.update(TABLE, key, decide)
        doc = chosen.get("doc")
        if doc is None:
            return
        group = self.groups.get(doc["team_id"], doc["channel_id"])
        if group is None:
            return
        card = doc["card"]
        self.messenger.send(Post(key=card["pending"], team_id=doc["team_id"], channel_id=doc["channel_id"],
                                 message=render.card(doc, group.locale, group.config["timezone"]), group=group.key,
                                 replaces=card["shown"], then=TRACK_CARD, then_args={"event": key, "rev": card["pending_rev"]}))

    def track_card(self, post: Post, message_id: str) -> None:
        """A version of the card was delivered: it is the one shown now; queue the next if the
        event changed meanwhile. The first delivery also maps the card's message to the event."""
        key, rev = post.then_args["event"], post.then_args["rev"]

        def settle(doc):
            if doc is None:
                return None
            card = doc["card"]
            if card["pending"] == post.key:
                card["pending"] = None
            if rev > card["shown_rev"]:
                card.update(shown=post.key, shown_rev=rev, shown_at=utc_iso(self.clock.now()))
            if card["ref"] is None:
                card["ref"] = message_id
            return doc
        doc = self.store.update(TABLE, key, settle)
        if doc is None:
            return
        self.store.insert_if_absent(CARDS, f"{doc['team_id']}:{doc['channel_id']}:{doc['card']['ref']}",
                                    {"event": key, "team_id": doc["team_id"], "channel_id": doc["channel_id"], "follow_up_at": None})
        self._refresh_card(key)

    def _repair_card(self, doc: dict) -> None:
        """A waiting version the outbox does not hold (a crash before it was queued) is given up and
        the card re-rendered; one that failed for good is given up too (the owners were told), and
        the next change tries again. The card itself is queued again (the outbox ignores it if it
        holds it, failed included) when the event is less than a day old: a crash right after the
        event was saved. A change with no version waiting (a crash between saving it and queueing
        the version) gets one. A card shown long ago is re-rendered (see KEEPALIVE)."""
        card = doc["card"]
        pending, now = card["pending"], self.clock.now()
        decided = parse_iso(card.get("pending_at") or doc["created_at"])
        if pending and now - decided >= REPAIR_AFTER and not self.messenger.is_queued(pending):
            sent = self.messenger.was_sent(pending)
            if sent is not None:  # delivered, and the follow-up was lost: settle it now
                self.track_card(Post(key=pending, team_id=doc["team_id"], channel_id=doc["channel_id"], message=Message(),
                                     then_args={"event": doc["key"], "rev": card["pending_rev"]}), sent["ref"])
                return
            if pending == card["key"]:
                group = self.groups.get(doc["team_id"], doc["channel_id"])
                if group is not None and now - parse_iso(doc["created_at"]) < timedelta(days=1):
                    self.messenger.send(Post(key=pending, team_id=group.team_id, channel_id=group.channel_id,
                                             message=render.card(doc, group.locale, group.config["timezone"]), group=group.key,
                                             then=TRACK_CARD, then_args={"event": doc["key"], "rev": card["pending_rev"]}))
                return

            def give_up(current):
                if current is not None and current["card"]["pending"] == pending:
                    current["card"]["pending"] = None
                return current
            self.store.update(TABLE, doc["key"], give_up)
            self._refresh_card(doc["key"])
        elif not pending and card["shown"] is not None and doc["rev"] > card["shown_rev"]:
            self._refresh_card(doc["key"])  # a change saved, then a crash before its version was queued
        elif not pending and card["shown_at"] and self.clock.now() - parse_iso(card["shown_at"]) > KEEPALIVE:
            self.store.update(TABLE, doc["key"], lambda current: current and {**current, "rev": current["rev"] + 1})
            self._refresh_card(doc["key"])
