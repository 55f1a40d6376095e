"""The escalation ladder and the resolve nudge, swept on every tick."""
from __future__ import annotations

import logging
from datetime import timedelta

from bot.formatting import mention
from bot.i18n import t
from bot.ports import PlatformError

from . import Sweep, once_per_period, period_start

log = logging.getLogger(__name__)


def question_ladder(slack) -> Sweep:
    from handlers.questions import post_ping  # the Slack rendering of a ping
    core = slack.core

    def run() -> None:
        try:
            core.questions.escalate_due(slack.gateway, lambda ping: post_ping(slack, ping))
        except PlatformError as error:  # the failed step was unclaimed: it runs again next tick
            log.warning("could not post a ladder step (%s); retrying next tick", error.code)
        for doc in core.questions.claim_due_nudges():
            group = core.groups.get(doc["team_id"], doc["channel_id"])
            try:
                slack.gateway.post(doc["team_id"], doc["channel_id"], t(group.locale if group else "en", "question.nudge", asker=mention(doc["asker"])),
                                   thread_ts=doc["ts"])
            except PlatformError as error:
                log.warning("could not nudge %s (%s)", doc["key"], error.code)
    return Sweep("question_ladder", run)


def archive_stale_questions(core) -> Sweep:
    def run() -> None:
        once_per_period(core.store, core.clock, "archive_stale_questions", period_start(core.clock.now(), timedelta(days=1)),
                        core.questions.archive_stale)
    return Sweep("archive_stale_questions", run)
