"""What the Slack listeners share: the core services, the Web API gateway, the command interpreter."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from bot.commands import CommunityCommands
from bot.groups import Group
from bot.services import Services

from .slack_api import SlackGateway

# A feature that wants to see messages first: returns True when it fully handled the message.
MessageListener = Callable[[Group, dict, dict], bool]


@dataclass
class SlackServices:
    core: Services
    gateway: SlackGateway
    commands: CommunityCommands
    message_listeners: list[MessageListener] = field(default_factory=list)
