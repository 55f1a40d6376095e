"""Membership approval: people ask to join a managed group, its owners approve or deny.

Seed: "if membership requires approval, you approve the requests". With `approval on` (a group
setting, off by default) a request (`/community join #group [message]`, or **Request to join** in
the directory, `/community groups`) goes to every owner and co-owner by direct message, with who
asks (name, job title, time zone), their message, and **Approve** / **Deny**. With it off, the
person is simply added. Someone who owns the group is always simply added.

One decision. A request is one document in the small `approval_requests` table, keyed by group and
person, so a second request while one is pending merges into it (its message is added, the owners'
copies are edited in place). Deciding is one atomic `store.update` that moves it from `pending` to
`approved` or `denied` only if it is still pending: the first owner wins, a second owner pressing at
the same moment is told who decided. Who may decide is read from the store at that moment (the
group's owners, or the deployment's admins), never from the button.

Then the effects, each under a key of its own so that doing them again changes nothing: the audit
entry, the invitation (the platform adds the person; the join it reports brings the normal welcome),
or the polite DM with the reason, the requester's DM, and an edit of every owner's copy showing who
decided and when. Last, the request moves to `approval_history.<month>` (by the month it was made).
A crash between the decision and the end leaves a decided request in the pending table: the sweep
(`schedules/approval.py`) finishes it a minute later, the same keys making it harmless.

Reminders: a request still pending after `REMIND_AFTER` (3 days) is sent again to the owners once,
with its buttons; the reminders are queued before the request is marked reminded, and their keys
make a restart between the two harmless. A sweep acts on at most `PER_SWEEP` requests, oldest
first, so a backlog is worked through over a few ticks and no tick is long.

Someone denied may ask again after `ASK_AGAIN_AFTER` (a week), so a refusal cannot be turned into
a daily ping of the owners (`approval_denied`: one small record per group and person).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..audit import AuditLog
from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group, GroupService, TooLong
from ..i18n import t
from ..messages import Mention, Text
from ..ports import Directory, Messenger, PlatformError, Post, Workspace
from ..questions import humanize_age
from ..store import Store
from .cards import APPROVE, DENY, Cards, local_time

PENDING = "approval_requests"
DENIED = "approval_denied"
__all__ = ["APPROVE", "DENY", "REQUEST_JOIN", "ApprovalService"]
REQUEST_JOIN = "approval_request_join"  # the directory's button: "approval_request_join.<channel>"
REMIND_AFTER = timedelta(days=3)
ASK_AGAIN_AFTER = timedelta(days=7)
FINISH_AFTER = timedelta(minutes=1)  # a decided request left unfinished this long was cut short by a crash
MAX_MESSAGE = 500  # a note to the owners, not an essay: about 80 words
MAX_MESSAGES = 3  # merged requests keep their last three notes
MAX_REASON = 500
DIGEST_SHOWN = 10
PER_SWEEP = 20  # requests a sweep acts on at most (each costs a few durable writes)
_RID = re.compile(r"^\d{14}-[0-9a-f]{6}$")
ACTIONS = {"requested": "audit.approval.requested", "approved": "audit.approval.approved",
           "denied": "audit.approval.denied", "invite_failed": "audit.approval.invite_failed",
           "invited": "audit.approval.invited"}


def history_table(rid: str) -> str:
    return f"approval_history.{rid[:4]}-{rid[4:6]}"


def button_value(doc: dict) -> str:
    return f"{doc['team_id']}:{doc['channel_id']}:{doc['user_id']}:{doc['rid']}"


def parse_button(value: str) -> tuple[str, str, str, str] | None:
    """(team, channel, person, request id) from an Approve/Deny button's value; None if malformed."""
    parts = value.split(":")
    if len(parts) != 4 or not all(parts[:3]) or not _RID.match(parts[3]):
        return None
    return parts[0], parts[1], parts[2], parts[3]


@dataclass(frozen=True)
class Asked:
    """What became of a request: `outcome` is one of
    'requested', 'merged', 'invited', 'already_member', 'not_managed', 'denied_recently',
    'invite_failed', 'deciding'; `doc` the request when there is one; `detail` an error code or date."""
    outcome: str
    group: Group | None = None
    doc: dict | None = None
    detail: str = ""


@dataclass(frozen=True)
class Decided:
    """What became of a decision: 'approved', 'denied', 'invite_failed' (approved, the platform
    refused the invitation: `detail` is its code), 'already' (`doc` says who and when),
    'not_owner', 'unknown'."""
    outcome: str
    doc: dict | None = None
    detail: str = ""


