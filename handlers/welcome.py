"""Joins and leaves on Slack (applied from the inbox, in channel order)."""
from __future__ import annotations


def is_membership_change(event: dict) -> bool:
    return isinstance(event.get("user"), str) and isinstance(event.get("channel"), str)


def member_joined(core, group, event: dict, event_id: str) -> None:
    # The event's own timestamp names this join, so a replayed or redelivered one queues the
    # same welcome key (the outbox posts it once) while a later rejoin gets its own.
    core.welcome.member_joined(group, event["user"], joined_at=str(event.get("event_ts") or event_id))


def member_left(core, group, event: dict, event_id: str) -> None:
    core.welcome.member_left(group, event["user"])
