"""Keep user-written text from pinging everyone when the bot repeats it.

Slack turns `<!channel>`, `<!here>`, `<!everyone>` and user-group mentions into notifications, and
with `link_names` so do the plain words `@channel`/`@here`/`@everyone`. Text that came from a user
(a purpose, a welcome template, a question summary) goes through `defuse_broadcasts` before the bot
posts it; a zero-width joiner keeps it readable but inert.
"""
import re

_SPECIAL_MENTION = re.compile(r"<!(channel|here|everyone|subteam\^[A-Z0-9]+)(\|[^>]*)?>", re.IGNORECASE)
_PLAIN_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_ZERO_WIDTH = "\u2060"


def defuse_broadcasts(text: str) -> str:
    def spell_out(match: re.Match) -> str:
        name = match.group(1)
        label = match.group(2)[1:] if match.group(2) else ("@" + name if not name.lower().startswith("subteam") else "@team")
        return label.replace("@", "@" + _ZERO_WIDTH, 1) if label.startswith("@") else label
    text = _SPECIAL_MENTION.sub(spell_out, text)
    return _PLAIN_BROADCAST.sub(lambda m: "@" + _ZERO_WIDTH + m.group(1), text)
