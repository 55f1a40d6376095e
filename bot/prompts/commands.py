"""`/community prompt add <text> | list | remove <n>`: the owners' queue of conversation starters.

Owners only, `list` included: the queue is the owners' plan (texts they may still reword or drop),
and members see each prompt when it is posted. Numbers are positions in the queue as `list` shows
them, 1 being the next to go out.
"""
from __future__ import annotations

import re

from ..clock import parse_iso
from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group, TooLong
from ..groups.commands import DAY_NAMES
from ..groups.config import format_duration
from ..i18n import t
from ..messages import ChannelRef, Code, Mention, join, people, text
from ..periods import done, local_day, next_run
from ..worktime import DAYS
from . import MAX_QUEUED, QueueFull

SHOWN = 200  # characters of each prompt in the list; `remove` answers with the whole text
SHOWN_REPLIERS = 5
_NUMBER = re.compile(r"[0-9]+")


def shorten(prompt: str) -> str:
    return prompt if len(prompt) <= SHOWN else prompt[:SHOWN - 1].rstrip() + "…"


def install(registry: CommandRegistry, core) -> None:
    def prompt(call: Invocation, group: Group, rest: str) -> Reply:
        words = rest.split(None, 1)  # the text may start on a new line: any whitespace separates
        action, argument = (words[0].lower() if words else ""), (words[1].strip() if len(words) > 1 else "")
        if action == "add":
            return add(call, group, argument)
        if action == "remove":
            return remove(group, argument)
        if action == "list" and not argument:
            return listing(group)
        return registry.usage(group, "prompt")

    def add(call: Invocation, group: Group, argument: str) -> Reply:
        if not argument:
            return Reply(t(group.locale, "prompts.add_empty"))
        try:
            position = core.prompts.add(group, call.user_id, argument)
        except TooLong as error:
            return Reply(t(group.locale, "text.too_long", length=str(len(argument)), limit=str(error.limit)))
        except QueueFull:
            return Reply(t(group.locale, "prompts.queue_full", limit=str(MAX_QUEUED)))
        return Reply(t(group.locale, "prompts.added", n=str(position), text=argument))

    def remove(group: Group, argument: str) -> Reply:
        if not argument:
            return Reply(t(group.locale, "prompts.remove_which"))
        if not _NUMBER.fullmatch(argument):
            return Reply(t(group.locale, "prompts.remove_not_number", value=Code(argument[:40])))
        queued = len(core.prompts.queue(group))
        removed = core.prompts.remove(group, int(argument) if len(argument) <= 9 else 0)  # longer: no such prompt
        if removed is not None:
            return Reply(t(group.locale, "prompts.removed", n=str(int(argument)), text=removed["text"]))
        if queued == 0:
            return Reply(t(group.locale, "prompts.remove_empty"))
        return Reply(t(group.locale, "prompts.no_such", n=Code(argument[:40]), count=str(queued)))

    def listing(group: Group) -> Reply:
        locale, tz = group.locale, group.config["timezone"]
        queue, taken = core.prompts.queue(group), core.prompts.taken(group)
        lines = []
        if not group.config["prompts"]:
            lines.append(t(locale, "prompts.off", switch=Code("/community config prompts on")))
        elif queue or taken:
            _, at = next_run(group, "prompts", core.clock.now(), lambda week: done(core.store, "prompts", f"{group.key}:{week}"))
            lines.append(t(locale, "prompts.next", day=t(locale, DAY_NAMES[DAYS[at.weekday()]]), date=at.strftime("%Y-%m-%d"),
                           time=at.strftime("%H:%M"), timezone=tz, group=ChannelRef(group.channel_id),
                           quiet=Code(format_duration(group.config["prompt_when_quiet"]))))
        if taken:
            lines.append(t(locale, "prompts.taken", text=shorten(taken["text"])))
        if queue:
            lines.append(t(locale, "prompts.queue_header", count=str(len(queue))))
            lines += [t(locale, "prompts.queue_line", n=str(n), text=shorten(item["text"]), by=Mention(item["by"]),
                        date=local_day(parse_iso(item["at"]), tz)) for n, item in enumerate(queue, 1)]
        else:
            lines.append(t(locale, "prompts.queue_empty"))
        posted = core.prompts.posted(group)
        if posted:
            lines.append(t(locale, "prompts.posted_header"))
            lines += [t(locale, "prompts.posted_line", date=local_day(parse_iso(p.posted_at), tz), text=shorten(p.text),
                        replies=replies(locale, p.replies, p.repliers)) for p in posted]
        return Reply(join(lines, "\n"))

    def replies(locale: str, count: int, repliers: tuple[str, ...]):
        if not count:
            return t(locale, "prompts.no_replies")
        who = people(repliers[:SHOWN_REPLIERS])
        if len(repliers) > SHOWN_REPLIERS:
            who = text(who, f" +{len(repliers) - SHOWN_REPLIERS}")
        return t(locale, "prompts.replies.one" if count == 1 else "prompts.replies.many", n=str(count), people=who)

    registry.add("prompt", Subcommand("/community prompt add <text> | list | remove <n>", "owner", "help.owner.prompt", prompt))
