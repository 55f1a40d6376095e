"""Reactions on Slack, for the activity record (applied from the inbox, in channel order).

Messages are recorded by `handlers.questions.message_posted`, which knows what kind they were."""
from __future__ import annotations


def is_message_reaction(event: dict) -> bool:
    item = event.get("item")
    return (isinstance(item, dict) and item.get("type") == "message" and isinstance(item.get("channel"), str)
            and isinstance(item.get("ts"), str) and isinstance(event.get("user"), str) and isinstance(event.get("reaction"), str))


def reaction_name(event: dict) -> str:
    """Skin tones ("+1::skin-tone-2") are the same reaction."""
    return event["reaction"].split("::")[0]


def reaction_added(core, group, event: dict, event_id: str) -> None:
    core.activity.reaction(group, event["user"], event["item"]["ts"], _author(event), reaction_name(event), True, event_id)


def reaction_removed(core, group, event: dict, event_id: str) -> None:
    core.activity.reaction(group, event["user"], event["item"]["ts"], _author(event), reaction_name(event), False, event_id)


def _author(event: dict) -> str | None:
    author = event.get("item_user")  # Slack says whose message it was
    return author if isinstance(author, str) else None
