"""`/community ask | unanswered | expertise | experts`: the question-routing subcommands."""
from __future__ import annotations

from ..clock import parse_iso
from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import Mention, join
from . import humanize_age
from .experts import split_topics

MAX_LISTED = 30


def install(registry: CommandRegistry, core) -> None:
    questions, experts_service = core.questions, core.experts

    def ask(call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            return Reply(t(group.locale, "question.ask_usage"))
        questions.ask_for(group, call.user_id, rest, call.id)
        return Reply(t(group.locale, "question.asked"))

    def unanswered(call: Invocation, group: Group, rest: str) -> Reply:
        mine_only = not core.groups.may_own(group, call.user_id)
        found = questions.open_questions(group.team_id, group.channel_id, call.user_id if mine_only else None)
        if not found:
            return Reply(t(group.locale, "unanswered.none"))
        now = core.clock.now()
        lines = [t(group.locale, "unanswered.header", count=str(len(found)))]
        for doc in found[:MAX_LISTED]:
            lines.append(t(group.locale, "unanswered.line", summary=doc["summary"], asker=Mention(doc["asker"]),
                           age=humanize_age(group.locale, (now - parse_iso(doc["asked_at"])).total_seconds()),
                           step=t(group.locale, step_label(doc))))
        return Reply(join(lines, "\n"))

    def expertise(call: Invocation, group: Group | None, rest: str) -> Reply:
        locale = group.locale if group else "en"
        action, _, listed = rest.partition(" ")
        topics = split_topics(listed)
        if action == "list" or (not action and not listed):
            mine = experts_service.profile(call.team_id, call.user_id)["topics"]
            return Reply(t(locale, "expertise.list", topics=", ".join(mine)) if mine else t(locale, "expertise.none"))
        if action in ("pause", "resume"):
            experts_service.set_opted_out(call.team_id, call.user_id, action == "pause")
            return Reply(t(locale, "expertise.paused" if action == "pause" else "expertise.resumed"))
        if action not in ("add", "remove") or not topics:
            return Reply(t(locale, "expertise.usage"))
        if action == "add":
            experts_service.declare(call.team_id, call.user_id, topics)
            return Reply(t(locale, "expertise.added", topics=", ".join(topics)))
        removed = experts_service.withdraw(call.team_id, call.user_id, topics)
        return Reply(t(locale, "expertise.removed", topics=", ".join(removed) or "-"))

    def experts(call: Invocation, group: Group, rest: str) -> Reply:
        action, _, remainder = rest.partition(" ")
        if action in ("add", "remove"):
            if not core.groups.may_own(group, call.user_id):
                return Reply(t(group.locale, "owner_only", owners=join(Mention(o) for o in group.owners)))
            # The first word is the person (mentioned), the rest the topics.
            topics = split_topics(remainder.partition(" ")[2])
            if len(call.mentions) != 1 or not topics:
                return Reply(t(group.locale, "experts.usage"))
            who = Mention(call.mentions[0])
            if action == "add":
                experts_service.assign(group.team_id, group.channel_id, call.mentions[0], topics)
                return Reply(t(group.locale, "experts.assigned", user=who, topics=", ".join(topics)))
            experts_service.unassign(group.team_id, group.channel_id, call.mentions[0], topics)
            return Reply(t(group.locale, "experts.unassigned", user=who, topics=", ".join(topics)))
        topic = rest.strip() or None
        suffix = f" ({topic[:40]})" if topic else ""
        listing = experts_service.directory(group.team_id, group.channel_id, topic)
        if not listing:
            return Reply(t(group.locale, "experts.none", topic_suffix=suffix))
        lines = [t(group.locale, "experts.header", topic_suffix=suffix)]
        lines += [t(group.locale, "experts.line", user=Mention(u), topics=", ".join(ts)) for u, ts in listing[:40]]
        return Reply(join(lines, "\n"))

    registry.add("ask", Subcommand("/community ask <question>", "member", "help.member.ask", ask))
    registry.add("unanswered", Subcommand("/community unanswered", "member", "help.member.unanswered", unanswered))
    registry.add("expertise", Subcommand("/community expertise add|remove|list|pause|resume <topics>", "anyone", "help.member.expertise", expertise))
    registry.add("experts", Subcommand("/community experts [topic] | add|remove @user <topics>", "member", "help.member.experts", experts))


def step_label(doc: dict) -> str:
    if doc["status"] == "answered":
        return "step.answered"
    done = doc.get("steps", {})
    for step, label in (("owners", "step.owners"), ("more_experts", "step.more_experts"), ("experts", "step.experts")):
        if step in done and done[step].get("pinged"):
            return label
    return "step.waiting"
