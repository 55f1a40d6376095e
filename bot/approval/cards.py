"""What a join request looks like: the owners' card (pending, reminded, decided) and the notes to
the person who asked. Text in the group's locale; whatever people wrote is a plain part."""
from __future__ import annotations

from ..clock import parse_iso
from ..groups import Group
from ..i18n import t, tp
from ..messages import Button, ChannelRef, Code, Mention, Message, Text, join
from ..ports import Directory, Person, PlatformError
from ..worktime import zone

APPROVE = "approval_approve"  # the card's button action ids (neutral: every adapter routes them)
DENY = "approval_deny"
# The platform's refusals of an invitation, in words (anything else is shown with its code).
WHY = {
    "not_in_channel": "approval.why.not_in_channel",
    "user_is_restricted": "approval.why.guest", "user_is_ultra_restricted": "approval.why.guest",
    "ura_max_channels": "approval.why.guest",
    "cant_invite": "approval.why.cant_invite", "invitee_cant_see_channel": "approval.why.cant_invite",
    "no_external_invite_permission": "approval.why.cant_invite",
    "user_not_found": "approval.why.gone", "user_disabled": "approval.why.gone",
    "channel_not_found": "approval.why.channel", "is_archived": "approval.why.channel",
    "missing_scope": "approval.why.permission", "restricted_action": "approval.why.permission",
    "no_permission": "approval.why.permission", "not_allowed_token_type": "approval.why.permission",
}


def why(locale: str, code: str, group: Group) -> Text:
    """Why the platform would not add someone, in words, with its code for the owners' admin."""
    key = WHY.get(code, "approval.why.other")
    return t(locale, key, group=ChannelRef(group.channel_id), code=Code(code))


def local_time(group: Group, iso: str) -> dict:
    """{date, time, timezone} of a stored instant in the group's time zone."""
    tz = group.config["timezone"]
    moment = parse_iso(iso).astimezone(zone(tz))
    return {"date": moment.strftime("%Y-%m-%d"), "time": moment.strftime("%H:%M"), "timezone": tz}


class Cards:
    def __init__(self, directory: Directory):
        self.directory = directory

    def person(self, team_id: str, user_id: str) -> Person:
        try:
            return self.directory.person(team_id, user_id)
        except PlatformError:
            return Person(user_id)  # shown by their mention alone

    # --- to the owners -------------------------------------------------------------------------
    def _body(self, group: Group, doc: dict, requester: Person) -> list[Text]:
        locale = group.locale
        lines = [t(locale, "approval.card.title", user=Mention(doc["user_id"]), group=ChannelRef(group.channel_id)),
                 t(locale, "approval.card.who", name=requester.name or tp(locale, "approval.card.unknown"),
                   title=requester.title or tp(locale, "approval.card.no_title"), timezone=requester.timezone)]
        if doc["messages"]:
            lines += [t(locale, "approval.card.message", text=note["text"]) for note in doc["messages"]]
        else:
            lines.append(t(locale, "approval.card.no_message"))
        return [lines[0], join(lines[1:], "\n")]  # the headline, then who and what they wrote

    def _notes(self, group: Group, doc: dict) -> list[Text]:
        locale = group.locale
        via = tp(locale, "approval.via.directory" if doc["via"] == "directory" else "approval.via.command")
        notes = [t(locale, "approval.card.asked", via=via, **local_time(group, doc["created_at"]))]
        if doc["asked"] > 1:
            notes.append(t(locale, "approval.card.asked_again", n=str(doc["asked"])))
        return notes

    def pending(self, group: Group, doc: dict, requester: Person, *, reminder: bool = False) -> Message:
        locale, value = group.locale, f"{doc['team_id']}:{doc['channel_id']}:{doc['user_id']}:{doc['rid']}"
        lead = [t(locale, "approval.card.reminder")] if reminder else []
        return Message.of(*lead, *self._body(group, doc, requester),
                          notes=[*self._notes(group, doc), t(locale, "approval.card.first_wins")],
                          buttons=[Button(tp(locale, "approval.approve_button"), APPROVE, value, primary=True),
                                   Button(tp(locale, "approval.deny_button"), DENY, value)])

    def decided(self, group: Group, doc: dict, requester: Person, *, viewer: str) -> Message:
        """The card once decided (no buttons): who decided, when, and what came of it."""
        locale = group.locale
        when = local_time(group, doc["decided_at"])
        owner = Mention(doc["decided_by"])
        if doc["status"] == "denied":
            outcome = [t(locale, "approval.card.denied", owner=owner, **when),
                       t(locale, "approval.card.reason", reason=doc["reason"]) if doc.get("reason")
                       else t(locale, "approval.card.no_reason")]
        elif doc.get("invite_error"):
            outcome = [t(locale, "approval.card.approved_failed", owner=owner, user=Mention(doc["user_id"]), **when,
                         why=why(locale, doc["invite_error"], group))]
            if viewer == doc["decided_by"]:
                outcome.append(t(locale, "approval.card.failed_hint", user=Mention(doc["user_id"]),
                                 group=ChannelRef(group.channel_id)))
        else:
            outcome = [t(locale, "approval.card.approved", owner=owner, user=Mention(doc["user_id"]),
                         group=ChannelRef(group.channel_id), **when)]
        return Message.of(*outcome, *self._body(group, doc, requester), notes=self._notes(group, doc))

    # --- to the person who asked ---------------------------------------------------------------
    def to_requester(self, group: Group, doc: dict, kind: str, ask_again: str = "") -> Message:
        locale, where = group.locale, ChannelRef(group.channel_id)
        if kind == "approved":
            return Message.of(t(locale, "approval.tell.approved", group=where))
        if kind == "invite_failed":
            return Message.of(t(locale, "approval.tell.invite_failed", group=where,
                                why=why(locale, doc["invite_error"], group)))
        lines = [t(locale, "approval.tell.denied", group=where)]
        if doc.get("reason"):
            lines.append(t(locale, "approval.tell.reason", reason=doc["reason"]))
        lines.append(t(locale, "approval.tell.ask_again", date=ask_again))
        return Message.of(*lines)
