"""`/community moderation add <phrase> | list | remove <n|phrase> | test <text>`: the group's rules.

Owners only, `list` and `test` included: the rules are the owners' tool, and a list of exactly what
is watched for would mostly teach how to get round it. `test` is a dry run: it says which rules the
text would match and what would happen, and does nothing.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from ..clock import parse_iso
from ..commands import CommandRegistry, Invocation, Reply, Subcommand
from ..groups import Group
from ..i18n import t
from ..messages import ChannelRef, Code, Mention, join
from . import DEFAULT_RULES, MAX_RULES, Duplicate, RulesFull
from .matcher import MAX_PHRASE, MAX_WORDS, MIN_LITERAL, BadPhrase

SHOWN_TEXT = 60  # characters of an unknown rule or a bad phrase echoed back


def install(registry: CommandRegistry, core) -> None:
    def moderation(call: Invocation, group: Group, rest: str) -> Reply:
        words = rest.split(None, 1)
        action, argument = (words[0].lower() if words else ""), (words[1].strip() if len(words) > 1 else "")
        if action == "add":
            return add(call, group, argument)
        if action == "remove":
            return remove(call, group, argument)
        if action == "test":
            return test(group, argument)
        if action == "list" and not argument:
            return listing(group)
        return registry.usage(group, "moderation")

    def add(call: Invocation, group: Group, phrase: str) -> Reply:
        locale = group.locale
        if not phrase:
            return Reply(t(locale, "moderation.add_empty"))
        try:
            number, rule = core.moderation.add_rule(group, call.user_id, phrase)
        except BadPhrase as error:
            return Reply(bad_phrase(locale, error.reason, phrase, error.example))
        except Duplicate as error:
            return Reply(t(locale, "moderation.duplicate", phrase=Code(phrase[:SHOWN_TEXT]), n=str(error.position)))
        except RulesFull:
            return Reply(t(locale, "moderation.full", limit=str(MAX_RULES)))
        return Reply(t(locale, "moderation.added", n=str(number), phrase=Code(rule.phrase), normal=Code(rule.normal)))

    def bad_phrase(locale: str, reason: str, phrase: str, example: str = ""):
        if reason == "too_long":
            return t(locale, "moderation.bad.too_long", limit=str(MAX_PHRASE))
        if reason == "too_many_words":
            return t(locale, "moderation.bad.too_many_words", limit=str(MAX_WORDS))
        if reason == "too_common":
            return t(locale, "moderation.bad.too_common", phrase=Code(phrase[:SHOWN_TEXT]), example=Code(example))
        return t(locale, "moderation.bad.too_vague", phrase=Code(phrase[:SHOWN_TEXT]), limit=str(MIN_LITERAL))

    def remove(call: Invocation, group: Group, which: str) -> Reply:
        if not which:
            return Reply(t(group.locale, "moderation.remove_which"))
        removed = core.moderation.remove_rule(group, call.user_id, which)
        if removed is None:
            return Reply(t(group.locale, "moderation.no_such", which=Code(which[:SHOWN_TEXT])))
        return Reply(t(group.locale, "moderation.removed", phrase=Code(removed["phrase"])))

    def listing(group: Group) -> Reply:
        locale, tz = group.locale, ZoneInfo(group.config["timezone"])
        rules = core.moderation.rules(group)
        lines = []
        if rules:
            lines.append(t(locale, "moderation.list_header", group=ChannelRef(group.channel_id), count=str(len(rules))))
            lines += [t(locale, "moderation.list_line", n=str(n), phrase=Code(rule["phrase"]), by=Mention(rule["by"]),
                        date=parse_iso(rule["at"]).astimezone(tz).strftime("%Y-%m-%d")) for n, rule in enumerate(rules, 1)]
        else:
            lines.append(t(locale, "moderation.list_empty"))
        lines.append(defaults_line(group))
        lines.append(notice_line(group))
        lines.append(t(locale, "moderation.open_count", count=str(core.moderation.open_count(group))))
        return Reply(join(lines, "\n"))

    def defaults_line(group: Group):
        if group.config["moderation_defaults"]:
            return t(group.locale, "moderation.defaults_on", count=str(len(DEFAULT_RULES)),
                     switch=Code("/community config moderation_defaults off"))
        return t(group.locale, "moderation.defaults_off", switch=Code("/community config moderation_defaults on"))

    def notice_line(group: Group):
        if group.config["moderation_notice"]:
            return t(group.locale, "moderation.notice_on", setting=Code("moderation_notice"))
        return t(group.locale, "moderation.notice_off", switch=Code("/community config moderation_notice on"))

    def test(group: Group, text: str) -> Reply:
        locale = group.locale
        if not text:
            return Reply(t(locale, "moderation.test_empty"))
        matched = core.moderation.test(group, text)
        if not matched:
            return Reply(join([t(locale, "moderation.test.none"), t(locale, "moderation.test.dry")], "\n"))
        phrases = join(t(locale, "moderation.default_phrase", phrase=Code(rule.phrase)) if rule.source == "default"
                       else (Code(rule.phrase),) for rule in matched)
        owners = join(Mention(owner) for owner in group.owners)
        lines = [t(locale, "moderation.test.matches", phrases=phrases),
                 t(locale, "moderation.test.report", owners=owners),
                 notice_line(group) if not group.config["moderation_notice"] else t(locale, "moderation.test.notice"),
                 t(locale, "moderation.test.dry")]
        return Reply(join(lines, "\n"))

    registry.add("moderation", Subcommand("/community moderation add <phrase> | list | remove <n|phrase> | test <text>",
                                          "owner", "help.owner.moderation", moderation))
