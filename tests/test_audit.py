"""The audit trail: decisions kept once, listed newest first across months, and `/community audit`."""
from datetime import timedelta

import pytest

from bot.audit import AuditLog
from bot.clock import FakeClock
from bot.store import TinyDBStore


@pytest.fixture
def audit(tmp_path):
    store = TinyDBStore(tmp_path, flush_interval=60)
    log = AuditLog(store, FakeClock())
    log.describe("approval.approved", "audit.unknown_action")
    yield log
    store.close()


def test_decisions_are_listed_newest_first_across_months_and_per_group(audit):
    for n in range(3):
        audit.record("T1:C1", "UOWNER", "approval.approved", subject=f"U{n}")
        audit.clock.advance(days=20)
    audit.record("T1:C2", "UOTHER", "approval.approved", subject="UX")
    entries = audit.recent("T1:C1", 10)
    assert [e.subject for e in entries] == ["U2", "U1", "U0"]
    assert len({e.at.month for e in entries}) >= 2  # spans months: older tables are read back
    assert [e.subject for e in audit.recent("T1:C1", 2)] == ["U2", "U1"]


def test_a_retried_decision_is_recorded_once_and_an_undescribed_action_is_a_bug(audit):
    assert audit.record("T1:C1", "UOWNER", "approval.approved", subject="U1", key="req-1") is True
    assert audit.record("T1:C1", "UOWNER", "approval.approved", subject="U1", key="req-1") is False
    assert len(audit.recent("T1:C1", 10)) == 1
    with pytest.raises(ValueError):
        audit.record("T1:C1", "UOWNER", "approval.typo")


def test_the_audit_command_lists_decisions_for_owners_only(group):
    core = group.steward.core
    core.audit.describe("test.kept", "audit.unknown_action")
    core.audit.record("T1:C1", "UOWNER", "test.kept", subject="UALICE", detail="<!channel> reason")
    answer = group.run("UOWNER", "audit")
    assert "*Owner decisions*, the last 1:" in answer and "<@UOWNER>" in answer and "<@UALICE>" in answer
    assert "<!channel>" not in answer  # the detail is user text: shown, never a ping
    assert group.run("UOWNER", "audit 0").startswith("Usage")
    assert group.run("UALICE", "audit").startswith("Only this group's owners can do that.")


def test_a_count_that_is_not_a_plain_number_from_1_to_50_gets_the_usage(group):
    """Digits Python reads as digits but not as a number ("²"), or too many of them for int(),
    were a traceback and "something went wrong"; they are the usage like any other bad count."""
    for count in ("²", "⁵", "9" * 5000, "51", "-1", "1.5", "03x"):
        assert group.run("UOWNER", f"audit {count}").startswith("Usage: `/community audit [n]`"), count
    assert group.run("UOWNER", "audit 50") == group.run("UOWNER", "audit") == "No owner decisions recorded yet."