class ApprovalService:
    def __init__(self, store: Store, clock: Clock, groups: GroupService, directory: Directory, workspace: Workspace,
                 messenger: Messenger, audit: AuditLog):
        self.store = store
        self.clock = clock
        self.groups = groups
        self.directory = directory
        self.workspace = workspace
        self.messenger = messenger
        self.audit = audit
        self.cards = Cards(directory)
        for action, label in ACTIONS.items():
            audit.describe(f"approval.{action}", label)

    # --- asking --------------------------------------------------------------------------------
    def request(self, team_id: str, channel_id: str, user_id: str, message: str = "", *, via: str = "command") -> Asked:
        """A person asks to join a group. Raises TooLong for a message over `MAX_MESSAGE`, and
        PlatformError when the platform cannot say now whether the group is listed."""
        message = " ".join(message.split())
        if len(message) > MAX_MESSAGE:
            raise TooLong(MAX_MESSAGE)
        group = self.groups.get(team_id, channel_id)
        if group is None or not self.listed(group):
            return Asked("not_managed", group)
        if self._is_member(group, user_id):
            return Asked("already_member", group)
        if not group.config["approval"] or self.groups.may_own(group, user_id):
            return self._invite_directly(group, user_id, message)
        denied = self.store.get(DENIED, f"{group.key}:{user_id}")
        if denied and self.clock.now() - parse_iso(denied["at"]) < ASK_AGAIN_AFTER:
            return Asked("denied_recently", group, detail=utc_iso(parse_iso(denied["at"]) + ASK_AGAIN_AFTER))
        outcome, doc, changed, before = self._file(group, user_id, message, via)
        if outcome == "requested":
            self.audit.record(group.key, user_id, "approval.requested", detail=message, key=f"approval:{doc['rid']}:requested")
        if outcome in ("requested", "merged"):
            self._send_cards(group, doc, changed, before)
        return Asked(outcome, group, doc)

    def listed(self, group: Group) -> bool:
        """Whether people may see the group and ask to join it: a public channel always, a private
        one only when its owners allow it (`listed_when_private`), an archived one never. When the
        platform cannot say (a passing error), the PlatformError goes up and the person is asked to
        try again: guessing would add anyone to an unlisted private group whose owners do not
        approve requests, or show them its owners."""
        try:
            channel = self.workspace.channel(group.team_id, group.channel_id)
        except PlatformError as error:
            if error.code == "channel_not_found":
                return False
            raise
        return not channel.is_archived and (not channel.is_private or group.config["listed_when_private"])

    def _is_member(self, group: Group, user_id: str) -> bool:
        try:
            return user_id in self.workspace.members(group.team_id, group.channel_id)
        except PlatformError:
            return False  # not known: the invitation will say

    def _invite_directly(self, group: Group, user_id: str, message: str) -> Asked:
        try:
            self.workspace.invite(group.team_id, group.channel_id, user_id)
        except PlatformError as error:
            if error.code == "already_in_channel":
                return Asked("already_member", group)
            return Asked("invite_failed", group, detail=error.code)
        self.audit.record(group.key, user_id, "approval.invited", detail=message)
        return Asked("invited", group)

    def _file(self, group: Group, user_id: str, message: str, via: str) -> tuple[str, dict, bool, list[str]]:
        """Create the pending request, or merge into the one there is, in one atomic update that
        also names the owners it goes to: (outcome, request, whether the copies must be edited, the
        owners who had a copy before)."""
        now = utc_iso(self.clock.now())
        found = {"changed": False}

        def file(doc):
            if doc is not None and doc["status"] != "pending":
                found.update(outcome="deciding", doc=doc)  # an owner decided a moment ago: the answer is on its way
                return doc
            if doc is None:
                rid = f"{self.clock.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
                doc = {"team_id": group.team_id, "channel_id": group.channel_id, "user_id": user_id, "rid": rid,
                       "status": "pending", "messages": [], "asked": 0, "via": via, "created_at": now, "version": 1,
                       "notified": [], "reminded_at": None}
                found["outcome"] = "requested"
            else:
                found["outcome"] = "merged"
            if message and (not doc["messages"] or doc["messages"][-1]["text"] != message):
                doc["messages"] = (doc["messages"] + [{"text": message, "at": now}])[-MAX_MESSAGES:]
                if found["outcome"] == "merged":
                    doc["version"] += 1  # the owners' copies are edited to show the new note
                    found["changed"] = True
            found["before"] = list(doc["notified"])
            doc["notified"] = doc["notified"] + [owner for owner in group.owners if owner not in doc["notified"]]
            doc["asked"] += 1
            doc["updated_at"] = now
            found["doc"] = doc
            return doc
        self.store.update(PENDING, f"{group.key}:{user_id}", file)
        return found["outcome"], found["doc"], found["changed"], found.get("before", [])

    def _send_cards(self, group: Group, doc: dict, changed: bool, before: list[str]) -> None:
        """Each owner's copy, under a key per request and owner: sending it again is a no-op, so a
        crash after the request was filed loses nothing (the person asks again: it is sent then);
        an owner who already had it gets an edit when the request changed."""
        requester = self.cards.person(group.team_id, doc["user_id"])
        message = self.cards.pending(group, doc, requester)
        for owner in doc["notified"]:
            key = self._dm_key(doc, owner)
            self.messenger.send(Post(key=key, team_id=group.team_id, user_id=owner, message=message, group=group.key))
            if changed and owner in before:
                self.messenger.send(Post(key=f"{key}:v{doc['version']}", team_id=group.team_id, user_id=owner,
                                         message=message, group=group.key, replaces=key))

    @staticmethod
    def _dm_key(doc: dict, owner: str) -> str:
        return f"approval:{doc['team_id']}:{doc['channel_id']}:{doc['rid']}:{owner}"

    # --- deciding ------------------------------------------------------------------------------
    def may_decide(self, group: Group, user_id: str, rid: str, actor: str) -> Decided:
        """Before the Deny form opens: 'pending' when `actor` may still decide, else as `decide`."""
        if not self.groups.may_own(group, actor):
            return Decided("not_owner")
        doc = self.store.get(PENDING, f"{group.key}:{user_id}")
        if doc is not None and doc["rid"] == rid and doc["status"] == "pending":
            return Decided("pending", doc)
        return self._settled(group, user_id, rid, doc)

    def decide(self, group: Group, user_id: str, rid: str, actor: str, *, approve: bool, reason: str = "") -> Decided:
        """An owner's Approve or Deny: the first one wins, and its effects follow."""
        if not self.groups.may_own(group, actor):  # read now, from the store: a button says nothing
            return Decided("not_owner")
        reason = " ".join(reason.split())[:MAX_REASON]
        won = {}

        def settle(doc):
            if doc is not None and doc["rid"] == rid and doc["status"] == "pending":
                doc.update(status="approved" if approve else "denied", decided_by=actor,
                           decided_at=utc_iso(self.clock.now()), reason="" if approve else reason,
                           version=doc["version"] + 1)
                won["doc"] = doc
            else:
                won["lost"] = doc
            return doc
        self.store.update(PENDING, f"{group.key}:{user_id}", settle)
        if "doc" not in won:
            return self._settled(group, user_id, rid, won.get("lost"))
        return self.finish(won["doc"])

    def _settled(self, group: Group, user_id: str, rid: str, pending: dict | None) -> Decided:
        if pending is not None and pending["rid"] == rid:
            return Decided("already", pending)  # decided, its effects under way
        done = self.store.get(history_table(rid), f"{group.key}:{rid}")
        return Decided("already", done) if done else Decided("unknown")

    def finish(self, doc: dict) -> Decided:
        """The effects of a decision, each keyed, then the move to the history. Safe to repeat."""
        group = self.groups.get(doc["team_id"], doc["channel_id"])
        rid, user_id, actor = doc["rid"], doc["user_id"], doc["decided_by"]
        if group is None:  # the group was removed meanwhile: nothing to invite to, nobody to tell
            self._archive(doc)
            return Decided("unknown", doc)
        approved = doc["status"] == "approved"
        self.audit.record(group.key, actor, "approval.approved" if approved else "approval.denied", subject=user_id,
                          detail=doc.get("reason", ""), key=f"approval:{rid}:decision")
        failure = ""
        if approved:
            try:
                self.workspace.invite(group.team_id, group.channel_id, user_id)
            except PlatformError as error:
                failure = "" if error.code == "already_in_channel" else error.code
            if failure:
                doc["invite_error"] = failure
                self.audit.record(group.key, actor, "approval.invite_failed", subject=user_id, detail=failure,
                                  key=f"approval:{rid}:invite_failed")
        self._tell_requester(group, doc)
        requester = self.cards.person(group.team_id, user_id)
        for owner in doc["notified"]:
            message = self.cards.decided(group, doc, requester, viewer=owner)
            key = self._dm_key(doc, owner)
            self.messenger.send(Post(key=f"{key}:v{doc['version']}", team_id=group.team_id, user_id=owner,
                                     message=message, group=group.key, replaces=key))
            if owner in doc.get("reminded", []):
                self.messenger.send(Post(key=f"{key}:reminder:v{doc['version']}", team_id=group.team_id, user_id=owner,
                                         message=message, group=group.key, replaces=f"{key}:reminder"))
        self._archive(doc)
        if failure:
            return Decided("invite_failed", doc, failure)
        return Decided("approved" if approved else "denied", doc)

    def _tell_requester(self, group: Group, doc: dict) -> None:
        if doc["status"] == "approved":
            kind = "invite_failed" if doc.get("invite_error") else "approved"
        else:
            kind = "denied"
        again = local_time(group, utc_iso(parse_iso(doc["decided_at"]) + ASK_AGAIN_AFTER))["date"]
        self.messenger.send(Post(key=f"approval:{doc['rid']}:{kind}", team_id=group.team_id, user_id=doc["user_id"],
                                 message=self.cards.to_requester(group, doc, kind, ask_again=again), group=group.key))

    def _archive(self, doc: dict) -> None:
        key = f"{doc['team_id']}:{doc['channel_id']}"
        self.store.insert_if_absent(history_table(doc["rid"]), f"{key}:{doc['rid']}", doc)
        if doc["status"] == "denied":
            self.store.put(DENIED, f"{key}:{doc['user_id']}", {"team_id": doc["team_id"], "channel_id": doc["channel_id"],
                                                              "user_id": doc["user_id"], "at": doc["decided_at"]})

        def drop(stored):
            return None if stored is not None and stored["rid"] == doc["rid"] else stored
        self.store.update(PENDING, f"{key}:{doc['user_id']}", drop)

    # --- reading -------------------------------------------------------------------------------
    def pending(self, group: Group) -> list[dict]:
        """The group's requests waiting for an owner, oldest first (the small pending table only)."""
        return sorted(self.store.find(PENDING, team_id=group.team_id, channel_id=group.channel_id, status="pending"),
                      key=lambda doc: doc["created_at"])

    def pending_count(self, group: Group) -> int:
        """How many requests wait for the group's owners (for the App Home dashboard)."""
        return len(self.store.find(PENDING, team_id=group.team_id, channel_id=group.channel_id, status="pending"))

    def digest_section(self, group: Group, week: str) -> list[Text] | None:
        """The owners' weekly checklist: requests still waiting, oldest first, with their note."""
        waiting = self.pending(group)
        if not waiting:
            return None
        locale, now = group.locale, self.clock.now()
        lines = [t(locale, "approval.digest.title", count=str(len(waiting)))]
        for doc in waiting[:DIGEST_SHOWN]:
            age = humanize_age(locale, (now - parse_iso(doc["created_at"])).total_seconds())
            if doc["messages"]:
                lines.append(t(locale, "approval.digest.line", user=Mention(doc["user_id"]), age=age,
                               text=doc["messages"][-1]["text"]))
            else:
                lines.append(t(locale, "approval.digest.line_no_message", user=Mention(doc["user_id"]), age=age))
        if len(waiting) > DIGEST_SHOWN:
            lines.append(t(locale, "approval.digest.more", count=str(len(waiting) - DIGEST_SHOWN)))
        return lines

    # --- the sweep -----------------------------------------------------------------------------
    def sweep(self) -> int:
        """Remind the owners once of requests waiting `REMIND_AFTER`, and finish decisions a crash
        cut short. How many requests it acted on."""
        now = self.clock.now()
        acted = 0
        for doc in sorted(self.store.find(PENDING), key=lambda d: d["created_at"]):
            if acted >= PER_SWEEP:
                break  # the rest at the next tick: a tick stays short whatever the backlog
            if doc["status"] == "pending" and not doc.get("reminded_at") and now - parse_iso(doc["created_at"]) >= REMIND_AFTER:
                acted += self._remind(doc, now)
            elif doc["status"] != "pending" and now - parse_iso(doc["decided_at"]) >= FINISH_AFTER:
                self.finish(doc)
                acted += 1
        return acted

    def _remind(self, doc: dict, now: datetime) -> int:
        group = self.groups.get(doc["team_id"], doc["channel_id"])
        if group is None:
            return 0
        requester = self.cards.person(group.team_id, doc["user_id"])
        message = self.cards.pending(group, doc, requester, reminder=True)
        owners = [owner for owner in doc["notified"] if group.is_owner(owner)]
        # Queued first, marked after: a restart in between queues the same keys, which the outbox ignores.
        for owner in owners:
            self.messenger.send(Post(key=f"{self._dm_key(doc, owner)}:reminder", team_id=group.team_id, user_id=owner,
                                     message=message, group=group.key))

        def mark(stored):
            if stored is not None and stored["rid"] == doc["rid"] and stored["status"] == "pending":
                stored.update(reminded_at=utc_iso(now), reminded=owners)
            return stored
        self.store.update(PENDING, f"{group.key}:{doc['user_id']}", mark)
        return 1
