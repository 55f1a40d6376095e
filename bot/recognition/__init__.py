"""Weekly recognition: thank the people who helped, by name, with the reason in words.

Seed: "recognise contributions". What counts is what helps, not what is loud (from the activity
record, `bot.activity`): an answer that resolved a question counts most, then a first reply to a
newcomer, then kudos received, threads that others joined and updates posted in an event's
follow-up thread. Chatter scores nothing. Members can
opt out of being named; bots never are. The post goes out once per group and ISO week at the
group's day and time (`schedules/recognition.py`); an empty week posts nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..activity import ActivityService, Contribution
from ..groups import Group
from ..i18n import t, tp
from ..messages import Button, ChannelRef, Mention, Message, Text, join, text
from ..ports import Directory, Messenger, PlatformError, Post
from ..store import Store

WEIGHTS = {"answers": 3, "welcomed": 2, "kudos": 1, "threads": 1, "followups": 1}
MAX_NAMED = 5
OPT_OUT = "recognition_opt_out"  # the post's button
OPTED_OUT = "recognition_opt_outs"


@dataclass(frozen=True)
class Recognised:
    user_id: str
    score: int
    reasons: Text


def score(contribution: Contribution) -> int:
    return sum(getattr(contribution, name) * weight for name, weight in WEIGHTS.items())


def reasons(locale: str, c: Contribution) -> Text:
    """"answered 3 questions about ci, deploy, welcomed 2 newcomers, …"""
    parts = []
    if c.answers:
        about = t(locale, "recognition.about", topics=", ".join(c.topics[:2])) if c.topics else ""
        parts.append(text(t(locale, "recognition.answers.one" if c.answers == 1 else "recognition.answers.many", n=str(c.answers)), about))
    if c.welcomed:
        parts.append(t(locale, "recognition.welcomed.one" if c.welcomed == 1 else "recognition.welcomed.many", n=str(c.welcomed)))
    if c.threads:
        parts.append(t(locale, "recognition.threads.one" if c.threads == 1 else "recognition.threads.many", n=str(c.threads)))
    if c.kudos:
        parts.append(t(locale, "recognition.kudos.one" if c.kudos == 1 else "recognition.kudos.many", n=str(c.kudos)))
    if c.followups:
        parts.append(t(locale, "recognition.followups.one" if c.followups == 1 else "recognition.followups.many", n=str(c.followups)))
    return join(parts, ", ")


class RecognitionService:
    def __init__(self, store: Store, activity: ActivityService, directory: Directory, messenger: Messenger):
        self.store = store
        self.activity = activity
        self.directory = directory
        self.messenger = messenger

    def draft(self, group: Group, week: str) -> list[Recognised]:
        """Who to thank this week, best first; ties go to more answers, then to the user id."""
        named = []
        for contribution in self.activity.contributions(group, week):
            if self.is_opted_out(group.team_id, contribution.user_id) or self._is_bot(group.team_id, contribution.user_id):
                continue
            points = score(contribution)
            if points > 0:
                named.append((contribution, points))
        named.sort(key=lambda item: (-item[1], -item[0].answers, item[0].user_id))
        return [Recognised(c.user_id, points, reasons(group.locale, c)) for c, points in named[:MAX_NAMED]]

    def message(self, group: Group, week: str, draft: list[Recognised]) -> Message:
        lines = [text(Mention(r.user_id), " — ", r.reasons) for r in draft]
        return Message.of(t(group.locale, "recognition.header", group=ChannelRef(group.channel_id)), join(lines, "\n"),
                          notes=[t(group.locale, "recognition.how", emoji=group.config["kudos_emoji"])],
                          buttons=[Button(tp(group.locale, "recognition.opt_out_button"), OPT_OUT, group.key)])

    def post_week(self, group: Group, week: str) -> bool:
        """Queue this week's post; False for an empty week (nothing is posted)."""
        draft = self.draft(group, week)
        if not draft:
            return False
        self.messenger.send(Post(key=f"recognition:{group.key}:{week}", team_id=group.team_id, channel_id=group.channel_id,
                                 message=self.message(group, week, draft), group=group.key))
        self.activity.daily.thanked(group, week, len(draft))  # for the report's "people thanked"
        return True

    # --- opting out ----------------------------------------------------------------------------
    def is_opted_out(self, team_id: str, user_id: str) -> bool:
        return bool((self.store.get(OPTED_OUT, f"{team_id}:{user_id}") or {}).get("opted_out"))

    def set_opted_out(self, team_id: str, user_id: str, opted_out: bool) -> None:
        self.store.put(OPTED_OUT, f"{team_id}:{user_id}", {"team_id": team_id, "user_id": user_id, "opted_out": opted_out})

    def _is_bot(self, team_id: str, user_id: str) -> bool:
        try:
            return self.directory.person(team_id, user_id).is_bot
        except PlatformError:
            return True  # unknown or deleted: not someone to name
