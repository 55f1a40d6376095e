"""The outbox: every post the core makes is queued here durably, then delivered once.

`Outbox.send(post)` is the `Messenger` port. It writes the post to the `outbox` table (fsynced)
and wakes the delivery worker (`bot.outbox.delivery`); once it returns, a crash cannot lose the
post. A key already queued, or delivered in the last two calendar months, is not queued again, so
a retried event or a restarted sweep never posts twice.

Tables:
- `outbox`: posts waiting (with their attempts, next attempt time and last error) and posts that
  failed for good (with the reason), so `/community status` can show both. Small: a post leaves
  it once delivered; failures are pruned after `KEEP_FAILED`.
- `outbox_sent.YYYY-MM.<shard>`: one record per delivered key (the platform's message id), by
  month of delivery and one of `SENT_SHARDS` shards of the key's hash, so recording a delivery
  rewrites a small file, not the month's: the idempotency memory, read by key only.

The worker checks the sent-records before every delivery, so a key queued twice, or left in the
queue by a crash after its delivery was recorded, is not posted again. The one window where a post
can repeat: the platform accepted it, then the process died before the sent-record was written
(one HTTP answer and one file write). After a restart the post is delivered again. We chose a
possible duplicate over a possible loss: a lost welcome or question ping is invisible to everyone,
a duplicate is only noise.
"""
from __future__ import annotations

import logging
import threading
import zlib
from datetime import datetime, timedelta
from typing import Callable

from ..clock import Clock, SystemClock, parse_iso, utc_iso
from ..messages import Message
from ..ports import Post
from ..store import Store

log = logging.getLogger(__name__)
QUEUE = "outbox"
KEEP_FAILED = timedelta(days=30)
FollowUp = Callable[[Post, str], None]


SENT_SHARDS = 16


def sent_table(moment: datetime, key: str) -> str:
    return f"outbox_sent.{moment:%Y-%m}.{zlib.crc32(key.encode()) % SENT_SHARDS:02d}"


def post_to_doc(post: Post) -> dict:
    return {"key": post.key, "team_id": post.team_id, "channel_id": post.channel_id, "user_id": post.user_id,
            "thread": post.thread, "group": post.group, "then": post.then, "then_args": post.then_args,
            "replaces": post.replaces, "message": post.message.to_dict()}


def post_from_doc(doc: dict) -> Post:
    return Post(key=doc["key"], team_id=doc["team_id"], message=Message.from_dict(doc["message"]),
                channel_id=doc.get("channel_id"), user_id=doc.get("user_id"), thread=doc.get("thread"),
                group=doc.get("group"), then=doc.get("then"), then_args=doc.get("then_args") or {},
                replaces=doc.get("replaces"))


class Outbox:
    """The Messenger: durable queue, idempotency by key, and the records the worker keeps."""

    def __init__(self, store: Store, clock: Clock | None = None):
        self.store = store
        # Delivery runs on real time (Slack's pace and Retry-After are real seconds), even when the
        # community logic runs on a fake clock in tests or the local workspace.
        self.clock = clock or SystemClock()
        self.follow_ups: dict[str, FollowUp] = {}
        self._wake = threading.Condition()
        self._listeners: list[Callable[[dict], None]] = []

    # --- the Messenger port ----------------------------------------------------------------
    def send(self, post: Post) -> bool:
        if self.was_sent(post.key):
            return False
        now = utc_iso(self.clock.now())
        doc = {**post_to_doc(post), "status": "pending", "queued_at": now, "attempts": 0,
               "next_attempt_at": now, "last_error": None}
        if not self.store.insert_if_absent(QUEUE, post.key, doc):
            return False
        for listener in self._listeners:
            listener(doc)
        with self._wake:
            self._wake.notify_all()
        return True

    def on_delivered(self, name: str, follow_up: FollowUp) -> None:
        """Register a named follow-up a `Post.then` may ask for (registered at assembly)."""
        self.follow_ups[name] = follow_up

    def on_queued(self, listener: Callable[[dict], None]) -> None:
        """The delivery worker's hook: told of each newly queued post (no polling of the table)."""
        self._listeners.append(listener)

    def wait_for_work(self, timeout: float) -> None:
        with self._wake:
            self._wake.wait(timeout)

    # --- what the worker records -------------------------------------------------------------
    def was_sent(self, key: str) -> dict | None:
        now = self.clock.now()
        this_month = now.replace(day=1)
        for month in (this_month, this_month - timedelta(days=1)):
            record = self.store.get(sent_table(month, key), key)
            if record:
                return record
        return None

    def is_queued(self, key: str) -> bool:
        """Waiting for delivery (not delivered, not failed for good)."""
        doc = self.store.get(QUEUE, key)
        return bool(doc) and doc.get("status") == "pending"

    def waiting(self) -> list[dict]:
        return sorted(self.store.find(QUEUE, status="pending"), key=lambda d: d["queued_at"])

    def record_sent(self, doc: dict, ref: str) -> None:
        """Sent-record first, then the follow-up, then leave the queue: a crash in between leaves
        the post queued and recorded as sent, which the worker finishes without posting again."""
        now = self.clock.now()
        self.store.put(sent_table(now, doc["key"]), doc["key"], {"key": doc["key"], "ref": ref, "sent_at": utc_iso(now),
                                                                 "attempts": doc["attempts"] + 1})
        self.finish(doc, ref)

    def finish(self, doc: dict, ref: str) -> None:
        """Run the post's follow-up (idempotent by design: it may run again after a crash) and
        leave the queue, whatever the follow-up does: a failing one must not post twice."""
        follow_up = self.follow_ups.get(doc.get("then") or "")
        if follow_up is not None:
            try:
                follow_up(post_from_doc(doc), ref)
            except Exception:
                log.exception("the follow-up %s of %s failed; the post itself was delivered", doc["then"], doc["key"])
        self.store.delete(QUEUE, doc["key"])

    def record_retry(self, doc: dict, error: str, at: datetime) -> dict:
        def retry(current):
            if current is None:
                return None
            current.update(attempts=current["attempts"] + 1, last_error=error, next_attempt_at=utc_iso(at))
            return current
        return self.store.update(QUEUE, doc["key"], retry)

    def record_failed(self, doc: dict, reason: str) -> dict:
        def fail(current):
            if current is None:
                return None
            current.update(status="failed", attempts=current["attempts"] + 1, last_error=reason,
                           failed_at=utc_iso(self.clock.now()), next_attempt_at=None)
            return current
        return self.store.update(QUEUE, doc["key"], fail)

    # --- for owners and housekeeping ---------------------------------------------------------
    def for_group(self, group: str) -> tuple[list[dict], list[dict]]:
        """(waiting, failed) posts about one group, oldest first."""
        docs = sorted(self.store.find(QUEUE, group=group), key=lambda d: d["queued_at"])
        return [d for d in docs if d["status"] == "pending"], [d for d in docs if d["status"] == "failed"]

    def prune_failed(self) -> int:
        oldest = self.clock.now() - KEEP_FAILED
        removed = 0
        for doc in self.store.find(QUEUE, status="failed"):
            if parse_iso(doc["failed_at"]) < oldest:
                removed += self.store.delete(QUEUE, doc["key"])
        return removed
