"""Conversation starters on Slack: replies in a posted prompt's thread, counted for the prompt
(applied from the inbox, in channel order, after `handlers.questions.message_posted` has recorded
the message as the replier's activity). No interactive parts."""
from __future__ import annotations


def message_posted(core, group, event: dict, event_id: str) -> None:
    thread_ts = event.get("thread_ts")
    if isinstance(thread_ts, str) and thread_ts != event["ts"]:
        core.prompts.replied(group, thread_ts, event["user"], event_id)
