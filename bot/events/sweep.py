"""The timeline worked: one sweep over the live events, every tick (`timeline.py` says when each
step falls due).

Restart-safe and idempotent: each step is queued under its own outbox key (`event-dm:<event>:<step>`,
`event-followup:<event>`), then recorded done in the event (`done`), so a crash between the two
re-queues a key the outbox already holds, which it ignores. Reminder steps name the start they are
for (`day:<user>:<start>`): an edited time arms them again for the new time; the others (follow-up,
nudges) are once per event. A cancelled event sends nothing more but the notices. Steps have a
window: a day-before reminder more than six hours late, or after the last change of time or place
(the change notice said it), or for someone who answered after its time, is skipped, and so is a
nudge more than two days late; the one-hour reminder is sent only before the start.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from ..clock import parse_iso, utc_iso
from ..groups import Group
from ..messages import Text
from ..ports import PlatformError, Post
from . import card as render
from .card import GOING, MAYBE, attendees
from .tables import ARCHIVE, CARDS, TABLE
from .timeline import day_before_at, follow_up_at, hour_before_at, nudge_at, retire_at

log = logging.getLogger(__name__)
DAY_BEFORE_GRACE = timedelta(hours=6)
NUDGE_GRACE = timedelta(days=2)


class TimelineSweep:
    """The sweep and its steps, for `EventService` (which has the store, clock, groups, directory,
    messenger, and the card's `_repair_card` and `_refresh_card`)."""

    def sweep(self) -> int:
        """Every live event's due steps; how many posts were queued."""
        queued = 0
        for listed in self.store.find(TABLE):
            # Read again when its turn comes: an owner may have changed it while the sweep worked on
            # the events before it, and a reminder must not say what the change notice undid.
            doc = self.store.get(TABLE, listed["key"])
            group = doc and self.groups.get(doc["team_id"], doc["channel_id"])
            if group is None:
                continue
            try:
                queued += self._advance(group, doc)
            except Exception:  # one broken event must not hold back the others
                log.exception("event %s: a step failed; it is tried again at the next sweep", doc.get("key"))
        return queued

    def _advance(self, group: Group, doc: dict) -> int:
        self._repair_card(doc)
        queued = self._send_notices(group, doc)
        if doc["status"] == "cancelled":
            self._retire(doc)
            return queued
        now, start, tz = self.clock.now(), parse_iso(doc["start"]), group.config["timezone"]
        changed_at, done, steps = parse_iso(doc["changed_at"]), doc["done"], {}
        for user in attendees(doc, GOING, MAYBE):
            answer = doc["rsvps"][user]
            answered_at, user_tz = parse_iso(answer["at"]), answer.get("tz") or tz
            day, hour = day_before_at(start, user_tz), hour_before_at(start)
            step = f"day:{user}:{doc['start']}"
            if step not in done and day <= now < min(day + DAY_BEFORE_GRACE, hour) and answered_at < day and changed_at < day:
                steps[step] = self._dm(group, doc, step, user, render.reminder(doc, "day", group.locale, user_tz, tz, self._link(group, doc)))
            step = f"hour:{user}:{doc['start']}"
            if step not in done and hour <= now < start and answered_at < hour:
                steps[step] = self._dm(group, doc, step, user, render.reminder(doc, "hour", group.locale, user_tz, tz, self._link(group, doc)))
        follow_up = follow_up_at(start, tz)
        if now >= follow_up and "followup" not in done and doc["card"]["ref"]:
            steps["followup"] = self._post_follow_up(group, doc)
        if "followup" in done or "followup" in steps:
            for user in attendees(doc, GOING):
                step = f"nudge:{user}"
                due = nudge_at(follow_up, doc["rsvps"][user].get("tz") or tz)
                if step in done or now < due:
                    continue
                steps[step] = (now < due + NUDGE_GRACE and not self.has_replied(doc["key"], user)
                               and self._dm(group, doc, step, user, render.nudge(doc, group.locale, self._link(group, doc))))
        if steps:
            self._mark_done(doc["key"], steps)
        if now >= retire_at(start, tz):
            self._retire(doc)
        return queued + sum(1 for sent in steps.values() if sent)

    def _dm(self, group: Group, doc: dict, step: str, user: str, message) -> bool:
        return self.messenger.send(Post(key=f"event-dm:{doc['key']}:{step}", team_id=group.team_id, user_id=user,
                                        message=message, group=group.key))

    def _post_follow_up(self, group: Group, doc: dict) -> bool:
        """The thread under the card, and the card marked held (its buttons go)."""
        ref = doc["card"]["ref"]
        self.store.update(CARDS, f"{group.key}:{ref}", lambda card: card and {**card, "follow_up_at": utc_iso(self.clock.now())})
        sent = self.messenger.send(Post(key=f"event-followup:{doc['key']}", team_id=group.team_id, channel_id=group.channel_id,
                                        thread=ref, message=render.follow_up(doc, group.locale), group=group.key))

        def held(current):
            if current is not None and current["status"] == "scheduled":
                current["status"], current["rev"] = "held", current["rev"] + 1
            return current
        self.store.update(TABLE, doc["key"], held)
        self._refresh_card(doc["key"])
        return sent

    def _send_notices(self, group: Group, doc: dict) -> int:
        """Notices (cancelled, changed) to each person concerned, once; recorded done."""
        steps = {}
        for notice in doc.get("notices", []):
            for user in notice["users"]:
                step = f"{notice['id']}:{user}"
                if step not in doc["done"]:
                    tz = doc["rsvps"].get(user, {}).get("tz") or group.config["timezone"]
                    steps[step] = self._dm(group, doc, step, user, render.notice(
                        doc, notice["kind"], group.locale, tz, group.config["timezone"], self._link(group, doc)))
        if steps:
            self._mark_done(doc["key"], steps)
        return sum(1 for sent in steps.values() if sent)

    def _mark_done(self, key: str, steps: dict) -> None:
        at = utc_iso(self.clock.now())

        def mark(doc):
            if doc is not None:
                doc["done"].update({step: at for step in steps})
            return doc
        self.store.update(TABLE, key, mark)

    def _link(self, group: Group, doc: dict) -> Text:
        permalink = None
        if doc["card"]["ref"]:
            try:
                permalink = self.directory.permalink(group.team_id, group.channel_id, doc["card"]["ref"])
            except PlatformError:
                pass
        return render.where_link(group.locale, group.channel_id, permalink)

    def _retire(self, doc: dict) -> None:
        """Out of the live table, into the year of its start (written first: a crash keeps both)."""
        current = self.store.get(TABLE, doc["key"])
        if current is None:
            return
        self.store.put(f"{ARCHIVE}.{current['start'][:4]}", current["key"], current)
        self.store.delete(TABLE, current["key"])
