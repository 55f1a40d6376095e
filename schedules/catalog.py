"""Every sweep the bot runs; a duty with timed work adds its sweeps here."""
from __future__ import annotations

from . import maintenance, questions

# The weekly work's modules are imported here too:
# recognition
from . import recognition
# reminders
from . import reminders
# owner digest
from . import digest
# prompts
from . import prompts
# approval
from . import approval

# moderation

# content
from . import content

# events
from . import events

# report

# audience
from . import audience
# home dashboard
from . import home


def all_sweeps(core) -> list:
    return [
        *maintenance.sweeps(core),
        *questions.sweeps(core),
        # recognition
        *recognition.sweeps(core),
        # reminders
        *reminders.sweeps(core),
        # owner digest
        *digest.sweeps(core),
        # prompts
        *prompts.sweeps(core),
        # approval
        *approval.sweeps(core),

        # moderation

        # content
        *content.sweeps(core),

        # events
        *events.sweeps(core),

        # report

        # audience
        *audience.sweeps(core),
        # home dashboard
        *home.sweeps(core),
    ]
