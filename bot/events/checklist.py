"""The events' section of the owners' weekly checklist (`bot.digest`): the reviewed week's events
with who said they were going and who posted in the follow-up thread, and what is coming in the
next two weeks with the answers so far."""
from __future__ import annotations

from datetime import timedelta

from ..digest import week_bounds
from ..groups import Group
from ..i18n import t
from ..messages import Text, people
from .card import when

COMING = timedelta(days=14)


def section(events, group: Group, week: str) -> list[Text] | None:
    locale, tz = group.locale, group.config["timezone"]
    start, end = week_bounds(week, tz)
    lines = []
    for item in events.held(group, start, end):
        replied = people(item.repliers) if item.repliers else t(locale, "events.checklist.nobody")
        lines.append(t(locale, "events.checklist.held", title=item.title, went=str(len(item.went)),
                       replies=str(item.follow_up_replies), people=replied, **when(locale, item.start, tz)))
    horizon = events.clock.now() + COMING
    for item in events.upcoming(group.team_id, group=group):
        if item.start < horizon:
            lines.append(t(locale, "events.checklist.coming", title=item.title, going=str(item.going), maybe=str(item.maybe),
                           **when(locale, item.start, tz)))
    return [t(locale, "events.checklist.title"), *lines] if lines else None
