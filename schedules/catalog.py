"""Every sweep the bot runs; a duty with timed work adds its sweeps here."""
from __future__ import annotations

from . import maintenance, questions

# The weekly work's modules are imported here too:
# recognition
from . import recognition
# reminders
from . import reminders
# owner digest
# prompts


def all_sweeps(core) -> list:
    return [
        *maintenance.sweeps(core),
        *questions.sweeps(core),
        # recognition
        *recognition.sweeps(core),
        # reminders
        *reminders.sweeps(core),
        # owner digest
        # prompts
    ]
