"""`/community join #channel [message]` and `/community groups`: asking to join, from anywhere.

Both are for anyone, in any channel (managed or not, a DM with the bot included): the group is the
channel the text names, not the one the command is typed in. The directory lists the team's managed
groups that are listed (public ones, private ones whose owners allow it), at most `MAX_LISTED`,
with a button each; its figures come from the platform at the moment it is asked. Any group can
still be asked for by name with `join`, listed in the directory or not (a private one only when
its owners allow it).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group, TooLong
from ..i18n import t, tp
from ..messages import Button, ChannelRef, Code, join, people
from ..ports import Channel, PlatformError
from . import REQUEST_JOIN, Asked
from .cards import local_time, why

MAX_LISTED = 20  # one button each, and a message takes one row of at most 25
# Each group costs one platform look-up (is it private? archived? how many members?): a listing
# asks about the oldest 25 groups at most, and each answer (a refusal too) serves every listing of
# the next minute, so people running it over and over cannot spend Slack's rate for
# conversations.info (Tier 3, 50 a minute). The request itself always asks afresh (`listed`).
MAX_LOOKUPS = 25
LOOKUP_KEPT = timedelta(minutes=1)
SHOWN_PURPOSE = 150


def answer(asked: Asked, locale: str, channel_id: str, had_message: bool = False) -> Reply:
    """The requester's private answer, for the command and the directory's button alike."""
    group, where = asked.group, ChannelRef(channel_id)
    if group is not None:
        locale = group.locale
    outcome = asked.outcome
    if outcome == "requested":
        return Reply(t(locale, "approval.join.requested", group=where, owners=people(group.owners)))
    if outcome == "merged":
        date = local_time(group, asked.doc["created_at"])["date"]
        return Reply(t(locale, "approval.join.merged_with_note" if had_message else "approval.join.merged", group=where, date=date))
    if outcome == "invite_failed":
        return Reply(t(locale, "approval.join.invite_failed", group=where, why=why(locale, asked.detail, group),
                       owners=people(group.owners)))
    if outcome == "denied_recently":
        return Reply(t(locale, "approval.join.denied_recently", group=where, date=local_time(group, asked.detail)["date"]))
    key = {"invited": "approval.join.invited", "already_member": "approval.join.already_member",
           "deciding": "approval.join.deciding"}.get(outcome, "approval.join.not_managed")
    return Reply(t(locale, key, group=where))


def install(registry: CommandRegistry, core) -> None:
    def join_group(call: Invocation, here: Group | None, rest: str) -> Reply:
        locale = here.locale if here else "en"
        target, _, message = rest.partition(" ")
        if not call.channels or not target.startswith("#"):
            if target.startswith("#") and len(target) > 1:  # typed, but not a channel the platform knows
                return Reply(t(locale, "approval.join.unknown_channel", name=Code(target[:80])))
            return Reply(t(locale, "approval.join.usage"))
        channel_id = call.channels[0]
        try:
            asked = core.approval.request(call.team_id, channel_id, call.user_id, message.strip())
        except TooLong as error:
            return Reply(t(locale, "text.too_long", length=str(len(message.strip())), limit=str(error.limit)))
        return answer(asked, locale, channel_id, had_message=bool(message.strip()))

    looked_up: dict[str, tuple[datetime, Channel | None]] = {}  # group key → (when, channel); one per group

    def channel_of(group: Group) -> Channel | None:
        now, kept = core.clock.now(), looked_up.get(group.key)
        if kept is not None and now - kept[0] < LOOKUP_KEPT:
            return kept[1]
        try:
            channel = core.workspace.channel(group.team_id, group.channel_id)
        except PlatformError:
            channel = None  # gone, or out of the bot's sight (or Slack is busy): not listed this minute
        looked_up[group.key] = (now, channel)
        return channel

    def directory(call: Invocation, here: Group | None, rest: str) -> Reply:
        locale = here.locale if here else "en"
        lines, buttons, shown = [], [], 0
        groups = sorted(core.groups.all(call.team_id), key=lambda g: g.created_at or "")
        listed = []
        for group in groups[:MAX_LOOKUPS]:
            channel = channel_of(group)
            if channel is None:
                continue  # nothing to join
            if channel.is_archived or (channel.is_private and not group.config["listed_when_private"]):
                continue
            listed.append((group, channel))
        if not listed:
            return Reply(t(locale, "approval.groups.none"))
        lines.append(t(locale, "approval.groups.header"))
        for group, channel in listed[:MAX_LISTED]:
            purpose = (group.purpose or channel.purpose).strip()
            if len(purpose) > SHOWN_PURPOSE:
                purpose = purpose[:SHOWN_PURPOSE - 1].rstrip() + "…"
            count = channel.member_count
            members = tp(locale, "approval.groups.members.one") if count == 1 else tp(locale, "approval.groups.members.many", n=str(count))
            approval = group.config["approval"]
            lines.append(t(locale, "approval.groups.line", group=ChannelRef(group.channel_id),
                           purpose=purpose or tp(locale, "approval.groups.no_purpose"), members=members,
                           owners=people(group.owners),
                           how=t(locale, "approval.groups.how.approval" if approval else "approval.groups.how.open")))
            label = tp(locale, "approval.groups.request_button" if approval else "approval.groups.join_button",
                       name=channel.name or group.channel_id)
            buttons.append(Button(label, f"{REQUEST_JOIN}.{group.channel_id}", group.key))
            shown += 1
        if len(listed) > shown or len(groups) > MAX_LOOKUPS:
            lines.append(t(locale, "approval.groups.more"))
        lines.append(t(locale, "approval.groups.footer"))
        return Reply(join(lines, "\n"), buttons=tuple(buttons))

    registry.add("join", Subcommand("/community join #channel [message]", "anyone", "help.member.join", join_group))
    registry.add("groups", Subcommand("/community groups", "anyone", "help.member.groups", directory))
