"""`/community …`: the command interpreter, independent of the chat platform.

Each duty declares its subcommands in its own `commands.py` (`install(registry, core)`), with the
usage and who may run it, so `help` and the refusal messages can never drift from what is enforced.
`CommandRegistry.run(invocation)` returns a `Reply`: the private answer to the caller. Anything to
post goes through the Messenger inside the subcommand. Adapters hand in plain text and the ids of
the people the text mentions (`Invocation.mentions`), never platform markup. A duty that needs to
know who runs what in a group (the owner digest notes that an owner acted) calls `observe`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..groups import Group, GroupService
from ..groups.config import GROUP_SETTINGS
from ..i18n import t
from ..messages import Code, Text, join, people


@dataclass(frozen=True)
class Invocation:
    team_id: str
    channel_id: str
    user_id: str
    text: str  # plain text after the command name; mentions appear as "@name"
    mentions: tuple[str, ...] = ()  # ids of the people mentioned in `text`, in order
    id: str = ""  # the platform's id for this invocation, unique (idempotency keys)
    channels: tuple[str, ...] = ()  # ids of the channels mentioned in `text` ("#name" there), in order


@dataclass
class Reply:
    text: Text
    buttons: tuple = ()  # tuple[Button, ...]: shown under the answer (the directory's "Request to join")


Run = Callable[[Invocation, "Group | None", str], Reply]
Observer = Callable[[Invocation, Group, str], None]


@dataclass(frozen=True)
class Subcommand:
    usage: str
    audience: str  # "anyone", "member" (the group must be managed) or "owner"
    help_key: str
    run: Run


class CommandRegistry:
    def __init__(self, groups: GroupService):
        self.groups = groups
        self.subcommands: dict[str, Subcommand] = {
            "help": Subcommand("/community help", "anyone", "help.member.help", self._help)}
        self.observers: list[Observer] = []

    def add(self, name: str, subcommand: Subcommand) -> None:
        self.subcommands[name] = subcommand

    def observe(self, observer: Observer) -> None:
        """`observer(invocation, group, name)` is told of each subcommand about to run in a managed
        group (after the audience checks passed), before it runs."""
        self.observers.append(observer)

    def run(self, call: Invocation) -> Reply:
        word, _, rest = call.text.strip().partition(" ")
        name = word.lower() or "help"
        group = self.groups.get(call.team_id, call.channel_id)
        locale = group.locale if group else "en"
        sub = self.subcommands.get(name)
        if sub is None:
            return Reply(t(locale, "unknown_subcommand", word=Code(word[:40])))
        if sub.audience in ("member", "owner") and group is None:
            return Reply(t(locale, "not_managed"))
        if sub.audience == "owner" and not self.groups.may_own(group, call.user_id):
            return Reply(t(locale, "owner_only", owners=people(group.owners)))
        if group is not None:
            for observer in self.observers:
                observer(call, group, name)
        return sub.run(call, group, rest.strip())

    def usage(self, group: Group | None, name: str) -> Reply:
        return Reply(t(group.locale if group else "en", "usage", usage=Code(self.subcommands[name].usage)))

    def _help(self, call: Invocation, group: Group | None, rest: str) -> Reply:
        locale = group.locale if group else "en"
        keys = join(Code(key) for key in GROUP_SETTINGS)
        lines = [t(locale, "help.header")]
        owner_lines = []
        for sub in self.subcommands.values():
            if sub.audience != "owner":
                lines.append(t(locale, sub.help_key))
            elif group and self.groups.may_own(group, call.user_id):
                owner_lines.append(t(locale, sub.help_key, keys=keys) if sub.help_key == "help.owner.config" else t(locale, sub.help_key))
        if owner_lines:
            lines += [t(locale, "help.owner_header"), *owner_lines]
        return Reply(join(lines, "\n"))
