"""What the events duty says: the event card in the group, the reminders and notices by direct
message, and the follow-up under the card. Times are shown as wall times in the reader's zone:
the group's on the card, the attendee's in a direct message (with the group's beside it when the
zones differ). Titles, places, links and descriptions are the owner's text: plain parts."""
from __future__ import annotations

from datetime import datetime

from ..groups.commands import DAY_NAMES
from ..i18n import t, tp
from ..messages import Button, ChannelRef, Link, Mention, Message, Strong, Text, join, text
from ..worktime import DAYS
from .timeline import wall

GOING, MAYBE, CANT = "going", "maybe", "cant"
ANSWERS = (GOING, MAYBE, CANT)
# One action per answer, so Slack tells which was pressed without parsing the value.
RSVP_ACTIONS = {"event_going": GOING, "event_maybe": MAYBE, "event_cant": CANT}
EDIT = "event_edit"
SHOWN_NAMES = 30  # per answer on the card; more are counted ("+12")
_COUNT_KEYS = {GOING: "events.card.going", MAYBE: "events.card.maybe", CANT: "events.card.cant"}


def when(locale: str, moment: datetime, tz: str) -> dict:
    """The slots of a wall time: day name, date and time in `tz`."""
    local = wall(moment, tz)
    return {"day": t(locale, DAY_NAMES[DAYS[local.weekday()]]), "date": local.strftime("%Y-%m-%d"),
            "time": local.strftime("%H:%M")}


def attendees(doc: dict, *answers: str) -> list[str]:
    """Who gave one of `answers`, in the order they gave it (answers are kept in that order)."""
    return [user for user, r in doc.get("rsvps", {}).items() if r["answer"] in answers]


def _names(users: list[str]) -> Text:
    shown = join((Mention(u) for u in users[:SHOWN_NAMES]), ", ")
    return text(shown, f" +{len(users) - SHOWN_NAMES}") if len(users) > SHOWN_NAMES else shown


def card(doc: dict, locale: str, tz: str) -> Message:
    """The event's post in the group, as it stands: details, who answered what, and the buttons
    while answers are open; a cancelled or held event keeps its details without buttons."""
    start = datetime.fromisoformat(doc["start"])
    head = [t(locale, "events.card.title", title=Strong(doc["title"])),
            t(locale, "events.card.when", timezone=tz, **when(locale, start, tz)),
            t(locale, "events.card.where", place=doc["place"])]
    if doc.get("link"):
        head.append(t(locale, "events.card.link", link=Link(doc["link"], doc["link"])))
    paragraphs = [join(head, "\n")]
    if doc.get("description"):
        paragraphs.append(text(doc["description"]))
    status = doc.get("status")
    if status == "cancelled":
        paragraphs.append(t(locale, "events.card.cancelled", owner=Mention(doc.get("cancelled_by") or doc["created_by"])))
        return Message.of(*paragraphs)
    lines = []
    for answer in ANSWERS:
        users = attendees(doc, answer)
        lines.append(t(locale, _COUNT_KEYS[answer], count=str(len(users)),
                       people=_names(users) if users else t(locale, "events.card.nobody")))
    paragraphs.append(join(lines, "\n"))
    if status == "held":
        paragraphs.append(t(locale, "events.card.held", count=str(len(attendees(doc, GOING)))))
        return Message.of(*paragraphs)
    buttons = [Button(tp(locale, "events.button.going"), "event_going", doc["key"], primary=True),
               Button(tp(locale, "events.button.maybe"), "event_maybe", doc["key"]),
               Button(tp(locale, "events.button.cant"), "event_cant", doc["key"]),
               Button(tp(locale, "events.button.edit"), EDIT, doc["key"])]
    return Message.of(*paragraphs, notes=[t(locale, "events.card.note", owner=Mention(doc["created_by"]))], buttons=buttons)


def where_link(locale: str, channel_id: str, permalink: str | None) -> Text:
    """The card, linked when its address is known, else the group."""
    if permalink:
        return text(Link(permalink, tp(locale, "events.card_link")))
    return text(ChannelRef(channel_id))


def _personal(locale: str, start: datetime, tz: str, group_tz: str) -> dict:
    slots = when(locale, start, tz)
    if tz != group_tz:
        group_wall = when(locale, start, group_tz)
        slots["time"] = tp(locale, "events.time_both", time=slots["time"], group_time=group_wall["time"], timezone=group_tz)
    return slots


def reminder(doc: dict, step: str, locale: str, tz: str, group_tz: str, link: Text) -> Message:
    start = datetime.fromisoformat(doc["start"])
    key = "events.remind.day_before" if step == "day" else "events.remind.hour_before"
    return Message.of(t(locale, key, title=Strong(doc["title"]), place=doc["place"], card=link,
                        **_personal(locale, start, tz, group_tz)))


def notice(doc: dict, kind: str, locale: str, tz: str, group_tz: str, link: Text) -> Message:
    """Told once to those going or maybe: the event was cancelled, or its time or place changed."""
    start = datetime.fromisoformat(doc["start"])
    key = "events.notice.cancelled" if kind == "cancel" else "events.notice.changed"
    return Message.of(t(locale, key, title=Strong(doc["title"]), place=doc["place"], card=link,
                        **_personal(locale, start, tz, group_tz)))


def follow_up(doc: dict, locale: str) -> Message:
    went = attendees(doc, GOING)  # thanked by name: those who said they would come
    if went:
        return Message.of(t(locale, "events.followup", title=Strong(doc["title"]), people=_names(went)),
                          notes=[t(locale, "events.followup_note")])
    return Message.of(t(locale, "events.followup_nobody", title=Strong(doc["title"])), notes=[t(locale, "events.followup_note")])


def nudge(doc: dict, locale: str, link: Text) -> Message:
    return Message.of(t(locale, "events.nudge", title=Strong(doc["title"]), card=link))
