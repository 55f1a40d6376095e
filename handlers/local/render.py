"""Slack's message formats as HTML for the local workspace's page: mrkdwn, Block Kit, views.

The page shows what the emulator keeps: people's messages (text in Slack's mrkdwn) and the bot's
(Block Kit, as the bot sent it to chat.postMessage), the App Home and modals. This module turns
them into HTML the page inserts as is, so it is where escaping happens:

* Text is escaped last-but-one. Slack's own markup is parsed first: code spans and Slack's
  `<…>` tokens (mentions, channel links, links, broadcasts) are rendered and set aside behind
  placeholders, then everything left is text: Slack's three entities (`&amp;` `&lt;` `&gt;`)
  are decoded and the result is HTML-escaped, and only then are *bold*, _italic_, ~strike~,
  quotes and `:emoji:` applied (their markers are not touched by escaping). A message that
  says `<script>` shows `<script>`.
* Attribute values are escaped with quotes; links keep only http(s) and mailto URLs.
* Mentions are shown as names (`Names`), never as ids, and broadcasts as plain words.

Every block and element the bot sends is covered (section, context, actions, header, button,
mrkdwn and plain text), and the rest a small client shows: divider, image, fields, accessory,
and input blocks for modals. Anything else shows its type, escaped, instead of vanishing.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote
from dataclasses import dataclass, field
from typing import Any, Mapping

# The emoji the bot and the page use, and a few common ones; others stay as `:name:`.
EMOJI = {
    "white_check_mark": "✅", "heavy_check_mark": "✔️", "ballot_box_with_check": "☑️",
    "raised_hands": "🙌", "+1": "👍", "thumbsup": "👍", "tada": "🎉", "wave": "👋", "eyes": "👀",
    "heart": "❤️", "thread": "🧵", "question": "❓", "rocket": "🚀", "pray": "🙏", "bulb": "💡",
    "warning": "⚠️", "sparkles": "✨", "smile": "😄", "joy": "😂", "calendar": "📅", "memo": "📝",
}

_OPEN, _CLOSE = "\ue000", "\ue001"  # placeholder brackets (private-use characters, removed from input)
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_CODE_BLOCK = re.compile(r"```(.+?)```", re.S)
_CODE = re.compile(r"`([^`\n]+)`")
_TOKEN = re.compile(r"<([^<>\n]*)>")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_EMOJI_CODE = re.compile(r":([a-z0-9_+\-']+):")
_SAFE_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
_QUOTE = "&gt;"  # a quoted line, once escaped


@dataclass(frozen=True)
class Names:
    """Who and what ids stand for; `viewer` is the member looking (their mentions stand out)."""
    people: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    viewer: str | None = None


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def slack_unescape(text: str) -> str:
    """Slack escapes only these three in message text; `&quot;` typed by someone stays as typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emoji(name: str) -> str:
    """A reaction or `:code:` name as its character, or `:name:` when unknown."""
    base = name.split("::")[0]  # skin tones are the same reaction
    return EMOJI.get(base, f":{base}:")


def safe_url(url: str) -> str | None:
    url = url.strip()
    return url if _SAFE_URL.match(url) else None


# ----------------------------------------------------------------------------------- mrkdwn

def mrkdwn(text: str, names: Names) -> str:
    """Slack mrkdwn (a message's text, a section's text) as HTML."""
    text = (text or "").replace(_OPEN, "").replace(_CLOSE, "")
    kept: list[str] = []

    def keep(rendered: str) -> str:
        kept.append(rendered)
        return f"{_OPEN}{len(kept) - 1}{_CLOSE}"

    # Code first: nothing inside it is formatted or parsed.
    text = _CODE_BLOCK.sub(lambda m: keep(f"<pre>{esc(slack_unescape(m.group(1)).strip(chr(10)))}</pre>"), text)
    text = _CODE.sub(lambda m: keep(f"<code>{esc(slack_unescape(m.group(1)))}</code>"), text)
    text = _TOKEN.sub(lambda m: keep(_token(m.group(1), names)), text)
    text = esc(slack_unescape(text))
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    text = _STRIKE.sub(r"<del>\1</del>", text)
    text = _EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    text = _lines(text)
    return _PLACEHOLDER.sub(lambda m: kept[int(m.group(1))], text)


