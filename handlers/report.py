"""The report on Slack: `/community report` and `export` are subcommands (`bot.report.commands`);
here, the button that sends the report by direct message (`SEND_REPORT`, for the App Home
dashboard: an App Home button has no channel and no response_url, so the group is in the button's
value, "team:channel"; the DM is the report, and the Home is published again saying so, or why not)."""
from __future__ import annotations

from bot.i18n import t
from bot.messages import people
from bot.report import SEND_REPORT

from .home import pages_of, publish
from .mrkdwn import render


def send_report(core, _group, body: dict, context, respond, client) -> None:
    action = (body.get("actions") or [{}])[0]
    team_id, _, channel_id = str(action.get("value") or "").partition(":")
    group = core.groups.get(team_id, channel_id) if team_id == context.get("team_id") and channel_id else None
    answer = None
    if group is None:
        answer = t("en", "not_managed")
    elif not core.groups.may_own(group, context["user_id"]):
        answer = t(group.locale, "owner_only", owners=people(group.owners))
    else:
        # One report per press: the press's trigger is the idempotency key (Slack retries carry the same).
        core.report.send(group, context["user_id"], body.get("trigger_id") or action.get("action_ts") or "")
        answer = t(group.locale, "report.sent")
    if context.get("response_url"):
        respond(text=render(answer), response_type="ephemeral", replace_original=False)
    else:  # pressed on the App Home: the answer is the Home, published again with it at the top
        publish(core, client, context.get("team_id") or "", context["user_id"], pages_of(body.get("view")), answer)


def register(app, interactive) -> None:
    app.action(SEND_REPORT)(**interactive(send_report, needs_group=False))
