"""The **Done for this week** and **Remind me tomorrow** buttons of the owners' weekly checklist
(on the interactive lane). The checklist is a direct message, so the group comes from the
button's value, not from the channel the button was pressed in."""
from __future__ import annotations

from bot.digest import DONE, TOMORROW, button_target
from bot.i18n import t
from bot.messages import Mention, people

from .mrkdwn import render


def _answer(respond, message) -> None:
    respond(text=render(message), response_type="ephemeral", replace_original=False)


def _group_and_week(core, body: dict, context):
    action = (body.get("actions") or [{}])[0]
    target = button_target(str(action.get("value") or ""))
    if target is None or target[0] != context.get("team_id"):
        return None, None
    team_id, channel_id, week = target
    return core.groups.get(team_id, channel_id), week


def done(core, _group, body: dict, context, respond, client) -> None:
    group, week = _group_and_week(core, body, context)
    if group is None:
        _answer(respond, t("en", "not_managed"))
        return
    outcome, who = core.digest.mark_done(group, week, context["user_id"])
    if outcome == "not_owner":
        _answer(respond, t(group.locale, "owner_only", owners=people(group.owners)))
    elif outcome == "already":
        _answer(respond, t(group.locale, "digest.already_done", user=Mention(who)))
    else:
        _answer(respond, t(group.locale, "digest.done"))


def remind_tomorrow(core, _group, body: dict, context, respond, client) -> None:
    group, week = _group_and_week(core, body, context)
    if group is None:
        _answer(respond, t("en", "not_managed"))
        return
    outcome, detail = core.digest.remind_tomorrow(group, week, context["user_id"])
    if outcome == "not_owner":
        _answer(respond, t(group.locale, "owner_only", owners=people(group.owners)))
    elif outcome == "already_done":
        _answer(respond, t(group.locale, "digest.no_reminder_needed", user=Mention(detail)))
    else:
        _answer(respond, t(group.locale, "digest.reminder_set", date=detail.strftime("%Y-%m-%d"), time=detail.strftime("%H:%M")))


def register(app, interactive) -> None:
    app.action(DONE)(**interactive(done, needs_group=False))
    app.action(TOMORROW)(**interactive(remind_tomorrow, needs_group=False))
