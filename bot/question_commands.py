"""`/community ask | unanswered | expertise | experts`: the question-routing subcommands."""
from __future__ import annotations

from .commands import CommunityCommands, Invocation, Post, Reply, Subcommand, parse_user
from .experts import split_topics
from .formatting import humanize_age, mention
from .groups import Group
from .i18n import t
from .safety import defuse_broadcasts
from .clock import parse_iso



def install(commands: CommunityCommands) -> None:
    core = commands.services

    def ask(call: Invocation, group: Group, rest: str) -> Reply:
        if not rest:
            return Reply(t(group.locale, "question.ask_usage"))
        text = t(group.locale, "question.asks", asker=mention(call.user_id), text=defuse_broadcasts(rest))

        def track(ts: str) -> str:
            core.questions.ask(group, call.user_id, ts, rest)
            return t(group.locale, "question.asked")
        return Reply(t(group.locale, "question.asked"), post=Post(text, on_behalf_of=call.user_id), after_post=track)

    def unanswered(call: Invocation, group: Group, rest: str) -> Reply:
        mine_only = not (group.is_owner(call.user_id) or call.user_id in core.settings.admins)
        questions = core.questions.open_questions(group.team_id, group.channel_id, call.user_id if mine_only else None)
        if not questions:
            return Reply(t(group.locale, "unanswered.none"))
        now = core.clock.now()
        lines = [t(group.locale, "unanswered.header", count=len(questions))]
        for doc in questions[:30]:
            lines.append(t(group.locale, "unanswered.line", summary=defuse_broadcasts(doc["summary"]), asker=mention(doc["asker"]),
                           age=humanize_age((now - parse_iso(doc["asked_at"])).total_seconds()),
                           step=t(group.locale, step_label(doc))))
        return Reply("\n".join(lines))

    def expertise(call: Invocation, group: Group | None, rest: str) -> Reply:
        locale = group.locale if group else "en"
        action, _, text = rest.partition(" ")
        topics = split_topics(text)
        if action == "list" or (not action and not text):
            mine = core.experts.profile(call.team_id, call.user_id)["topics"]
            return Reply(t(locale, "expertise.list", topics=", ".join(mine)) if mine else t(locale, "expertise.none"))
        if action in ("pause", "resume"):
            core.experts.set_opted_out(call.team_id, call.user_id, action == "pause")
            return Reply(t(locale, "expertise.paused" if action == "pause" else "expertise.resumed"))
        if action not in ("add", "remove") or not topics:
            return Reply(t(locale, "expertise.usage"))
        if action == "add":
            core.experts.declare(call.team_id, call.user_id, topics)
            return Reply(t(locale, "expertise.added", topics=defuse_broadcasts(", ".join(topics))))
        removed = core.experts.withdraw(call.team_id, call.user_id, topics)
        return Reply(t(locale, "expertise.removed", topics=defuse_broadcasts(", ".join(removed) or "-")))

    def experts(call: Invocation, group: Group, rest: str) -> Reply:
        action, _, remainder = rest.partition(" ")
        if action in ("add", "remove"):
            if not commands.may_own(group, call.user_id):
                return Reply(t(group.locale, "owner_only", owners=", ".join(mention(o) for o in group.owners)))
            who, _, text = remainder.partition(" ")
            user_id, topics = parse_user(who), split_topics(text)
            if not user_id or not topics:
                return Reply(t(group.locale, "experts.usage"))
            shown = defuse_broadcasts(", ".join(topics))
            if action == "add":
                core.experts.assign(group.team_id, group.channel_id, user_id, topics)
                return Reply(t(group.locale, "experts.assigned", user=mention(user_id), topics=shown))
            core.experts.unassign(group.team_id, group.channel_id, user_id, topics)
            return Reply(t(group.locale, "experts.unassigned", user=mention(user_id), topics=shown))
        topic = rest.strip() or None
        suffix = f" ({defuse_broadcasts(topic)[:40]})" if topic else ""
        listing = core.experts.directory(group.team_id, group.channel_id, topic)
        if not listing:
            return Reply(t(group.locale, "experts.none", topic_suffix=suffix))
        lines = [t(group.locale, "experts.header", topic_suffix=suffix)]
        lines += [t(group.locale, "experts.line", user=mention(u), topics=defuse_broadcasts(", ".join(ts))) for u, ts in listing[:40]]
        return Reply("\n".join(lines))

    commands.add("ask", Subcommand("/community ask <question>", "member", "help.member.ask"), ask)
    commands.add("unanswered", Subcommand("/community unanswered", "member", "help.member.unanswered"), unanswered)
    commands.add("expertise", Subcommand("/community expertise add|remove|list|pause|resume <topics>", "anyone", "help.member.expertise"), expertise)
    commands.add("experts", Subcommand("/community experts [topic] | add|remove @user <topics>", "member", "help.member.experts"), experts)


def step_label(doc: dict) -> str:
    if doc["status"] == "answered":
        return "step.answered"
    done = doc.get("steps", {})
    for step, label in (("owners", "step.owners"), ("more_experts", "step.more_experts"), ("experts", "step.experts")):
        if step in done and done[step].get("pinged"):
            return label
    return "step.waiting"
