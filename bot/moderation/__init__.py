"""Moderation and flags: owners hear about messages that may not fit, and decide; nothing is deleted.

Seed: owners "monitor activity and resolve or flag inappropriate activity". Two ways in:
- **Rules**: phrases per group (`/community moderation add|list|remove|test`), plus a shared
  French and English default list (`bot.moderation.defaults`) that `moderation_defaults off` turns
  off. Matched on folded whole words, `*` inside a word for any letters, in linear time
  (`bot.moderation.matcher`): an owner's phrase can never hang the bot.
- **Flags**: any member's "Flag to owners" on a message, with a reason.

Either opens a *case* for the message (one per message: a second flag, or a rule match on a
flagged message, joins the same case). Each owner gets a private report with the message's link,
what matched or why it was flagged (flaggers are named to owners only, never to the author), how
to delete it themselves (the bot cannot delete another person's message), and two buttons:
**Dismiss**, and **Ask the author to edit** (a private, gentle message that names no flagger).
With `moderation_notice on`, the author of a rule match gets that gentle notice at once.

Reports follow the message: an edit that no longer matches closes a case opened by rules alone
(a flagged case stays open: flaggers objected to the message, and the owners judge it), an edit
that now matches opens one, and a deletion closes any. Every change re-renders the owners'
reports in place (`Post.replaces`). Owner decisions go to the audit trail.

Tables:
- `moderation_rules`: per group, its phrases (`rules`: phrase, by, at).
- `moderation_open`: open cases, one per message (`<team>:<channel>:<ts>`): small, so counting
  them for the dashboard and the checklist is cheap.
- `moderation_closed.YYYY-MM`: cases closed that month (dismissed, edited away, deleted), by key,
  so a dismissed message is not reported again when its author fixes a typo, and a case opened
  again (a new flag after a dismissal) gets new reports (its `round`).

Report keys: `modreport:<case>:<round>:<owner>`, each later state `…:v<n>` replacing it; the
author's request `modask:<case>:<round>`, the notice `modnotice:<case>`. Keys make every send
idempotent, so a replayed event or a retried click sends nothing twice, and `_publish` can simply
send the case's current state again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group, GroupService
from ..i18n import t, tp
from ..messages import Button, ChannelRef, Code, Link, Mention, Message, Text, join
from ..ports import Directory, Messenger, PlatformError, Post
from ..store import Store
from ..worktime import zone
from . import defaults
from .matcher import Anchors, BadPhrase, Matcher, Prefilter, Rule, everyday_word, parse

RULES = "moderation_rules"
OPEN = "moderation_open"
DISMISS = "moderation_dismiss"  # button action ids (neutral: every adapter routes them)
ASK = "moderation_ask"
MAX_RULES = 100
MAX_EXCERPT = 300  # characters of the message kept for the owners' report
MAX_REASON = 500
MAX_SHOWN = 10  # cases in the weekly checklist
AUDIT_ACTIONS = {"moderation.dismissed": "audit.moderation.dismissed", "moderation.asked": "audit.moderation.asked",
                 "moderation.rule_added": "audit.moderation.rule_added",
                 "moderation.rule_removed": "audit.moderation.rule_removed"}

DEFAULT_RULES = [parse(phrase, "default") for phrase in defaults.PHRASES]
# The acknowledgement path's filter (see `handlers.moderation.may_match`): the default list's anchors,
# and each running service's groups' ones.
ACK_PREFILTER = Prefilter(Anchors.of(DEFAULT_RULES))


def closed_table(moment: datetime) -> str:
    return f"moderation_closed.{moment:%Y-%m}"


def case_key(group: Group, ts: str) -> str:
    return f"{group.key}:{ts}"


def button_target(value: str) -> tuple[str, str, str] | None:
    """(team, channel, message ts) from a report button's value, None if malformed."""
    parts = value.split(":")
    if len(parts) != 3 or not all(parts) or not parts[2].replace(".", "", 1).isdigit():
        return None
    return parts[0], parts[1], parts[2]


class RulesFull(ValueError):
    pass


class Duplicate(ValueError):
    def __init__(self, position: int):
        super().__init__(position)
        self.position = position


