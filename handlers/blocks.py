"""Block Kit for the core's messages and views, built with slack_sdk's block and view models.

A paragraph becomes a section (split at line breaks when it would pass Slack's 3,000 characters
per section, so a long welcome is shown whole, never refused at join time), notes become a
context block, buttons an actions block. `fallback` is the notification text Slack shows where
blocks cannot be (and what it searches).
"""
from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.home import HomeView
from bot.messages import Message, plain

from .mrkdwn import render

SECTION_LIMIT = 3000
TEXT_LIMIT = 39_000  # chat.postMessage truncates `text` at 40,000 characters
CONTEXT_LIMIT = 2000


def sections(mrkdwn: str) -> list[SectionBlock]:
    chunks, current = [], ""
    for line in mrkdwn.split("\n"):
        while len(line) > SECTION_LIMIT:  # one enormous line: cut it
            chunks.append(current) if current else None
            current = ""
            chunks.append(line[:SECTION_LIMIT])
            line = line[SECTION_LIMIT:]
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
    for paragraph in message.paragraphs:
        blocks += sections(render(paragraph))
    for note in message.notes:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=render(note)[:CONTEXT_LIMIT])]))
    if message.buttons:
        blocks.append(ActionsBlock(elements=[
            ButtonElement(text=button.label[:75], action_id=button.action_id, value=button.value[:2000],
                          style="primary" if button.primary else None)
            for button in message.buttons]))
    return blocks


def fallback(message: Message) -> str:
    return "\n".join(render(p) for p in message.paragraphs + message.notes)[:TEXT_LIMIT]


def home_view(view: HomeView) -> View:
    blocks = [HeaderBlock(text=plain(view.title)[:150])]
    for line in view.lines:
        blocks += sections(render(line))
    return View(type="home", blocks=blocks)
