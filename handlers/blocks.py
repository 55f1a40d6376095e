"""Block Kit for the core's messages and views, built with slack_sdk's block and view models.

A paragraph becomes a section (split at line breaks when it would pass Slack's 3,000 characters
per section, so a long welcome is shown whole, never refused at join time), notes become a
context block, buttons an actions block. `fallback` is the notification text Slack shows where
blocks cannot be (and what it searches).
"""
from __future__ import annotations

import json

from slack_sdk.models.blocks import (ActionsBlock, ButtonElement, ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject,
                                     SectionBlock)
from slack_sdk.models.views import View

from bot.home import HOME_ACTION
from bot.home.view import Buttons, Divider, Fields, Header, HomeView, Note, Paragraph
from bot.messages import Button, Message, plain

from .mrkdwn import render

SECTION_LIMIT = 3000
TEXT_LIMIT = 39_000  # chat.postMessage truncates `text` at 40,000 characters
CONTEXT_LIMIT = 2000
FIELD_LIMIT = 2000
MESSAGE_BLOCKS = 50  # Slack refuses a message with more blocks (`invalid_blocks`)
HOME_BLOCKS = 100


def _cut(mrkdwn: str, limit: int) -> tuple[str, str]:
    """At most `limit` characters, cut at the last space before it, never inside a Slack token
    (`<@U…>`, `&amp;`): the head and the rest."""
    if len(mrkdwn) <= limit:
        return mrkdwn, ""
    head = mrkdwn[:limit]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    for opening, closing in (("<", ">"), ("&", ";")):
        start = head.rfind(opening)
        if start > head.rfind(closing):  # an unclosed token at the end: leave it whole for the rest
            head = head[:start]
    return head, mrkdwn[len(head):]


def sections(mrkdwn: str) -> list[SectionBlock]:
    chunks, current = [], ""
    for line in mrkdwn.split("\n"):
        while len(line) > SECTION_LIMIT:  # one enormous line: cut it between words
            if current:
                chunks.append(current)
            current = ""
            head, line = _cut(line, SECTION_LIMIT)
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > SECTION_LIMIT:
            chunks.append(current)
            candidate = line
        current = candidate
    if current.strip():
        chunks.append(current)
    return [SectionBlock(text=MarkdownTextObject(text=chunk)) for chunk in chunks if chunk.strip()]


def message_blocks(message: Message) -> list:
    blocks: list = []
    rows: dict[int, list] = {}
    for index, row in message.rows:
        rows.setdefault(index, []).extend(row.buttons)
    for index, paragraph in enumerate(message.paragraphs):
        blocks += sections(render(paragraph))
        if rows.get(index):  # a row of buttons about this paragraph, right under it
            blocks.append(_actions(rows[index]))
    for note in message.notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_cut(render(note), CONTEXT_LIMIT)[0])]))
    if len(blocks) > MESSAGE_BLOCKS - 1:  # keep room for the buttons; say that the text was cut
        blocks = blocks[:MESSAGE_BLOCKS - 2] + [SectionBlock(text=MarkdownTextObject(text="…"))]
    if message.buttons:
        blocks.append(_actions(message.buttons))
    return blocks


def _actions(buttons) -> ActionsBlock:
    return ActionsBlock(elements=[
        ButtonElement(text=button.label[:75], action_id=button.action_id, value=button.value[:2000],
                      style="primary" if button.primary else None)
        for button in buttons[:25]])  # Slack's most elements in one actions block


def fallback(message: Message) -> str:
    return _cut("\n".join(render(p) for p in message.paragraphs + message.notes), TEXT_LIMIT)[0]


def home_view(view: HomeView) -> View:
    """The App Home: one block per piece of the core's view, the pages shown kept in the view's
    private_metadata (a button press brings it back). The Home's own buttons share one action id
    in the core; each gets a numbered one here, as Slack wants them distinct."""
    numbers = iter(range(1, HOME_BLOCKS * 25))

    def button(b: Button) -> ButtonElement:
        action_id = f"{b.action_id}:{next(numbers)}" if b.action_id == HOME_ACTION else b.action_id
        return ButtonElement(text=b.label[:75], action_id=action_id, value=b.value[:2000], style="primary" if b.primary else None)

    blocks: list = [HeaderBlock(text=view.title[:150])]
    for piece in view.pieces:
        if isinstance(piece, Header):
            blocks.append(HeaderBlock(text=piece.text[:150]))
        elif isinstance(piece, Paragraph):
            blocks.append(SectionBlock(text=MarkdownTextObject(text=_cut(render(piece.text), SECTION_LIMIT)[0] or " "),
                                       accessory=button(piece.button) if piece.button else None))
        elif isinstance(piece, Fields):
            blocks.append(SectionBlock(fields=[MarkdownTextObject(text=_cut(render(item), FIELD_LIMIT)[0] or " ")
                                               for item in piece.items[:10]]))
        elif isinstance(piece, Note):
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_cut(render(piece.text), CONTEXT_LIMIT)[0] or " ")]))
        elif isinstance(piece, Buttons) and piece.buttons:
            blocks.append(ActionsBlock(elements=[button(b) for b in piece.buttons[:25]]))
        elif isinstance(piece, Divider):
            blocks.append(DividerBlock())
    return View(type="home", blocks=blocks[:HOME_BLOCKS], private_metadata=json.dumps(view.state))