def _lines(text: str) -> str:
    """Line breaks as <br>, and runs of `> ` lines as one blockquote."""
    out: list[str] = []
    quote: list[str] = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith(_QUOTE):
            quote.append(line[len(_QUOTE):].lstrip(" "))
            continue
        if quote:
            out.append(f"<blockquote>{'<br>'.join(quote)}</blockquote>")
            quote = []
        out.append(line + ("<br>" if index < len(lines) - 1 else ""))
    if quote:
        out.append(f"<blockquote>{'<br>'.join(quote)}</blockquote>")
    return "".join(out)


def _token(inner: str, names: Names) -> str:
    """One of Slack's `<…>` tokens: a person, a channel, a broadcast, a link; else literal text."""
    body, _, label = inner.partition("|")
    label = slack_unescape(label)
    if body.startswith("@") and len(body) > 1:
        user_id = body[1:]
        name = names.people.get(user_id) or label or user_id
        css = "mention me" if user_id == names.viewer else "mention"
        return f'<span class="{css}" data-user="{esc(user_id)}">@{esc(name)}</span>'
    if body.startswith("#") and len(body) > 1:
        channel_id = body[1:]
        name = names.channels.get(channel_id) or label or channel_id
        return f'<span class="channel-ref" data-channel="{esc(channel_id)}">#{esc(name)}</span>'
    if body.startswith("!"):
        word = body[1:]
        if word in ("here", "channel", "everyone"):
            return f'<span class="mention broadcast">@{esc(word)}</span>'
        if word.startswith("subteam^"):
            return f'<span class="mention">{esc(label or "@group")}</span>'
        return esc(label or word)  # <!date^…|fallback> and the like: the fallback text
    url = safe_url(slack_unescape(body))
    if url:
        return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(label or url)}</a>'
    return esc(f"<{slack_unescape(inner)}>")  # not a token Slack knows: the text as written


def editable(text: str, names: Names) -> str:
    """A person's message as they would see it in the edit box: mentions as `@Name`, no entities."""
    def person(match: re.Match) -> str:
        return "@" + (names.people.get(match.group(1)) or match.group(2) or match.group(1))
    return slack_unescape(re.sub(r"<@([A-Z0-9]+)(?:\|([^>]*))?>", person, text or ""))


def plain_text(obj: Any) -> str:
    """A plain_text object (or a bare string) as HTML: escaped, emoji codes shown."""
    if isinstance(obj, dict):
        value, with_emoji = str(obj.get("text", "")), obj.get("emoji", True) is not False
    else:
        value, with_emoji = str(obj or ""), True
    out = esc(value).replace("\n", "<br>")
    return _EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), out) if with_emoji else out


def text_object(obj: Any, names: Names) -> str:
    if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), names)
    return plain_text(obj)


def plain(obj: Any) -> str:
    """The raw text of a text object (for attributes and labels the page sets itself)."""
    return str(obj.get("text", "")) if isinstance(obj, dict) else str(obj or "")


# -------------------------------------------------------------------------------- Block Kit

def blocks(items: Any, names: Names) -> str:
    """A list of blocks (a message's, a Home tab's or a modal's) as HTML."""
    if not isinstance(items, list):
        return ""
    return "".join(_block(block, names) for block in items if isinstance(block, dict))


