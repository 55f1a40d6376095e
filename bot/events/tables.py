"""The events duty's tables, its outbox follow-up and the key of an event (see the package's doc)."""
from __future__ import annotations

TABLE = "events"
ARCHIVE = "events_past"
CARDS = "event_cards"
FOLLOWUPS = "event_followups"
TRACK_CARD = "events.track_card"


def event_key(team_id: str, event_id: str) -> str:
    return f"{team_id}:{event_id}"
