"""Bolt listeners, grouped by what they react to; each module has `register(app, slack)`."""
from . import commands, events, questions


def register_all(app, slack) -> None:
    for module in (events, commands, questions):
        module.register(app, slack)
