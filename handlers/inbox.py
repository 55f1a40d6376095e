"""Events in: journalled before Slack gets its 200, applied afterwards in channel order.

`accept_event` is the Bolt listener of every event type that changes something. It runs before the
acknowledgement (`process_before_response=True`), checks the few fields the appliers need (an
event without them is ignored quietly, as Slack may send shapes we do not use), and hands the
event to the core's `Inbox`, which syncs it to the journal. `apply_event` runs later, on the
inbox's lane for the event's channel, and calls the duty module that owns the event type.

Journalled: every message, join, leave and reaction of the types below, in any channel (whether a
channel is a managed group is decided when applying, so the acknowledgement never waits for the
store). Chatter is journalled too: it costs one grouped sync, and it makes its activity counter
exact after a crash (the counter is bumped once per event id, see `bot.store`).
Not journalled: `app_home_opened` (it only reads) and interactive requests (commands, buttons,
shortcuts: the person sees the answer, or its absence, at once; they run on their own lane).
"""
from __future__ import annotations

import logging
import uuid
from typing import Callable

from bot.inbox.journal import Entry

from . import activity, prompts, questions, welcome

log = logging.getLogger(__name__)
PLAIN_MESSAGE_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}

# event type -> (is it usable?, the channel it belongs to, its appliers in order: each duty's own)
Applier = Callable[..., None]
ROUTES: dict[str, tuple[Callable[[dict], bool], Callable[[dict], str], tuple[Applier, ...]]] = {
    "message": (questions.is_person_message, lambda e: e["channel"], (questions.message_posted, prompts.message_posted)),
    "reaction_added": (activity.is_message_reaction, lambda e: e["item"]["channel"],
                       (activity.reaction_added, questions.reaction_added)),
    "reaction_removed": (activity.is_message_reaction, lambda e: e["item"]["channel"], (activity.reaction_removed,)),
    "member_joined_channel": (welcome.is_membership_change, lambda e: e["channel"], (welcome.member_joined,)),
    "member_left_channel": (welcome.is_membership_change, lambda e: e["channel"], (welcome.member_left,)),
}


def accept_event(body: dict, context, inbox) -> None:
    """Inline, before the ack: journal the event or ignore it."""
    event = body.get("event")
    route = ROUTES.get(event.get("type")) if isinstance(event, dict) else None
    if route is None or not route[0](event):
        return
    team_id = body.get("team_id") or event.get("team") or context.get("team_id") or ""
    event_id = body.get("event_id") or f"local:{uuid.uuid4()}"
    if not inbox.accept(event_id, route[1](event), {"team_id": team_id, "event": event}):
        log.debug("event %s was already journalled (a redelivery)", event_id)


def apply_event(core, entry: Entry) -> None:
    """The inbox's applier: find the managed group and let the owning duty apply the event."""
    event, team_id = entry.event["event"], entry.event["team_id"]
    group = core.groups.get(team_id, entry.lane)
    if group is None:
        return  # not a managed group: nothing to do
    for applier in ROUTES[event["type"]][2]:
        applier(core, group, event, entry.event_id)
