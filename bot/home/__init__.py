"""The App Home: what a person sees when they open the bot (the owner's dashboard grows here)."""
from __future__ import annotations

from dataclasses import dataclass

from ..groups import GroupService
from ..i18n import t
from ..messages import ChannelRef, Text, join


@dataclass
class HomeView:
    title: Text
    lines: list  # list[Text]


class HomeService:
    def __init__(self, groups: GroupService):
        self.groups = groups

    def view_for(self, team_id: str, user_id: str) -> HomeView:
        owned = [g for g in self.groups.all(team_id) if g.is_owner(user_id)]
        locale = owned[0].locale if owned else "en"
        first = t(locale, "home.owned", groups=join(ChannelRef(g.channel_id) for g in owned)) if owned else t(locale, "home.none")
        return HomeView(t(locale, "home.title"), [first, t(locale, "home.help")])
