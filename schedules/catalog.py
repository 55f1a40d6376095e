"""Every sweep the bot runs; a feature with timed work adds its sweep here."""
from __future__ import annotations

from .maintenance import cleanup_processed_events
from .questions import archive_stale_questions, question_ladder


def all_sweeps(slack) -> list:
    return [cleanup_processed_events(slack.core), question_ladder(slack), archive_stale_questions(slack.core)]