def _block(block: dict, names: Names) -> str:
    kind = block.get("type")
    block_id = esc(block.get("block_id", ""))
    if kind == "section":
        parts = []
        if block.get("text"):
            parts.append(f'<div class="bk-text">{text_object(block["text"], names)}</div>')
        if isinstance(block.get("fields"), list):
            cells = "".join(f'<div class="bk-field">{text_object(f, names)}</div>' for f in block["fields"])
            parts.append(f'<div class="bk-fields">{cells}</div>')
        accessory = block.get("accessory")
        if isinstance(accessory, dict):
            parts.append(f'<div class="bk-accessory">{_element(accessory, block_id, names)}</div>')
        return f'<div class="bk-section" data-block-id="{block_id}">{"".join(parts)}</div>'
    if kind == "context":
        elements = block.get("elements") if isinstance(block.get("elements"), list) else []
        inner = "".join(_context_element(e, names) for e in elements if isinstance(e, dict))
        return f'<div class="bk-context">{inner}</div>'
    if kind == "actions":
        elements = block.get("elements") if isinstance(block.get("elements"), list) else []
        inner = "".join(_element(e, block_id, names) for e in elements if isinstance(e, dict))
        return f'<div class="bk-actions" data-block-id="{block_id}">{inner}</div>'
    if kind == "header":
        return f'<div class="bk-header">{plain_text(block.get("text"))}</div>'
    if kind == "divider":
        return '<hr class="bk-divider">'
    if kind == "image":
        title = f'<figcaption>{plain_text(block["title"])}</figcaption>' if block.get("title") else ""
        return f'<figure class="bk-image">{_image(block)}{title}</figure>'
    if kind == "input":
        return _input(block, names)
    return f'<div class="bk-unknown">[{esc(kind)} block]</div>'


def _context_element(element: dict, names: Names) -> str:
    if element.get("type") == "image":
        return f'<span class="bk-context-item">{_image(element, small=True)}</span>'
    return f'<span class="bk-context-item">{text_object(element, names)}</span>'


def _image(element: dict, small: bool = False) -> str:
    url = safe_url(str(element.get("image_url", "")))
    alt = esc(element.get("alt_text", ""))
    if not url:
        return f'<span class="bk-image-alt">{alt}</span>'
    css = "bk-image-small" if small else "bk-image-full"
    return f'<img class="{css}" src="{esc(url)}" alt="{alt}" loading="lazy" referrerpolicy="no-referrer">'


def _element(element: dict, block_id: str, names: Names) -> str:
    """An interactive element. Buttons carry what a block_actions payload needs."""
    kind = element.get("type")
    if kind == "button":
        style = element.get("style")
        css = "bk-button" + (" bk-primary" if style == "primary" else " bk-danger" if style == "danger" else "")
        label = plain_text(element.get("text"))
        url = safe_url(str(element.get("url", "")))
        if url:
            return f'<a class="{css}" href="{esc(url)}" target="_blank" rel="noopener noreferrer">{label}</a>'
        confirm = element.get("confirm")
        confirm_attr = ""
        if isinstance(confirm, dict):
            question = " ".join(filter(None, (plain(confirm.get("title")), plain(confirm.get("text")))))
            confirm_attr = f' data-confirm="{esc(question)}"'
        return (f'<button type="button" class="{css}" data-action-id="{esc(element.get("action_id", ""))}" '
                f'data-block-id="{block_id}" data-value="{esc(element.get("value", ""))}"{confirm_attr}>{label}</button>')
    if kind == "image":
        return _image(element, small=True)
    return f'<span class="bk-unknown">[{esc(kind)}]</span>'


