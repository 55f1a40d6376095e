"""Membership approval, the core on its own: a real TinyDB store, the real outbox (no delivery
worker), the real audit trail, a fake clock, and a workspace that records invitations."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.approval import (APPROVE, ASK_AGAIN_AFTER, DENY, MAX_MESSAGE, PENDING, REMIND_AFTER, ApprovalService,
                          button_value, history_table, parse_button)
from bot.audit import AuditLog
from bot.clock import FakeClock
from bot.digest import DigestService
from bot.groups import GroupService, TooLong
from bot.messages import Message
from bot.outbox import QUEUE, Outbox
from bot.ports import Channel, Person, PlatformError
from bot.store import TinyDBStore

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # 10:00 in Paris


class Directory:
    def person(self, team_id, user_id):
        return Person(user_id, name={"UCAROL": "Carol Diaz"}.get(user_id, user_id.lower()),
                      title={"UCAROL": "Platform engineer"}.get(user_id, ""), timezone="Asia/Tokyo")


class Workspace:
    """Channels C1 (public) and C9 (private), their members, and the invitations asked for."""

    def __init__(self):
        self.members = {"C1": ["UOWNER", "UCO", "UALICE"], "C9": ["UOWNER"]}
        self.private = {"C9"}
        self.invited = []
        self.refuse = None  # an error code to answer the next invitations with
        self.lock = threading.Lock()

    def channel(self, team_id, channel_id):
        if channel_id not in self.members:
            raise PlatformError("channel_not_found")
        return Channel(channel_id, name=channel_id.lower(), member_count=len(self.members[channel_id]),
                       is_private=channel_id in self.private)

    def invite(self, team_id, channel_id, user_id):
        with self.lock:
            self.invited.append((channel_id, user_id))
            if self.refuse:
                raise PlatformError(self.refuse)
            if user_id in self.members[channel_id]:
                raise PlatformError("already_in_channel")
            self.members[channel_id].append(user_id)


class World:
    def __init__(self, data_dir, clock):
        self.data_dir, self.clock = data_dir, clock
        self.workspace = Workspace()
        self.open()

    def open(self):
        self.store = TinyDBStore(self.data_dir, flush_interval=60)
        self.groups = GroupService(self.store, self.clock, admins=frozenset({"UADMIN"}))
        if self.groups.get("T1", "C1") is None:
            group, _ = self.groups.create("T1", "C1", "UOWNER", timezone="Europe/Paris")
            self.groups.add_owner(group, "UCO")
            self.groups.set_setting(self.groups.get("T1", "C1"), "approval", "on")
        self.outbox = Outbox(self.store, self.clock)
        self.audit = AuditLog(self.store, self.clock)
        port = self.workspace

        class Port:  # the Workspace port over the fake: members() is the port's name
            channel = staticmethod(port.channel)
            invite = staticmethod(port.invite)

            @staticmethod
            def members(team_id, channel_id):
                return list(port.members[channel_id])
        self.approval = ApprovalService(self.store, self.clock, self.groups, Directory(), Port(), self.outbox, self.audit)

    @property
    def group(self):
        return self.groups.get("T1", "C1")

    def restart(self):
        self.store.close()
        self.open()

    def queued(self, user=None):
        docs = sorted(self.store.find(QUEUE), key=lambda doc: (doc["queued_at"], doc["key"]))
        return [doc for doc in docs if user is None or doc["user_id"] == user]

    def ask(self, user="UCAROL", message="", channel="C1", **kwargs):
        return self.approval.request("T1", channel, user, message, **kwargs)


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path / "data", FakeClock(MONDAY))
    yield w
    w.store.close()


def plain(doc):
    return Message.from_dict(doc["message"]).plain()


def buttons(doc):
    return [(b["action_id"], b["value"]) for b in doc["message"]["buttons"]]


def test_a_request_reaches_every_owner_with_who_asks_and_buttons(world):
    asked = world.ask(message="I run the platform team and would like to help")
    assert asked.outcome == "requested"
    for owner in ("UOWNER", "UCO"):
        [card] = world.queued(owner)
        assert card["key"] == f"approval:T1:C1:{asked.doc['rid']}:{owner}" and card["replaces"] is None
        text = plain(card)
        assert "@UCAROL asks to join #C1" in text
        assert "Name: Carol Diaz · Title: Platform engineer · Time zone: Asia/Tokyo" in text
        assert "Their message: I run the platform team and would like to help" in text
        assert "Asked on 2026-11-23 at 10:00 (Europe/Paris) with /community join." in text
        assert buttons(card) == [(APPROVE, button_value(asked.doc)), (DENY, button_value(asked.doc))]
    assert world.approval.pending_count(world.group) == 1
    [entry] = world.audit.recent("T1:C1", 10)
    assert (entry.actor, entry.action, entry.detail) == ("UCAROL", "approval.requested", asked.doc["messages"][0]["text"])


def test_the_first_decision_wins_and_every_copy_shows_who_and_when(world):
    asked = world.ask()
    rid = asked.doc["rid"]
    world.clock.advance(minutes=90)
    decided = world.approval.decide(world.group, "UCAROL", rid, "UCO", approve=True)
    assert decided.outcome == "approved"
    assert world.workspace.invited == [("C1", "UCAROL")]
    again = world.approval.decide(world.group, "UCAROL", rid, "UOWNER", approve=False)
    assert again.outcome == "already" and again.doc["decided_by"] == "UCO"
    for owner in ("UOWNER", "UCO"):
        first, edit = world.queued(owner)
        assert edit["replaces"] == first["key"] and edit["key"] == f"{first['key']}:v2"
        assert plain(edit).startswith("✅ Approved by @UCO on 2026-11-23 at 11:30 (Europe/Paris): @UCAROL was added to #C1.")
        assert edit["message"]["buttons"] == []
    [told] = world.queued("UCAROL")
    assert "was approved" in plain(told)
    assert world.approval.pending_count(world.group) == 0
    assert world.store.get(history_table(rid), f"T1:C1:{rid}")["decided_by"] == "UCO"
    assert [(e.actor, e.action, e.subject) for e in world.audit.recent("T1:C1", 10)][0] == ("UCO", "approval.approved", "UCAROL")


def test_two_owners_pressing_at_once_make_one_decision(world):
    rid = world.ask().doc["rid"]
    outcomes, start = [], threading.Barrier(2)

    def press(owner, approve):
        start.wait()
        outcomes.append((owner, world.approval.decide(world.group, "UCAROL", rid, owner, approve=approve).outcome))
    threads = [threading.Thread(target=press, args=("UOWNER", True)), threading.Thread(target=press, args=("UCO", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcome for _, outcome in outcomes) in (["already", "approved"], ["already", "denied"])
    decisions = [e for e in world.audit.recent("T1:C1", 10) if e.action in ("approval.approved", "approval.denied")]
    assert len(decisions) == 1
    assert len(world.workspace.invited) == (1 if decisions[0].action == "approval.approved" else 0)
    assert len(world.queued("UCAROL")) == 1  # one answer to the person who asked


def test_only_owners_and_admins_decide_whatever_the_button_says(world):
    rid = world.ask().doc["rid"]
    assert world.approval.decide(world.group, "UCAROL", rid, "UALICE", approve=True).outcome == "not_owner"
    assert world.approval.decide(world.group, "UCAROL", rid, "UCAROL", approve=True).outcome == "not_owner"
    assert world.approval.may_decide(world.group, "UCAROL", rid, "UALICE").outcome == "not_owner"
    assert world.workspace.invited == [] and world.approval.pending_count(world.group) == 1
    assert world.approval.decide(world.group, "UCAROL", "20261123090000-000000", "UOWNER", approve=True).outcome == "unknown"
    assert world.approval.decide(world.group, "UCAROL", rid, "UADMIN", approve=True).outcome == "approved"
    assert parse_button("T1:C1:UCAROL:not-a-request") is None and parse_button("T1:C1:UCAROL") is None


def test_a_denial_with_a_reason_is_a_polite_dm_and_asking_again_waits_a_week(world):
    rid = world.ask(message="please").doc["rid"]
    decided = world.approval.decide(world.group, "UCAROL", rid, "UOWNER", approve=False, reason="  Platform team   only  ")
    assert decided.outcome == "denied" and world.workspace.invited == []
    [told] = world.queued("UCAROL")
    assert plain(told) == ("Thank you for your interest in #C1. Its owners have decided not to add you for now.\n"
                           "Their note: Platform team only\nYou may ask again from 2026-11-30.")
    edit = world.queued("UCO")[-1]
    assert plain(edit).startswith("❌ Denied by @UOWNER on 2026-11-23 at 10:00 (Europe/Paris).\nReason given: Platform team only")
    assert world.ask().outcome == "denied_recently"
    world.clock.advance(ASK_AGAIN_AFTER)
    assert world.ask().outcome == "requested"


def test_a_duplicate_merges_into_the_pending_request_and_edits_the_copies(world):
    first = world.ask(message="hello")
    assert world.ask(message="hello").outcome == "merged"  # the same note again: nothing new to show
    assert len(world.queued("UOWNER")) == 1
    merged = world.ask(message="I also maintain the CI")
    assert merged.outcome == "merged" and merged.doc["rid"] == first.doc["rid"] and merged.doc["asked"] == 3
    card, edit = world.queued("UOWNER")
    assert edit["replaces"] == card["key"]
    assert "Their message: hello\nTheir message: I also maintain the CI" in plain(edit)
    assert "Asked 3 times" in plain(edit)
    assert world.approval.pending_count(world.group) == 1


def test_no_approval_just_invites_and_owners_are_never_asked(world):
    world.groups.set_setting(world.group, "approval", "off")
    assert world.ask().outcome == "invited"
    assert world.workspace.invited == [("C1", "UCAROL")] and world.queued() == []
    assert world.ask().outcome == "already_member"
    world.groups.set_setting(world.group, "approval", "on")
    world.workspace.members["C1"].remove("UCO")
    assert world.ask("UCO").outcome == "invited"  # an owner outside the channel is simply added


def test_bad_targets_and_members_get_a_clear_outcome(world):
    assert world.ask(channel="C404").outcome == "not_managed"
    assert world.ask("UALICE").outcome == "already_member"
    with pytest.raises(TooLong):
        world.ask(message="x" * (MAX_MESSAGE + 1))
    # A private group is listed, and takes requests, only when its owners allow it.
    world.groups.create("T1", "C9", "UOWNER")
    assert world.ask(channel="C9").outcome == "not_managed"
    world.groups.set_setting(world.groups.get("T1", "C9"), "listed_when_private", "on")
    assert world.ask(channel="C9").outcome == "invited"


@pytest.mark.parametrize("code, words", [
    ("not_in_channel", "I am not a member of #C1, so I cannot add anyone there"),
    ("user_is_restricted", "they have a guest account, and only a workspace admin can add a guest to a channel"),
    ("cant_invite", "Slack does not allow them to be added to #C1 (cant_invite)"),
    ("fatal_error", "Slack answered fatal_error"),
])
def test_an_invitation_refused_is_told_to_the_deciding_owner_in_words(world, code, words):
    rid = world.ask().doc["rid"]
    world.workspace.refuse = code
    decided = world.approval.decide(world.group, "UCAROL", rid, "UCO", approve=True)
    assert (decided.outcome, decided.detail) == ("invite_failed", code)
    mine, other = plain(world.queued("UCO")[-1]), plain(world.queued("UOWNER")[-1])
    assert f"but I could not add @UCAROL: {words}" in mine and "You can add @UCAROL yourself" in mine
    assert words in other and "You can add" not in other  # the hint is for the one who decided
    assert words in plain(world.queued("UCAROL")[0])
    failed = [e for e in world.audit.recent("T1:C1", 10) if e.action == "approval.invite_failed"]
    assert [(e.actor, e.subject, e.detail) for e in failed] == [("UCO", "UCAROL", code)]


def test_a_request_waiting_three_days_is_reminded_once_even_across_restarts(world):
    asked = world.ask()
    world.clock.advance(REMIND_AFTER - timedelta(minutes=1))
    assert world.approval.sweep() == 0
    world.clock.advance(minutes=1)
    assert world.approval.sweep() == 1
    world.restart()
    world.clock.advance(days=2)
    assert world.approval.sweep() == 0
    for owner in ("UOWNER", "UCO"):
        card, reminder = world.queued(owner)
        assert reminder["key"] == card["key"] + ":reminder" and plain(reminder).startswith("⏰ Still waiting after 3 days")
        assert buttons(reminder) == buttons(card)
    world.approval.decide(world.group, "UCAROL", asked.doc["rid"], "UOWNER", approve=True)
    edits = [doc for doc in world.queued("UCO") if doc["replaces"]]
    assert sorted(doc["replaces"] for doc in edits) == [f"approval:T1:C1:{asked.doc['rid']}:UCO",
                                                         f"approval:T1:C1:{asked.doc['rid']}:UCO:reminder"]


def test_a_reminder_queued_before_a_crash_is_not_sent_twice(world, monkeypatch):
    world.ask()
    world.clock.advance(REMIND_AFTER)
    monkeypatch.setattr(world.store, "update", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("crash")))
    with pytest.raises(RuntimeError):
        world.approval.sweep()  # the reminders are queued, the mark is not written
    monkeypatch.undo()
    assert len(world.queued("UOWNER")) == 2 and not world.store.find(PENDING)[0]["reminded_at"]
    world.restart()
    assert world.approval.sweep() == 1
    assert len(world.queued("UOWNER")) == 2  # the card and one reminder: the outbox kept its key once


def test_a_decision_cut_short_by_a_crash_is_finished_by_the_sweep(world, monkeypatch):
    rid = world.ask().doc["rid"]
    monkeypatch.setattr(world.approval, "finish", lambda doc: None)  # the process dies after the decision
    world.approval.decide(world.group, "UCAROL", rid, "UOWNER", approve=True)
    monkeypatch.undo()
    world.restart()
    assert world.workspace.invited == [] and world.approval.pending_count(world.group) == 0
    assert world.approval.sweep() == 0  # not yet: the lane that decided may still be finishing it
    world.clock.advance(minutes=2)
    assert world.approval.sweep() == 1
    assert world.workspace.invited == [("C1", "UCAROL")]
    assert world.store.find(PENDING) == [] and world.store.get(history_table(rid), f"T1:C1:{rid}")
    assert world.approval.sweep() == 0


def test_pending_requests_are_in_the_owners_checklist(world):
    class Nothing:
        def __getattr__(self, name):
            return lambda *a, **k: []
    digest = DigestService(world.store, world.clock, world.groups, Nothing(), Nothing(), Nothing(), Directory(), world.outbox)
    digest.add_section("join_requests", world.approval.digest_section, order=15)
    assert world.approval.digest_section(world.group, "2026-W47") is None
    world.ask(message="<!channel> let me in")
    world.clock.advance(days=2)
    world.ask("UDAN")
    world.clock.advance(hours=5)
    lines = world.approval.digest_section(world.group, "2026-W47")
    assert [Message.of(line).plain() for line in lines] == [
        "Join requests waiting (2), oldest first; approve or deny each from my direct message about it:",
        "• @UCAROL, waiting for 2 days: <!channel> let me in",  # a plain part: the adapter escapes it
        "• @UDAN, waiting for 5 h"]
    assert digest.section_names().index("join_requests") == 1  # after the unanswered questions
