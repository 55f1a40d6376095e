"""Events in: journalled before Slack gets its 200, applied afterwards in channel order.

`accept_event` is the Bolt listener of every event type that changes something. It runs before the
acknowledgement (`process_before_response=True`), checks the few fields the appliers need (an
event without them is ignored quietly, as Slack may send shapes we do not use), and hands the
event to the core's `Inbox`, which syncs it to the journal; the inbox wakes the event's lane only
once the front door has sent the 200 (`handlers.acks`). `apply_event` runs later, on the
inbox's lane for the event's channel, and calls the duty module that owns the event type.

Journalled (kept through any crash once acked): joins and leaves (a welcome), thread replies (they
answer questions), top-level messages that read as questions, and ✅ reactions (they resolve
questions), in any channel: whether a channel is a managed group is decided when applying, so the
acknowledgement never waits for the store.
Queued in their lane without the journal: chatter (other top-level messages) and other reactions.
They only feed buffered activity records (counters, last activity, kudos, thread notes), so they
stay in the documented counter window: a crash can lose up to `COUNTER_FLUSH_SECONDS` of them, and
never counts one twice (counters are bumped once per event id, see `bot.store`). Skipping the sync
for them keeps the acknowledgement of the most common event as cheap as a bare Bolt app's.
Moderation (`handlers.moderation`) journals too: messages that may match a rule (decided by an
in-memory filter of every rule's anchor words, no store read, a few µs), edits whose old or new
text may match, and deletions: they open or close owners' reports, which must not be lost.
Message subtypes with a route of their own (`message_changed`, `message_deleted`) are keyed
"message/<subtype>" (`route_of`); Bolt hears them through the `message` listener.
Not queued at all: `app_home_opened` (it only reads) and interactive requests (commands, buttons,
shortcuts: the person sees the answer, or its absence, at once; they run on their own lane).
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Callable

from bot.inbox.journal import Entry

from . import activity, prompts, questions, welcome
from .acks import after_ack
# Each duty of the owner toolkit imports its module here:
# approval

# moderation
from . import moderation

# content
from . import content

# events

# report

# audience


log = logging.getLogger(__name__)
PLAIN_MESSAGE_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}

def always(event: dict) -> bool:
    return True


def never(event: dict) -> bool:
    return False


@dataclass(frozen=True)
class Route:
    usable: Callable[[dict], bool]  # has what the appliers need
    lane: Callable[[dict], str]  # the channel it belongs to
    journalled: Callable[[dict], bool]  # must survive a crash (see the module docstring)
    appliers: tuple[Callable[..., None], ...]  # each duty's own, in order


ROUTES: dict[str, Route] = {
    "message": Route(questions.is_person_message, lambda e: e["channel"],
                     moderation.either(questions.may_change_a_question, moderation.may_match),
                     (questions.message_posted, prompts.message_posted, moderation.message_posted)),
    "reaction_added": Route(activity.is_message_reaction, lambda e: e["item"]["channel"], questions.may_resolve,
                            (activity.reaction_added, questions.reaction_added)),
    "reaction_removed": Route(activity.is_message_reaction, lambda e: e["item"]["channel"], never, (activity.reaction_removed,)),
    "member_joined_channel": Route(welcome.is_membership_change, lambda e: e["channel"], always, (welcome.member_joined,)),
    "member_left_channel": Route(welcome.is_membership_change, lambda e: e["channel"], always, (welcome.member_left,)),
    # Each duty of the owner toolkit adds its event types under its heading:
    # approval

    # moderation
    # A message subtype with a route of its own is keyed "message/<subtype>" (see `route_of`).
    "message/message_changed": Route(moderation.is_edit, lambda e: e["channel"], moderation.edit_may_matter,
                                     (moderation.message_changed,)),
    "message/message_deleted": Route(moderation.is_deletion, lambda e: e["channel"], always, (moderation.message_deleted,)),

    # content
    # Pins change what the owners' checklist asks about: journalled (they are rare).
    "pin_added": Route(content.is_pin_event, content.pin_channel, always, (content.pin_added,)),
    "pin_removed": Route(content.is_pin_event, content.pin_channel, always, (content.pin_removed,)),

    # events

    # report

    # audience

}


def accept_event(body: dict, context, inbox) -> None:
    """Inline, before the ack: journal the event or ignore it."""
    event = body.get("event")
    route = route_of(event) if isinstance(event, dict) and isinstance(event.get("type"), str) else None
    try:
        if route is None or not route.usable(event):
            return
        lane, journalled = route.lane(event), route.journalled(event)
    except Exception:  # a field of a type Slack never sends (a list for a subtype): nothing to keep
        log.debug("ignored an event of an unexpected shape: %.200r", event)
        return
    team_id = body.get("team_id") or event.get("team") or context.get("team_id") or ""
    event_id = body.get("event_id") or f"local:{uuid.uuid4()}"
    if not inbox.accept(event_id, lane, {"team_id": team_id, "event": event}, durable=journalled, after_ack=after_ack):
        log.debug("event %s was already journalled (a redelivery)", event_id)


def apply_event(core, entry: Entry) -> None:
    """The inbox's applier: find the managed group and let the owning duty apply the event."""
    event, team_id = entry.event["event"], entry.event["team_id"]
    group = core.groups.get(team_id, entry.lane)
    if group is None:
        return  # not a managed group: nothing to do
    for applier in route_of(event).appliers:
        applier(core, group, event, entry.event_id)


def route_of(event: dict) -> Route | None:
    """The route of an event: its subtype's when it has one of its own ("message/message_changed"),
    else its type's. Bolt hears every subtype through its type's listener (`subscribed_types`)."""
    subtype = event.get("subtype")
    if isinstance(subtype, str):
        route = ROUTES.get(f"{event['type']}/{subtype}")
        if route is not None:
            return route
    return ROUTES.get(event["type"])


def subscribed_types() -> list[str]:
    """The event types to listen to: each route's type, subtypes' routes included once."""
    return list(dict.fromkeys(name.partition("/")[0] for name in ROUTES))
