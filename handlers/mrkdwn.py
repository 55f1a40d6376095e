"""Slack's text format, both ways: the core's neutral `Text` out as mrkdwn, Slack's text in as
plain text with the people it mentions.

Out: plain parts are escaped (`&`, `<`, `>`), so no user text (a purpose, a template, a
question) can become a Slack token such as `<!channel>`; people become `<@U…>`, groups `<#C…>`.
Then, on the final string, the plain words `@channel`, `@here` and `@everyone` get a zero-width
joiner, so they stay readable but can never notify a whole channel, whatever the parts held.

In: the core never sees Slack markup. Mentions, channel links, links, `:emoji:` codes and HTML
entities are turned into plain words; mentioned user ids are handed over separately.
"""
from __future__ import annotations

import html
import re

from bot.messages import ChannelRef, Code, Link, Mention, Strong, Text

_BROADCAST_WORD = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_SPECIAL = re.compile(r"<!(channel|here|everyone|subteam\^[A-Z0-9]+)(\|[^>]*)?>", re.IGNORECASE)
_ZERO_WIDTH_JOINER = "\u2060"


def escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(value: Text) -> str:
    out = []
    for part in value:
        if isinstance(part, str):
            out.append(escape(part))
        elif isinstance(part, Mention):
            out.append(f"<@{part.user_id}>")
        elif isinstance(part, ChannelRef):
            out.append(f"<#{part.channel_id}>")
        elif isinstance(part, Strong):
            out.append(f"*{escape(part.text)}*")
        elif isinstance(part, Code):
            out.append(f"`{escape(part.text).replace('`', 'ˋ')}`" if part.text else "")
        elif isinstance(part, Link):  # Slack ends the address at the first `|`: one inside it is written %7C
            out.append(f"<{escape(part.url).replace('|', '%7C')}|{escape(part.label).replace('|', '¦')}>")
    return defuse(("".join(out)))


def defuse(mrkdwn: str) -> str:
    """The last step before anything reaches Slack: no broadcast survives."""
    mrkdwn = _SPECIAL.sub(lambda m: "@" + _ZERO_WIDTH_JOINER + m.group(1).split("^")[0], mrkdwn)
    return _BROADCAST_WORD.sub(lambda m: "@" + _ZERO_WIDTH_JOINER + m.group(1), mrkdwn)


# --- in ----------------------------------------------------------------------------------------
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
_LABELLED_LINK = re.compile(r"<((?:https?|mailto|ftp|tel|slack):[^|>]*)\|([^>]*)>")
_BARE_LINK = re.compile(r"<((?:https?|mailto|ftp|tel|slack):[^|>]*)>")
_OTHER_TOKEN = re.compile(r"<![^>]*>")  # <!here>, <!date^…|…>, <!subteam^…>
# :smile:, :+1::skin-tone-2:; not preceded by a word character, so times like "10:30:45" survive.
_EMOJI_CODE = re.compile(r"(?<!\w)(?::[a-z0-9_+\-']+:)+(?!\w)")
# The few emoji that carry meaning for the core keep it, as the character other platforms send.
_MEANINGFUL_EMOJI = {":thread:": "\U0001F9F5", ":question:": "?"}


def to_plain(mrkdwn: str, *, name_mentions: bool = True) -> tuple[str, tuple[str, ...]]:
    """Slack text → (plain text, ids of the people mentioned, in order).

    Mentions become "@name" in commands; in messages (`name_mentions=False`) they are dropped, as
    they say who is addressed, not what is asked ("@alice how do I deploy?").
    """
    mentions: list[str] = []

    def person(match: re.Match) -> str:
        mentions.append(match.group(1))
        return "@" + (match.group(2) or match.group(1)) if name_mentions else " "
    value = _USER.sub(person, mrkdwn or "")
    value = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), value)
    value = _LABELLED_LINK.sub(lambda m: m.group(2), value)
    value = _BARE_LINK.sub(lambda m: m.group(1), value)
    value = _OTHER_TOKEN.sub(" ", value)
    value = _EMOJI_CODE.sub(lambda m: _MEANINGFUL_EMOJI.get(m.group(0), " "), value)
    return html.unescape(value), tuple(dict.fromkeys(mentions))


def channels_in(mrkdwn: str) -> tuple[str, ...]:
    """Ids of the channels Slack text mentions (`<#C123|name>`, `<#C123>`), in order, once each."""
    return tuple(dict.fromkeys(match.group(1) for match in _CHANNEL.finditer(mrkdwn or "")))
