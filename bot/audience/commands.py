"""`/community follow <topic>`, `unfollow <topic>`, `following`: topics a person follows across
the workspace (run anywhere, a managed group or not)."""
from __future__ import annotations

from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import Strong, join
from . import MAX_TOPICS, TopicError


def install(registry: CommandRegistry, core) -> None:
    audience = core.audience

    def follow(call: Invocation, group: Group | None, rest: str) -> Reply:
        locale = group.locale if group else "en"
        if not rest:
            return registry.usage(group, "follow")
        try:
            added = audience.follow(call.team_id, call.user_id, rest)
        except TopicError as error:
            return Reply(t(locale, error.reason, limit=str(MAX_TOPICS)))
        key = "audience.followed" if added else "audience.already_following"
        return Reply(t(locale, key, topic=Strong(" ".join(rest.split()))))

    def unfollow(call: Invocation, group: Group | None, rest: str) -> Reply:
        locale = group.locale if group else "en"
        if not rest:
            return registry.usage(group, "unfollow")
        known = audience.unfollow(call.team_id, call.user_id, rest)
        if known is None:
            return Reply(t(locale, "audience.not_following", topic=Strong(" ".join(rest.split()))))
        return Reply(t(locale, "audience.unfollowed", topic=Strong(known)))

    def following(call: Invocation, group: Group | None, rest: str) -> Reply:
        locale = group.locale if group else "en"
        topics = audience.following(call.team_id, call.user_id)
        if not topics:
            return Reply(t(locale, "audience.following_none"))
        return Reply(t(locale, "audience.following", topics=join(Strong(topic) for topic in topics)))

    registry.add("follow", Subcommand("/community follow <topic>", "anyone", "help.member.follow", follow))
    registry.add("unfollow", Subcommand("/community unfollow <topic>", "anyone", "help.member.unfollow", unfollow))
    registry.add("following", Subcommand("/community following", "anyone", "help.member.following", following))
