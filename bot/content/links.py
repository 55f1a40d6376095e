"""Reading the link an owner gives `/community label <link> <label>`.

A pinned message is named by its permanent link (a message's **Copy link**:
`https://<workspace>.slack.com/archives/C0123/p1700000000000100`, possibly with `?thread_ts=…`),
a bookmark by its address. Links arrive as plain text (the adapter turns `<https://…>` into the
address), but a stray `<…>` or `<…|label>` is accepted too, and so is an address without its
scheme (`example.com/handbook`, which is how a typed address can come through). Addresses are
compared normalised: scheme and host in lower case, default port, trailing slash and fragment
dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

_PERMALINK = re.compile(r"^/archives/([CGD][A-Z0-9]+)/p(\d{10})(\d{6})/?$")
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$")


@dataclass(frozen=True)
class Target:
    """What a link names: a message (`channel_id`, `message_id`) or an address (`url`, normalised)."""
    url: str
    channel_id: str = ""
    message_id: str = ""

    @property
    def is_message(self) -> bool:
        return bool(self.message_id)


def split_arguments(rest: str) -> tuple[str, str]:
    """(link, label) from "<link> <label words…>"; the label keeps its inner spaces."""
    words = rest.strip().split(None, 1)
    if not words:
        return "", ""
    return words[0], (" ".join(words[1].split()) if len(words) > 1 else "")


def parse_link(value: str) -> Target | None:
    """The message or address `value` names, or None when it is not a link."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].split("|", 1)[0]
    if not value or any(c.isspace() for c in value) or len(value) > 2000:
        return None
    if "://" not in value:
        if not _HOST.match(value.split("/", 1)[0].lower()):
            return None
        value = "https://" + value
    url = normalize_url(value)
    if url is None:
        return None
    parts = urlsplit(url)
    permalink = _PERMALINK.match(parts.path)
    if permalink and parts.hostname and (parts.hostname == "slack.com" or parts.hostname.endswith(".slack.com")):
        channel, seconds, micros = permalink.groups()
        return Target(url, channel, f"{seconds}.{micros}")
    return Target(url)


def normalize_url(value: str) -> str | None:
    """The address in one spelling, or None when it is not an http(s) address."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path.rstrip("/"), parts.query, ""))