def _input(block: dict, names: Names) -> str:
    """An input block of a modal: the page collects what was typed or picked from these (by block
    and action id) and the server shapes it as Slack's `view.state.values` (handlers/local/views.py).
    Each block has a place for the error Slack would show beside it."""
    element = block.get("element") if isinstance(block.get("element"), dict) else {}
    block_id, action_id = esc(block.get("block_id", "")), esc(element.get("action_id", ""))
    label = plain_text(block.get("label"))
    optional = ' <span class="bk-optional">(optional)</span>' if block.get("optional") else ""
    hint = f'<div class="bk-hint">{plain_text(block["hint"])}</div>' if block.get("hint") else ""
    kind = str(element.get("type", ""))
    data = f'data-block-id="{block_id}" data-action-id="{action_id}" data-type="{esc(kind)}"'
    placeholder = esc(plain(element.get("placeholder")))
    options = [o for o in (element.get("options") or []) if isinstance(o, dict)] if isinstance(element.get("options"), list) else []
    if kind == "plain_text_input":
        initial = esc(element.get("initial_value", ""))
        # No maxlength: Slack lets people type past max_length and says so beside the field.
        if element.get("multiline"):
            field_html = f'<textarea class="bk-input" rows="4" {data} placeholder="{placeholder}">{initial}</textarea>'
        else:
            field_html = f'<input class="bk-input" type="text" {data} placeholder="{placeholder}" value="{initial}">'
    elif kind in ("email_text_input", "url_text_input", "number_input"):
        html_type = {"email_text_input": "email", "url_text_input": "url", "number_input": "text"}[kind]
        field_html = (f'<input class="bk-input" type="{html_type}" {data} placeholder="{placeholder}" '
                      f'value="{esc(element.get("initial_value", ""))}">')
    elif kind == "datepicker":
        field_html = f'<input class="bk-input" type="date" {data} value="{esc(element.get("initial_date", ""))}">'
    elif kind == "timepicker":
        field_html = f'<input class="bk-input" type="time" {data} value="{esc(element.get("initial_time", ""))}">'
    elif kind == "static_select":
        initial = str((element.get("initial_option") or {}).get("value", "")) if isinstance(element.get("initial_option"), dict) else ""
        first = f'<option value="">{esc(plain(element.get("placeholder")) or "Select an item")}</option>'
        rendered = "".join(f'<option value="{esc(o.get("value", ""))}"{" selected" if str(o.get("value", "")) == initial else ""}>'
                           f'{plain_text(o.get("text"))}</option>' for o in options)
        field_html = f'<select class="bk-input" {data}>{first}{rendered}</select>'
    elif kind in ("checkboxes", "radio_buttons"):
        chosen = element.get("initial_options") if kind == "checkboxes" else [element.get("initial_option")]
        chosen_values = {str(o.get("value")) for o in chosen or [] if isinstance(o, dict)}
        html_type = "checkbox" if kind == "checkboxes" else "radio"
        rows = "".join(
            f'<label class="bk-choice"><input type="{html_type}" name="{block_id}/{action_id}" value="{esc(o.get("value", ""))}"'
            f'{" checked" if str(o.get("value", "")) in chosen_values else ""}> {text_object(o.get("text"), names)}</label>'
            for o in options)
        field_html = f'<div class="bk-input bk-choices" {data}>{rows}</div>'
    else:
        field_html = f'<span class="bk-unknown">[{esc(kind)}]</span>'
    error = f'<div class="bk-error" data-error-for="{block_id}" hidden></div>'
    return (f'<div class="bk-inputblock" data-block-id="{block_id}"><span class="bk-label">{label}{optional}</span>'
            f'{field_html}{hint}{error}</div>')


def files(items: Any, viewer: str | None) -> str:
    """Files shared in a message (the CSV export): a download link each, for the one looking."""
    if not isinstance(items, list):
        return ""
    links = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            continue
        href = f"/api/file/{quote(item['id'])}?as={quote(viewer or '')}"
        title = item.get("title") or item.get("name") or item["id"]
        links.append(f'<a class="bk-file" href="{esc(href)}" download="{esc(item.get("name") or item["id"])}">'
                     f'<span class="bk-file-icon">📄</span> {esc(title)}</a>')
    return f'<div class="bk-files">{"".join(links)}</div>' if links else ""


# ----------------------------------------------------------------------- messages and views

def message(item: dict, names: Names) -> str:
    """A stored message: its blocks when it has some (the bot's), else its text (people's), and
    the files shared with it."""
    attached = files(item.get("files"), names.viewer)
    if isinstance(item.get("blocks"), list) and item["blocks"]:
        return blocks(item["blocks"], names) + attached
    if attached and not item.get("text"):
        return attached
    return f'<div class="bk-text">{mrkdwn(str(item.get("text", "")), names)}</div>{attached}'


def view(item: dict, names: Names) -> dict:
    """A Home tab or a modal: title, submit and close labels as plain strings (the page sets
    them as text), the body as HTML."""
    return {
        "type": str(item.get("type", "")),
        "title": plain(item.get("title")),
        "submit": plain(item.get("submit")) if item.get("submit") else None,
        "close": plain(item.get("close")) if item.get("close") else "Close",
        "callback_id": str(item.get("callback_id", "")),
        "html": blocks(item.get("blocks"), names),
    }
