"""Block Kit for the bot's messages, built with slack_sdk's block models."""
from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.membership import Welcome


def welcome_blocks(welcome: Welcome) -> list:
    blocks = [SectionBlock(text=MarkdownTextObject(text=welcome.text))]
    if welcome.introductions:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=welcome.introductions_text)]))
    return blocks


def home_blocks(title: str, lines: list[str]) -> list:
    blocks = [HeaderBlock(text=title)]
    blocks += [SectionBlock(text=MarkdownTextObject(text=line)) for line in lines]
    return blocks
