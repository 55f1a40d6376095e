"""How the core writes people and places in message text (Slack mrkdwn today).

Kept in one place so another chat platform's adapter can supply its own spelling.
"""


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>"


def people(user_ids: list[str]) -> str:
    return ", ".join(mention(u) for u in user_ids)


def humanize_age(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} d"
