"""The audit trail: every owner decision (a join request approved or denied, a flag dismissed, a
content item kept or removed…) kept with who, when, what and about whom, for `/community audit`.

Duties record with `AuditLog.record`; each names its actions once with `describe`, giving the
catalogue key that says the action in words, so the list reads the same whatever duty wrote it.
Entries live in one table per calendar month (`audit.YYYY-MM`): recording touches this month's
table only, and `recent` reads back month by month until it has enough, so neither grows with the
whole history.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..clock import Clock, parse_iso, utc_iso
from ..store import Store

MONTHS_KEPT = 24  # how far back `recent` looks; older months are never read
_SEQUENCE = itertools.count()


def audit_table(moment: datetime) -> str:
    return f"audit.{moment:%Y-%m}"


@dataclass(frozen=True)
class Entry:
    group: str  # "team:channel"
    at: datetime
    actor: str  # who decided (a person's id)
    action: str  # "approval.approved", "moderation.dismissed"…
    subject: str = ""  # whom or what it was about: a person's id, or "" when `detail` says it
    detail: str = ""  # short plain text: a reason, a label, a link


class AuditLog:
    def __init__(self, store: Store, clock: Clock):
        self.store = store
        self.clock = clock
        self.labels: dict[str, str] = {}

    def describe(self, action: str, label_key: str) -> None:
        """Name an action: `label_key` is its catalogue key (e.g. "audit.approval.approved")."""
        self.labels[action] = label_key

    def record(self, group: str, actor: str, action: str, *, subject: str = "", detail: str = "",
               key: str | None = None) -> bool:
        """Keep one decision. `key` makes it idempotent (a retried click records once); False when
        that key was already recorded."""
        if action not in self.labels:
            raise ValueError(f"audit action {action!r} was never described")
        now = self.clock.now()
        key = key or f"{group}:{utc_iso(now)}:{next(_SEQUENCE)}"
        doc = {"group": group, "at": utc_iso(now), "actor": actor, "action": action, "subject": subject,
               "detail": detail[:300]}
        return self.store.insert_if_absent(audit_table(now), key, doc)

    def recent(self, group: str, count: int) -> list[Entry]:
        """The group's last `count` decisions, newest first."""
        found: list[dict] = []
        month = self.clock.now().replace(day=1)
        for _ in range(MONTHS_KEPT):
            found += sorted(self.store.find(audit_table(month), group=group), key=lambda d: d["at"], reverse=True)
            if len(found) >= count:
                break
            month = (month - timedelta(days=1)).replace(day=1)
        return [Entry(group=d["group"], at=parse_iso(d["at"]), actor=d["actor"], action=d["action"],
                      subject=d.get("subject", ""), detail=d.get("detail", "")) for d in found[:count]]
