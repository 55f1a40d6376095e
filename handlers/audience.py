"""A wider audience on Slack: the owners' **Highlight** message shortcut (acknowledged at once,
then run on the interactive lane). Following topics is a `/community` subcommand (bot.audience)."""
from __future__ import annotations

from bot.audience import Item
from bot.i18n import t
from bot.messages import Strong, join

from .mrkdwn import render, to_plain

HIGHLIGHT_SHORTCUT = "highlight"


def highlight(core, group, body: dict, context, respond, client) -> None:
    def answer(key: str, **values) -> None:
        respond(text=render(t(group.locale, key, **values)), response_type="ephemeral")

    if not core.groups.may_own(group, context["user_id"]):
        return answer("audience.highlight_owners_only")
    message = body.get("message") or {}
    text, _ = to_plain(message.get("text") if isinstance(message.get("text"), str) else "", name_mentions=False)
    if not text.strip() or not isinstance(message.get("ts"), str):
        return answer("audience.highlight_empty")
    if core.workspace.channel(group.team_id, group.channel_id).is_private:
        return answer("audience.highlight_private")
    author = message.get("user") if isinstance(message.get("user"), str) else ""
    count, topics, already = core.audience.share(Item("highlight", group, message["ts"], text, author))
    topics_text = join(Strong(topic) for topic in topics)
    if not count and already:  # highlighted before (or resolved): those followers have it
        key = "audience.highlight_already.one" if already == 1 else "audience.highlight_already.many"
        return answer(key, count=str(already), topics=topics_text)
    if not count:
        return answer("audience.highlight_nobody")
    if count == 1:
        return answer("audience.highlighted.one", count="1", topics=topics_text)
    answer("audience.highlighted.many", count=str(count), topics=topics_text)


def register(app, interactive) -> None:
    app.shortcut(HIGHLIGHT_SHORTCUT)(**interactive(highlight))
