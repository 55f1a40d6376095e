"""The parts of the Home that other duties' data fill (registered in their blocks of the assembly):
the metrics' figures (`bot.report.metrics.Overview`), what was learned about a member (the
vocabulary), upcoming events. Read by attribute, so each is drawn from what the duty gives."""
from __future__ import annotations

from ..groups import Group
from ..i18n import t, tp
from ..messages import ChannelRef, Code, Strong, Text, join, text
from ..ports import PlatformError
from ..questions import humanize_age
from ..report.metrics import change_text, duration_text, percent
from ..worktime import zone
from .view import Buttons, Header, Note, Paragraph

MAX_EVENTS = 5
MAX_WORDS = 8
ANSWERS = {"going": "home.events.going", "maybe": "home.events.maybe", "cant": "home.events.cant"}  # a member's answer


# --- an owner card's figures (the report's metrics, said as the report says them) ----------------
def overview_figures(group: Group, overview, now) -> list:
    """The figures of `overview` (the last 7 days against the 7 before, 30-day activity against
    the 30 before, questions still open), each with its change."""
    from . import Figure  # the service module imports this one lazily
    locale, current, previous = group.locale, overview.current, overview.previous

    def before(name: str):
        return None if previous is None else getattr(previous, name)

    def count(label_key: str, name: str) -> Figure:
        value = getattr(current, name)
        return Figure(t(locale, label_key), text(str(value)), change_text(locale, value, before(name)))
    rate, median = current.response_rate, current.median_answer_seconds
    oldest = overview.oldest_open
    open_value = text(str(overview.open_now)) if oldest is None else \
        t(locale, "home.figure.open_value", count=str(overview.open_now),
          age=humanize_age(locale, (now - oldest.asked_at).total_seconds()))
    return [
        count("home.figure.members", "members"),
        count("home.figure.joins", "joins"),
        count("home.figure.active", "active"),
        Figure(t(locale, "home.figure.active_month"), text(str(overview.active_month)),
               change_text(locale, overview.active_month, overview.active_month_before)),
        count("home.figure.asked", "asked"),
        count("home.figure.answered", "answered"),
        count("home.figure.resolved", "resolved"),
        Figure(t(locale, "home.figure.rate"), text(tp(locale, "home.percent", n=str(percent(rate)))) if rate is not None
               else t(locale, "home.figure.none"), change_text(locale, rate, None if previous is None else previous.response_rate, kind="rate")),
        Figure(t(locale, "home.figure.median"), text(duration_text(locale, median)) if median is not None else t(locale, "home.figure.none"),
               change_text(locale, median, before("median_answer_seconds"), kind="duration")),
        Figure(t(locale, "home.figure.open"), open_value, change_text(locale, overview.open_now, overview.open_before)),
        count("home.figure.kudos", "kudos"),
        count("home.figure.thanked", "thanked"),
    ]


# --- a member's learned expertise (the vocabulary) -----------------------------------------------
def learned_section(member, groups: list, answers: list) -> list:
    """`groups`: (channel, [(word, weight)]) of the groups where they wrote; `answers`: (word,
    weight) of the questions their answers resolved."""
    locale = member.locale

    def words(pairs) -> str:
        return ", ".join(word for word, _ in pairs[:MAX_WORDS])
    if not groups and not answers:
        return [Paragraph(t(locale, "home.learned.none"))]
    lines = [t(locale, "home.learned.title")]
    lines += [t(locale, "home.learned.group", group=ChannelRef(channel), words=words(pairs)) for channel, pairs in groups]
    if answers:
        lines.append(t(locale, "home.learned.answers", words=words(answers)))
    from . import HomeService
    return [Paragraph(join(lines, "\n")),
            Buttons((HomeService.button(tp(locale, "home.learned.forget"), "forget_learned"),))]


# --- upcoming events -----------------------------------------------------------------------------
def upcoming_section(member, events: list, directory=None) -> list | None:
    """The member's next events, soonest first, in their own time zone, with their answer."""
    locale = member.locale
    tz = "UTC"
    if directory is not None:
        try:
            tz = directory.person(member.team_id, member.user_id).timezone or "UTC"
        except PlatformError:
            pass
    pieces: list = [Header(tp(locale, "home.events.title"))]
    if not events:
        return pieces + [Paragraph(t(locale, "home.events.none", command=Code("/community event")))]
    lines = []
    for event in events[:MAX_EVENTS]:
        when = event.start.astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M")
        mine = ANSWERS.get(getattr(event, "mine", None) or "")
        lines.append(t(locale, "home.events.line", title=Strong(event.title), when=when, timezone=tz,
                       group=ChannelRef(event.channel_id), place=event.place, going=str(event.going), maybe=str(event.maybe),
                       answer=t(locale, mine) if mine else text()))
    pieces.append(Paragraph(join(lines, "\n")))
    if len(events) > MAX_EVENTS:
        pieces.append(Note(t(locale, "home.events.more", count=str(len(events) - MAX_EVENTS))))
    return pieces