@dataclass(frozen=True)
class Outcome:
    """What a button press or a flag did: `status` ("dismissed", "asked", "flagged", "already",
    "closed", "not_owner", "own_message"…) and the case as it stands (None when there is none)."""
    status: str
    case: dict | None = None


def anchors_of(rules: list[dict]) -> Anchors:
    return Anchors.of([parse(rule["phrase"]) for rule in rules])


class ModerationService:
    def __init__(self, store: Store, clock: Clock, groups: GroupService, directory: Directory, messenger: Messenger,
                 audit, prefilter: Prefilter = ACK_PREFILTER):
        self.store = store
        self.clock = clock
        self.groups = groups
        self.directory = directory
        self.messenger = messenger
        self.audit = audit
        self.prefilter = prefilter
        self._matchers: dict[str, tuple[tuple, Matcher]] = {}
        for action, label in AUDIT_ACTIONS.items():
            audit.describe(action, label)
        # Every group's anchors, before the first event is acknowledged: at once, one union for all.
        self.prefilter.publish(self, {f"{doc['team_id']}:{doc['channel_id']}": anchors_of(doc.get("rules", []))
                                      for doc in store.find(RULES)})

    # --- rules ---------------------------------------------------------------------------------
    def rules(self, group: Group) -> list[dict]:
        """The group's own rules, in the order they were added: {"phrase", "by", "at"}."""
        return list((self.store.get(RULES, group.key) or {}).get("rules", []))

    def add_rule(self, group: Group, user_id: str, phrase: str) -> tuple[int, Rule]:
        """Add a phrase; (its number, the parsed rule). Raises BadPhrase, Duplicate or RulesFull."""
        rule = parse(phrase)
        example = everyday_word(rule)  # checked here, not in parse: the shared list and stored rules stay as they are
        if example is not None:
            raise BadPhrase("too_common", example)
        outcome: dict = {}

        def add(doc):
            doc = doc or {"team_id": group.team_id, "channel_id": group.channel_id, "rules": []}
            for number, existing in enumerate(doc["rules"], 1):
                if parse(existing["phrase"]).normal == rule.normal:
                    outcome["duplicate"] = number
                    return doc
            if len(doc["rules"]) >= MAX_RULES:
                outcome["full"] = True
                return doc
            doc["rules"].append({"phrase": rule.phrase, "by": user_id, "at": utc_iso(self.clock.now())})
            outcome["position"] = len(doc["rules"])
            return doc
        doc = self.store.update(RULES, group.key, add)
        if "duplicate" in outcome:
            raise Duplicate(outcome["duplicate"])
        if outcome.get("full"):
            raise RulesFull(MAX_RULES)
        self._rules_changed(group, doc["rules"])
        self.audit.record(group.key, user_id, "moderation.rule_added", detail=rule.phrase)
        return outcome["position"], rule

    def remove_rule(self, group: Group, user_id: str, which: str) -> dict | None:
        """Remove a rule by its number or its phrase (folded, as matched); the rule, or None."""
        removed: list[dict] = []
        try:
            wanted = None if which.isdigit() else parse(which).normal
        except BadPhrase:
            return None

        def drop(doc):
            if doc is None:
                return None
            for number, existing in enumerate(doc["rules"], 1):
                if (str(number) == which) if wanted is None else parse(existing["phrase"]).normal == wanted:
                    removed.append(doc["rules"].pop(number - 1))
                    break
            return doc
        doc = self.store.update(RULES, group.key, drop)
        if not removed:
            return None
        self._rules_changed(group, doc["rules"] if doc else [])
        self.audit.record(group.key, user_id, "moderation.rule_removed", detail=removed[0]["phrase"])
        return removed[0]

    def _rules_changed(self, group: Group, rules: list[dict]) -> None:
        self._matchers.pop(group.key, None)
        self.prefilter.publish(self, {group.key: anchors_of(rules)})

    def matcher(self, group: Group) -> Matcher:
        """The group's rules, and the default list unless it is off; cached until either changes."""
        phrases = tuple(rule["phrase"] for rule in self.rules(group))
        signature = (phrases, bool(group.config["moderation_defaults"]))
        cached = self._matchers.get(group.key)
        if cached is None or cached[0] != signature:
            own = [parse(phrase) for phrase in phrases]
            normals = {rule.normal for rule in own}  # a group's own phrase wins over the same default one
            shared = [rule for rule in DEFAULT_RULES if rule.normal not in normals] if signature[1] else []
            cached = (signature, Matcher(own + shared))
            self._matchers[group.key] = cached
        return cached[1]

    def test(self, group: Group, text: str) -> list[Rule]:
        """The dry run: the rules `text` would match in this group. Nothing is recorded or sent."""
        return self.matcher(group).matching(text)

    # --- messages: rule matches, edits, deletions ------------------------------------------------
    def on_message(self, group: Group, user_id: str, ts: str, thread_ts: str | None, text: str) -> bool:
        """A new message in the group: a case when it matches a rule (True)."""
        matched = self.test(group, text)
        if not matched:
            return False
        if self._recently_closed(case_key(group, ts)) is not None:
            return False  # a replayed or redelivered message whose case is already closed: nothing new
        return self._open_or_join(group, ts, user_id, thread_ts, text, matches=_pairs(matched))

    def on_edit(self, group: Group, ts: str, user_id: str, text: str, before: str = "") -> None:
        """An edited message: its case follows the new text; a message that now matches is reported,
        unless owners dismissed it lately. `before`: its text before the edit, when the platform says."""
        matches = _pairs(self.test(group, text))
        key = case_key(group, ts)
        if self.store.get(OPEN, key) is None:
            if matches and not self._recently_closed(key, "dismissed"):
                self._open_or_join(group, ts, user_id, None, text, matches=matches)
            elif before and self.test(group, before):
                self._closed_before_seen(group, key, "edited")
            return
        now = utc_iso(self.clock.now())

        def follow(doc):
            if doc is None:
                return None
            if doc["matches"] == matches and doc["excerpt"] == _excerpt(text):
                return doc  # a replay, or an edit that changed nothing we show
            doc.update(matches=matches, excerpt=_excerpt(text), edited=True, version=doc["version"] + 1)
            if not matches and not doc["flags"]:
                doc.update(status="edited", closed_at=now)
            return doc
        self._change(group, key, follow)

    def on_delete(self, group: Group, ts: str, before: str = "") -> None:
        """A deleted message closes its case. `before`: its text, when the platform says."""
        now = utc_iso(self.clock.now())

        def close(doc):
            if doc is not None and doc["status"] == "open":
                doc.update(status="deleted", closed_at=now, version=doc["version"] + 1)
            return doc
        if self._change(group, case_key(group, ts), close) is None and before and self.test(group, before):
            self._closed_before_seen(group, case_key(group, ts), "deleted")

    def _closed_before_seen(self, group: Group, key: str, status: str) -> None:
        """A message that matched, deleted or edited away before its case was opened: noted as closed
        (unless a case was closed before), so that the message's own event, if it comes after
        (Slack does not promise order; a failed delivery is retried later), reports nothing. Only
        matching ones: a note per deletion would grow the month's table with every message deleted."""
        if self._recently_closed(key) is None:
            now = self.clock.now()
            self.store.insert_if_absent(closed_table(now), key, {"key": key, "team_id": group.team_id, "channel_id": group.channel_id,
                                                                 "status": status, "closed_at": utc_iso(now), "round": 0})

    # --- flags -----------------------------------------------------------------------------------
    def flag(self, group: Group, ts: str, author: str, thread_ts: str | None, text: str, flagger: str,
             reason: str) -> Outcome:
        """A member flags a message: "flagged" (a new case or one more flagger), "already" (this
        member flagged it before) or "own_message"."""
        if flagger == author:
            return Outcome("own_message")
        reason = " ".join(reason.split())[:MAX_REASON]
        flag = {"by": flagger, "reason": reason, "at": utc_iso(self.clock.now())}
        key = case_key(group, ts)
        if self.store.get(OPEN, key) is None and self._open_or_join(group, ts, author, thread_ts, text, flag=flag):
            return Outcome("flagged", self.store.get(OPEN, key))
        joined = []

        def join_flag(doc):
            if not any(existing["by"] == flagger for existing in doc["flags"]):
                doc["flags"].append(flag)
                doc["version"] += 1
                joined.append(True)
            return doc
        case = self._change(group, key, join_flag)
        return Outcome("flagged" if joined else "already", case)

    # --- owners decide ---------------------------------------------------------------------------
    def dismiss(self, group: Group, ts: str, owner: str) -> Outcome:
        """**Dismiss**: "dismissed", "closed" (closed before: see the case) or "not_owner"."""
        if not self.groups.may_own(group, owner):
            return Outcome("not_owner")
        now, decided = utc_iso(self.clock.now()), []

        def close(doc):
            if doc is not None and doc["status"] == "open":
                doc.update(status="dismissed", closed_by=owner, closed_at=now, version=doc["version"] + 1)
                decided.append(True)
            return doc
        key = case_key(group, ts)
        case = self._change(group, key, close)
        if not decided:
            return Outcome("closed", case or self._recently_closed(key))
        self.audit.record(group.key, owner, "moderation.dismissed", subject=case["author"], detail=_summary(case),
                          key=f"moderation.dismissed:{key}:{case['round']}")
        return Outcome("dismissed", case)

    def ask_author(self, group: Group, ts: str, owner: str) -> Outcome:
        """**Ask the author to edit**: "asked", "already" (another owner did), "closed" or "not_owner"."""
        if not self.groups.may_own(group, owner):
            return Outcome("not_owner")
        now, decided = utc_iso(self.clock.now()), []

        def ask(doc):
            if doc is not None and doc["status"] == "open" and not doc.get("asked_by"):
                doc.update(asked_by=owner, asked_at=now, version=doc["version"] + 1)
                decided.append(True)
            return doc
        key = case_key(group, ts)
        case = self._change(group, key, ask)
        if case is None:
            return Outcome("closed", self._recently_closed(key))
        if not decided:
            return Outcome("already" if case["status"] == "open" else "closed", case)
        self.messenger.send(Post(key=f"modask:{key}:{case['round']}", team_id=group.team_id, user_id=case["author"],
                                 message=self.request_message(group, case), group=group.key))
        self.audit.record(group.key, owner, "moderation.asked", subject=case["author"], detail=_summary(case),
                          key=f"moderation.asked:{key}:{case['round']}")
        return Outcome("asked", case)

    # --- reads ---------------------------------------------------------------------------------
    def open_cases(self, group: Group) -> list[dict]:
        """Open cases, oldest first."""
        return sorted(self.store.find(OPEN, team_id=group.team_id, channel_id=group.channel_id), key=lambda d: d["opened_at"])

    def open_count(self, group: Group) -> int:
        """Open reports and flags (a message reported and flagged counts once): the open table only."""
        return len(self.store.find(OPEN, team_id=group.team_id, channel_id=group.channel_id))

    def case(self, group: Group, ts: str) -> dict | None:
        key = case_key(group, ts)
        return self.store.get(OPEN, key) or self._recently_closed(key)

    # --- cases: open, change, publish ------------------------------------------------------------
    def _open_or_join(self, group: Group, ts: str, author: str, thread_ts: str | None, text: str, *,
                      matches: list[str] | None = None, flag: dict | None = None) -> bool:
        """Open the message's case and report it to the owners (True); or, when it is open already
        (flagged first, then edited to match), let the case learn what matches (False)."""
        key = case_key(group, ts)
        closed = self._recently_closed(key)
        # Reported to every owner but the author: an owner's own message goes to the other owners, so
        # no author ever reads who flagged them (a group's only owner gets it, flaggers unnamed).
        notified = [owner for owner in group.owners if owner != author] or list(group.owners)
        doc = {"key": key, "team_id": group.team_id, "channel_id": group.channel_id, "ts": ts, "thread_ts": thread_ts,
               "author": author, "excerpt": _excerpt(text), "matches": matches or [], "flags": [flag] if flag else [],
               "opened_at": utc_iso(self.clock.now()), "status": "open", "version": 1, "edited": False,
               "round": (closed or {}).get("round", 0) + 1, "notified": notified, "link": self._link(group, ts),
               "noticed": bool(matches) and bool(group.config["moderation_notice"])}
        if not self.store.insert_if_absent(OPEN, key, doc):
            if matches:
                def learn(existing):
                    if existing["matches"] != matches:
                        existing.update(matches=matches, version=existing["version"] + 1)
                    return existing
                self._change(group, key, learn)
            return False
        if doc["noticed"]:  # `moderation_notice on`: the author hears at once, gently, which phrase
            self.messenger.send(Post(key=f"modnotice:{key}", team_id=group.team_id, user_id=author,
                                     message=self.notice_message(group, doc), group=group.key))
        self._publish(group, doc)
        return True

    def _change(self, group: Group, key: str, change) -> dict | None:
        """Apply `change` to the open case; a case it closes moves to this month's closed table.
        The owners' reports are then re-sent in the case's current state."""
        def apply(doc):
            if doc is None:
                return None
            doc = change(doc)
            if doc is not None and doc["status"] != "open":
                self.store.put(closed_table(parse_iso(doc["closed_at"])), key, doc)  # first: a crash leaves it open, not lost
                return None
            return doc
        before = self.store.get(OPEN, key)
        if before is None:
            return None
        after = self.store.update(OPEN, key, apply)
        case = after or self._recently_closed(key)
        if case is not None:
            self._publish(group, case)
        return case

    def _recently_closed(self, key: str, status: str | None = None) -> dict | None:
        """The case closed this month or last, if any (with `status`, only a case closed that way)."""
        this_month = self.clock.now().replace(day=1)
        for month in (this_month, this_month - timedelta(days=1)):
            doc = self.store.get(closed_table(month), key)
            if doc is not None:
                return doc if status is None or doc["status"] == status else None
        return None

    def _publish(self, group: Group, case: dict) -> None:
        """Send the case's current state to each owner it was reported to (idempotent by key)."""
        message = self.report_message(group, case)
        for owner in case["notified"]:
            base = f"modreport:{case['key']}:{case['round']}:{owner}"
            version = case["version"]
            self.messenger.send(Post(key=base if version == 1 else f"{base}:v{version}", team_id=group.team_id,
                                     user_id=owner, message=message, group=group.key,
                                     replaces=None if version == 1 else base))

    def _link(self, group: Group, ts: str) -> str | None:
        try:
            return self.directory.permalink(group.team_id, group.channel_id, ts)
        except PlatformError:
            return None  # the report says where and when instead

    # --- what owners and authors read --------------------------------------------------------------
    def _when(self, group: Group, ts: str) -> str:
        moment = datetime.fromtimestamp(float(ts), timezone.utc).astimezone(zone(group.config["timezone"]))
        return moment.strftime("%Y-%m-%d %H:%M")

    def _where(self, group: Group, case: dict, *, author: bool = False) -> Text:
        """A link to the message ("your message" for its author), or when and where it was posted."""
        if case.get("link"):
            return (Link(case["link"], tp(group.locale, "moderation.your_message" if author else "moderation.the_message")),)
        return t(group.locale, "moderation.message_at", group=ChannelRef(group.channel_id), when=self._when(group, case["ts"]))

    def _phrases(self, locale: str, matches: list) -> Text:
        """The phrases a case matched ([phrase, source] pairs), the default list's said so."""
        return join(t(locale, "moderation.default_phrase", phrase=Code(phrase)) if source == "default"
                    else (Code(phrase),) for phrase, source in matches)

    def status_line(self, group: Group, case: dict) -> Text | None:
        locale, when = group.locale, self.local_time(group, case.get("closed_at"))
        if case["status"] == "dismissed":
            return t(locale, "moderation.status.dismissed", owner=Mention(case["closed_by"]), when=when)
        if case["status"] == "edited":
            return t(locale, "moderation.status.edited", when=when)
        if case["status"] == "deleted":
            return t(locale, "moderation.status.deleted", when=when)
        return None

    def local_time(self, group: Group, iso: str | None) -> str:
        return parse_iso(iso).astimezone(zone(group.config["timezone"])).strftime("%Y-%m-%d %H:%M") if iso else ""

    def report_message(self, group: Group, case: dict) -> Message:
        """The owner's private report, in its current state."""
        locale, where = group.locale, ChannelRef(group.channel_id)
        flags = case["flags"]
        if flags:
            title = t(locale, "moderation.report.flagged.one" if len(flags) == 1 else "moderation.report.flagged.many",
                      group=where, count=str(len(flags)))
        else:
            title = t(locale, "moderation.report.matched", group=where)
        paragraphs = [title, t(locale, "moderation.report.edited_message" if case["edited"] else "moderation.report.message",
                               author=Mention(case["author"]), when=self._when(group, case["ts"]), excerpt=case["excerpt"])]
        if case["matches"]:
            paragraphs.append(t(locale, "moderation.report.matches", phrases=self._phrases(locale, case["matches"])))
        if flags:
            named = case["author"] not in case["notified"]
            paragraphs.append(join([t(locale, "moderation.report.reasons"), *(
                t(locale, "moderation.report.reason", reason=flag["reason"] or "—", by=Mention(flag["by"])) if named
                else t(locale, "moderation.report.reason_unnamed", reason=flag["reason"] or "—") for flag in flags)], "\n"))
        paragraphs.append(t(locale, "moderation.report.open", where=self._where(group, case)))
        if case.get("asked_by"):
            paragraphs.append(t(locale, "moderation.status.asked", owner=Mention(case["asked_by"]),
                                when=self.local_time(group, case.get("asked_at"))))
        status = self.status_line(group, case)
        if status is not None:
            paragraphs.append(status)
            return Message.of(*paragraphs)
        notes = [t(locale, "moderation.report.how_to_delete")]
        if case.get("noticed"):
            notes.append(t(locale, "moderation.report.noticed", setting=Code("moderation_notice")))
        value = f"{group.key}:{case['ts']}"
        buttons = [Button(tp(locale, "moderation.button.dismiss"), DISMISS, value)]
        if not case.get("asked_by"):
            buttons.append(Button(tp(locale, "moderation.button.ask"), ASK, value, primary=True))
        return Message.of(*paragraphs, notes=notes, buttons=buttons)

    def request_message(self, group: Group, case: dict) -> Message:
        """The author's private, gentle request to edit, sent when an owner asks. It names no flagger
        and quotes no reason: only the group, the message and who to talk to."""
        return Message.of(t(group.locale, "moderation.request", author=Mention(case["author"]),
                            group=ChannelRef(group.channel_id), where=self._where(group, case, author=True)),
                          notes=[t(group.locale, "moderation.request_note", owners=join(Mention(o) for o in group.owners))])

    def notice_message(self, group: Group, case: dict) -> Message:
        return Message.of(t(group.locale, "moderation.notice", author=Mention(case["author"]), group=ChannelRef(group.channel_id),
                            where=self._where(group, case, author=True), phrases=self._phrases(group.locale, case["matches"])))

    # --- the owners' weekly checklist --------------------------------------------------------------
    def digest_section(self, group: Group, week: str) -> list[Text] | None:
        cases = self.open_cases(group)
        if not cases:
            return None
        locale, now = group.locale, self.clock.now()
        lines = [t(locale, "moderation.digest.title", count=str(len(cases)))]
        for case in cases[:MAX_SHOWN]:
            what = (t(locale, "moderation.digest.flagged", count=str(len(case["flags"]))) if case["flags"]
                    else t(locale, "moderation.digest.matched", phrases=self._phrases(locale, case["matches"])))
            days = max(0, (now - parse_iso(case["opened_at"])).days)
            lines.append(t(locale, "moderation.digest.line", author=Mention(case["author"]), what=what, days=str(days),
                           where=self._where(group, case)))
        if len(cases) > MAX_SHOWN:
            lines.append(t(locale, "moderation.digest.more", count=str(len(cases) - MAX_SHOWN)))
        return lines


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_EXCERPT else text[:MAX_EXCERPT - 1].rstrip() + "…"


def _pairs(rules: list[Rule]) -> list[list[str]]:
    """What a case keeps of the rules it matched: [phrase, "group" or "default"] (JSON lists)."""
    return [[rule.phrase, rule.source] for rule in rules]


def _summary(case: dict) -> str:
    """The audit trail's detail: the phrases it matched (flaggers are never named there)."""
    return ", ".join(phrase for phrase, _ in case["matches"])
