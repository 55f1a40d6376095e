"""`/community ask | unanswered | expertise | experts`: the question-routing subcommands.

`expertise list` shows a member what was learned about them (their vocabulary in each group and
the words of the questions they resolved, with weights now) and `expertise forget` clears it;
`experts alias|unalias` let owners add and remove a topic's aliases in their group."""
from __future__ import annotations

from ..clock import parse_iso
from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import ChannelRef, Mention, join
from . import humanize_age
from .aliases import MAX_TOPICS
from .experts import split_topics

MAX_LISTED = 30
AUDITED = {"questions.aliases_added": "audit.questions.aliases_added",  # owners' alias changes, in `/community audit`
           "questions.aliases_removed": "audit.questions.aliases_removed"}
LEARNED_SHOWN = 10  # words per group in `expertise list`


def install(registry: CommandRegistry, core) -> None:
    questions, experts_service = core.questions, core.experts

    def audit(group: Group, owner: str, action: str, topic: str, words: list[str]) -> None:
        if core.audit is not None:  # built after the duties' commands: looked up when an owner acts
            core.audit.describe(action, AUDITED[action])
            core.audit.record(group.key, owner, action, detail=f"{topic}: {', '.join(words)}")

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
            return Reply(expertise_list(locale, call))
        if action == "forget" and not listed:
            count = questions.forget(call.team_id, call.user_id, [g.channel_id for g in core.groups.all(call.team_id)])
            return Reply(t(locale, "expertise.forgotten", count=str(count)))
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

    def expertise_list(locale: str, call: Invocation):
        mine = experts_service.profile(call.team_id, call.user_id)["topics"]
        lines = [t(locale, "expertise.list", topics=", ".join(mine)) if mine else t(locale, "expertise.none")]
        groups, answers = experts_service.learned_about(call.team_id, call.user_id,
                                                        [g.channel_id for g in core.groups.all(call.team_id)], LEARNED_SHOWN)
        if not groups and not answers:
            return join(lines + [t(locale, "expertise.learned_none")], "\n")
        lines.append(t(locale, "expertise.learned_header"))
        lines += [t(locale, "expertise.learned_group", group=ChannelRef(channel), words=weighted(locale, words))
                  for channel, words in groups]
        if answers:
            lines.append(t(locale, "expertise.learned_answers", words=weighted(locale, answers)))
        return join(lines, "\n")

    def aliases(call: Invocation, group: Group, action: str, rest: str) -> Reply:
        locale, service = group.locale, experts_service.aliases
        topic, listed = split_alias_args(rest)
        if not topic:
            listing = service.listing(group.team_id, group.channel_id)
            lines = [t(locale, "experts.alias_usage")]
            if listing:
                lines.append(t(locale, "experts.aliases_header"))
                lines += [t(locale, "experts.aliases_line", topic=name, aliases=", ".join(words)) for name, words in listing]
            return Reply(join(lines, "\n"))
        if action == "alias" and not listed:
            own, builtin = service.of(group.team_id, group.channel_id, topic)
            lines = [t(locale, "experts.aliases_own", topic=topic, aliases=", ".join(own))] if own else []
            lines += [t(locale, "experts.aliases_builtin", topic=topic, aliases=", ".join(builtin))] if builtin else []
            return Reply(join(lines, "\n") if lines else t(locale, "experts.aliases_none", topic=topic))
        if not core.groups.may_own(group, call.user_id):
            return Reply(t(locale, "owner_only", owners=join(Mention(o) for o in group.owners)))
        if not listed:
            return Reply(t(locale, "experts.alias_usage"))
        if action == "alias":
            added = service.add(group.team_id, group.channel_id, topic, listed)
            if added is None:
                return Reply(t(locale, "experts.aliases_too_many", limit=str(MAX_TOPICS)))
            if added:
                audit(group, call.user_id, "questions.aliases_added", topic, added)
            return Reply(t(locale, "experts.aliases_added", topic=topic, aliases=", ".join(added or listed)))
        removed = service.remove(group.team_id, group.channel_id, topic, listed)
        if not removed:
            return Reply(t(locale, "experts.aliases_none_removed", topic=topic))
        audit(group, call.user_id, "questions.aliases_removed", topic, removed)
        return Reply(t(locale, "experts.aliases_removed", topic=topic, aliases=", ".join(removed)))

    def experts(call: Invocation, group: Group, rest: str) -> Reply:
        action, _, remainder = rest.partition(" ")
        if action in ("alias", "unalias"):
            return aliases(call, group, action, remainder.strip())
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
    registry.add("expertise", Subcommand("/community expertise add|remove|list|forget|pause|resume <topics>", "anyone", "help.member.expertise", expertise))
    registry.add("experts", Subcommand("/community experts [topic] | add|remove @user <topics> | alias|unalias <topic> <aliases>", "member", "help.member.experts", experts))


def split_alias_args(rest: str) -> tuple[str, list[str]]:
    """'kubernetes k8s, kubectl' or '"notes de frais" ndf, expenses' → (topic, aliases)."""
    rest = rest.strip()
    for opening, closing in (('"', '"'), ("“", "”"), ("«", "»")):
        if rest.startswith(opening) and closing in rest[1:]:
            topic, _, listed = rest[1:].partition(closing)
            break
    else:
        topic, _, listed = rest.partition(" ")
    topics = split_topics(topic)
    return (topics[0] if topics else ""), split_topics(listed)


def weighted(locale: str, words: list[tuple[str, float]]) -> str:
    """'kubectl 2.4, helm 1.1' (a decimal comma in French)."""
    number = (lambda value: f"{value:.1f}".replace(".", ",")) if locale == "fr" else (lambda value: f"{value:.1f}")
    return ", ".join(f"{word} {number(weight)}" for word, weight in words)


def step_label(doc: dict) -> str:
    if doc["status"] == "answered":
        return "step.answered"
    done = doc.get("steps", {})
    for step, label in (("owners", "step.owners"), ("more_experts", "step.more_experts"), ("experts", "step.experts")):
        if step in done and done[step].get("pinged"):
            return label
    return "step.waiting"
