"""Questions asked in groups, and the ladder that brings them to people who know.

Life of a question (all state in the store, so a restarted bot carries on where it was):
  open ──first_wait──▶ experts ──second_wait──▶ more experts ──owners_wait──▶ owners
    │ (a reply from anyone but the asker stops the ladder)
    ▼
  answered ──resolve_nudge──▶ one nudge to the asker
    │ (✅ by the asker, "Mark answered", or "Mark as answer" on a reply)
    ▼
  resolved → archived in `questions.YYYY-MM`; the answerer gains learned expertise.
Waits count working time in the group's time zone; nobody is pinged outside their own working
hours or beyond the daily cap; a step with nobody to ask passes to the next at once.
Open questions live in one small table, so per-message work never grows with history.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable
from datetime import datetime, timedelta, timezone

from .clock import Clock, parse_iso, utc_iso
from .experts import ExpertService, Match
from .groups import Group, GroupService
from .ports import Directory, PlatformError
from .question_detection import question_summary
from .store import Store
from .text import tokens
from .worktime import add_working_time, is_working, local_date

OPEN = "open_questions"
LADDER = ("experts", "more_experts", "owners")
WAIT_BEFORE = {"experts": "first_wait", "more_experts": "second_wait", "owners": "owners_wait"}
EXPERTS_PER_STEP = 2
STALE_AFTER = timedelta(days=30)


def question_key(team_id: str, channel_id: str, ts: str) -> str:
    return f"{team_id}:{channel_id}:{ts}"


def archive_table(ts: str) -> str:
    """Closed questions are kept by the month they were asked (the ts is Unix seconds)."""
    return "questions." + datetime.fromtimestamp(float(ts), tz=timezone.utc).strftime("%Y-%m")


@dataclass
class Ping:
    """One step of the ladder, ready to post in the question's thread."""
    question: dict
    step: str  # "experts", "more_experts", "owners"
    people: list[str]
    matches: list[Match]


class QuestionService:
    def __init__(self, store: Store, clock: Clock, groups: GroupService, experts: ExpertService):
        self.store = store
        self.clock = clock
        self.groups = groups
        self.experts = experts

    # --- asking and answering ----------------------------------------------------------------
    def ask(self, group: Group, asker: str, ts: str, text: str) -> dict | None:
        """Track a new question; None if this message is already tracked (a retried event)."""
        now = self.clock.now()
        config = group.config
        doc = {
            "key": question_key(group.team_id, group.channel_id, ts), "team_id": group.team_id,
            "channel_id": group.channel_id, "ts": ts, "asker": asker, "text": text[:2000],
            "summary": question_summary(text), "asked_at": utc_iso(now), "status": "open",
            "next_step": "experts", "next_due_at": utc_iso(self._after_wait(group, now, config["first_wait"])),
            "steps": {}, "pinged": [], "declined": [], "replies": {},
        }
        if self.get(group.team_id, group.channel_id, ts) is not None:
            return None
        return doc if self.store.insert_if_absent(OPEN, doc["key"], doc) else None

    def get(self, team_id: str, channel_id: str, ts: str) -> dict | None:
        key = question_key(team_id, channel_id, ts)
        return self.store.get(OPEN, key) or self.store.get(archive_table(ts), key)

    def thread_reply(self, group: Group, thread_ts: str, reply_ts: str, user_id: str) -> str | None:
        """A reply in a question's thread. 'answered' when it is the first from someone else."""
        outcome = {}

        def apply(doc):
            if doc is None or user_id == doc["asker"]:
                return doc
            doc["replies"][reply_ts] = user_id
            if doc["status"] == "open":
                now = self.clock.now()
                doc.update(status="answered", first_replier=user_id, first_reply_at=utc_iso(now), next_step=None,
                           answer_seconds=int((now - parse_iso(doc["asked_at"])).total_seconds()),
                           nudge_due_at=utc_iso(now + timedelta(seconds=group.config["resolve_nudge"])))
                outcome["result"] = "answered"
            return doc
        self.store.update(OPEN, question_key(group.team_id, group.channel_id, thread_ts), apply)
        return outcome.get("result")

    def question_of_reply(self, team_id: str, channel_id: str, reply_ts: str) -> dict | None:
        for doc in self.store.find(OPEN, team_id=team_id, channel_id=channel_id):
            if reply_ts in doc["replies"]:
                return doc
        return None

    def resolve(self, group: Group, ts: str, by_user: str, answerer: str | None = None) -> str:
        """'resolved', 'not_allowed' (only the asker or an owner), 'already' or 'unknown'."""
        key = question_key(group.team_id, group.channel_id, ts)
        doc = self.store.get(OPEN, key)
        if doc is None:
            return "already" if self.store.get(archive_table(ts), key) else "unknown"
        if by_user != doc["asker"] and not group.is_owner(by_user):
            return "not_allowed"
        answerer = answerer or doc.get("first_replier")
        if answerer == doc["asker"]:
            answerer = doc.get("first_replier")
        doc.update(status="resolved", resolved_by=by_user, resolved_at=utc_iso(self.clock.now()), answerer=answerer, next_step=None)
        self.store.put(archive_table(ts), key, doc)  # archive first: a crash between leaves a duplicate, never a loss
        self.store.delete(OPEN, key)
        if answerer:
            self.experts.learn(group.team_id, answerer, doc["text"])
        return "resolved"

    def decline(self, group: Group, ts: str, expert: str) -> str:
        """'declined', 'not_pinged' or 'closed'. Their weight on the question's words drops."""
        outcome = {"result": "closed"}

        def apply(doc):
            if doc is None or doc["status"] != "open":
                return doc
            if expert not in doc["pinged"] or expert in doc["declined"]:
                outcome["result"] = "not_pinged"
                return doc
            doc["declined"].append(expert)
            outcome["result"] = "declined"
            return doc
        doc = self.store.update(OPEN, question_key(group.team_id, group.channel_id, ts), apply)
        if outcome["result"] == "declined":
            self.experts.decline(group.team_id, expert, doc["text"])
        return outcome["result"]

    def open_questions(self, team_id: str, channel_id: str, asker: str | None = None) -> list[dict]:
        docs = self.store.find(OPEN, team_id=team_id, channel_id=channel_id)
        return sorted((d for d in docs if asker is None or d["asker"] == asker), key=lambda d: d["asked_at"])

    # --- the ladder --------------------------------------------------------------------------
    def escalate_due(self, directory: Directory, deliver: Callable[[Ping], None]) -> int:
        """Run every ladder step due now: plan, claim, then `deliver` (post) it; returns how many.

        One question at a time, so each claim (and its ping count) is seen by the next plan: the
        daily cap and the load spreading hold within a sweep. A step with nobody to ask passes on
        to the next at once; `deliver` raising `PlatformError` makes the step due again.
        """
        now = self.clock.now()
        delivered = 0
        for doc in self.store.find(OPEN, status="open"):
            if not doc.get("next_step") or parse_iso(doc["next_due_at"]) > now:
                continue
            group = self.groups.get(doc["team_id"], doc["channel_id"])
            if group is None or not group.config["question_routing"]:
                continue
            for _ in LADDER:
                ping, passed = self._plan(group, doc, doc["next_step"], directory, now)
                if ping is not None and self.claim(ping, directory):
                    try:
                        deliver(ping)
                        delivered += 1
                    except PlatformError:
                        self.unclaim(ping, directory)
                        raise
                if not passed:
                    break
                doc = self.store.get(OPEN, doc["key"])
                if not doc or not doc.get("next_step"):
                    break
        return delivered

    def _plan(self, group: Group, doc: dict, step: str, directory: Directory, now: datetime) -> tuple[Ping | None, bool]:
        """The ping for this step if someone is available; the flag says the step was passed."""
        config = group.config
        if step == "owners":
            candidates = [Match(owner, 0.0, [], False) for owner in group.owners if owner != doc["asker"]]
        else:
            exclude = {doc["asker"], *doc["pinged"], *doc["declined"]}
            candidates = self.experts.rank_for(group.team_id, group.channel_id, doc["text"], exclude)
            candidates = [m for m in candidates if not self._is_bot(directory, group.team_id, m.user_id)]
        if not candidates:
            self._pass_step(group, doc, step, now)
            return None, True
        available = [m for m in candidates if self._may_ping(directory, group, m.user_id, now, step != "owners")]
        if not available:
            return None, False  # someone could answer but is off duty or capped: the step waits
        chosen = available if step == "owners" else spread_load(available, self, group.team_id, directory, now)[:EXPERTS_PER_STEP]
        if step != "owners" and len(chosen) == 2 and chosen[1].score < chosen[0].score / 2:
            chosen = chosen[:1]  # a much weaker second match would only be noise
        return Ping(doc, step, [m.user_id for m in chosen], chosen), False

    def _is_bot(self, directory: Directory, team_id: str, user_id: str) -> bool:
        try:
            return directory.person(team_id, user_id).is_bot
        except PlatformError:
            return True  # an unknown or deleted user is not someone to ping

    def _may_ping(self, directory: Directory, group: Group, user_id: str, now: datetime, capped: bool) -> bool:
        config = group.config
        tz = directory.person(group.team_id, user_id).timezone
        if not is_working(now, tz, config["working_hours"], config["working_days"]):
            return False
        return not capped or self.experts.pings_on(group.team_id, user_id, local_date(now, tz)) < config["expert_daily_cap"]

    def _after_wait(self, group: Group, start: datetime, seconds: int) -> datetime:
        config = group.config
        return add_working_time(start, seconds, config["timezone"], config["working_hours"], config["working_days"])

    def _advance(self, group: Group, doc: dict, step: str, now: datetime) -> None:
        following = LADDER[LADDER.index(step) + 1] if step != LADDER[-1] else None
        doc["next_step"] = following
        if following:
            doc["next_due_at"] = utc_iso(self._after_wait(group, now, group.config[WAIT_BEFORE[following]]))

    def _pass_step(self, group: Group, doc: dict, step: str, now: datetime) -> None:
        """Nobody to ask at this step: record it and make the next step due at once."""
        def apply(current):
            if current is None or current.get("next_step") != step or current["status"] != "open":
                return current
            current["steps"][step] = {"at": utc_iso(now), "pinged": []}
            following = LADDER[LADDER.index(step) + 1] if step != LADDER[-1] else None
            current.update(next_step=following, next_due_at=utc_iso(now))
            return current
        self.store.update(OPEN, doc["key"], apply)

    def claim(self, ping: Ping, directory: Directory) -> bool:
        """Record the step as done before posting (at most once); False if it was done meanwhile."""
        now = self.clock.now()
        group = self.groups.get(ping.question["team_id"], ping.question["channel_id"])
        claimed = {}

        def apply(doc):
            if doc is None or doc["status"] != "open" or doc.get("next_step") != ping.step:
                return doc
            doc["steps"][ping.step] = {"at": utc_iso(now), "pinged": ping.people}
            doc["pinged"] += [p for p in ping.people if p not in doc["pinged"]]
            self._advance(group, doc, ping.step, now)
            claimed["ok"] = True
            return doc
        self.store.update(OPEN, ping.question["key"], apply)
        if claimed and ping.step != "owners":
            for user_id in ping.people:
                self.experts.record_ping(group.team_id, user_id, local_date(now, directory.person(group.team_id, user_id).timezone))
        return bool(claimed)

    def unclaim(self, ping: Ping, directory: Directory) -> None:
        """Posting failed: make the step due again at the next sweep, and take back its pings."""
        if ping.step != "owners":
            team, now = ping.question["team_id"], self.clock.now()
            for user_id in ping.people:
                self.experts.record_ping(team, user_id, local_date(now, directory.person(team, user_id).timezone), count=-1)

        def apply(doc):
            if doc is None or ping.step not in doc["steps"]:
                return doc
            del doc["steps"][ping.step]
            doc["pinged"] = [p for p in doc["pinged"] if p not in ping.people]
            doc.update(next_step=ping.step, next_due_at=utc_iso(self.clock.now()))
            return doc
        self.store.update(OPEN, ping.question["key"], apply)

    def next_expert(self, group: Group, ts: str, directory: Directory) -> Ping | None:
        """After a decline: one more expert, now, if someone is available."""
        doc = self.store.get(OPEN, question_key(group.team_id, group.channel_id, ts))
        if doc is None or doc["status"] != "open":
            return None
        exclude = {doc["asker"], *doc["pinged"], *doc["declined"]}
        now = self.clock.now()
        for match in self.experts.rank_for(group.team_id, group.channel_id, doc["text"], exclude):
            if not self._is_bot(directory, group.team_id, match.user_id) and self._may_ping(directory, group, match.user_id, now, True):
                return Ping(doc, "replacement", [match.user_id], [match])
        return None

    def claim_replacement(self, ping: Ping, directory: Directory) -> bool:
        claimed = {}

        def apply(doc):
            if doc is None or doc["status"] != "open" or ping.people[0] in doc["pinged"]:
                return doc
            doc["pinged"].append(ping.people[0])
            claimed["ok"] = True
            return doc
        self.store.update(OPEN, ping.question["key"], apply)
        if claimed:
            team = ping.question["team_id"]
            self.experts.record_ping(team, ping.people[0], local_date(self.clock.now(), directory.person(team, ping.people[0]).timezone))
        return bool(claimed)

    # --- nudges and housekeeping -------------------------------------------------------------
    def claim_due_nudges(self) -> list[dict]:
        """Answered-but-unresolved questions whose nudge is due, each claimed once."""
        now = self.clock.now()
        claimed = []
        for doc in self.store.find(OPEN, status="answered"):
            if doc.get("nudged_at") or parse_iso(doc["nudge_due_at"]) > now:
                continue

            def apply(current):
                if current is None or current.get("nudged_at"):
                    return current
                current["nudged_at"] = utc_iso(now)
                claimed.append(current)
                return current
            self.store.update(OPEN, doc["key"], apply)
        return claimed

    def archive_stale(self) -> int:
        """Questions with nothing left to do after 30 days leave the open table."""
        now = self.clock.now()
        moved = 0
        for doc in self.store.find(OPEN):
            if now - parse_iso(doc["asked_at"]) >= STALE_AFTER and (doc["status"] != "open" or not doc.get("next_step")):
                doc["status"] = "stale" if doc["status"] == "open" else doc["status"]
                self.store.put(archive_table(doc["ts"]), doc["key"], doc)
                self.store.delete(OPEN, doc["key"])
                moved += 1
        return moved


def spread_load(matches: list[Match], service: QuestionService, team_id: str, directory: Directory, now: datetime) -> list[Match]:
    """Equal candidates (scores within 10 %) are ordered by who was pinged least today."""
    def pings_today(match: Match) -> int:
        return service.experts.pings_on(team_id, match.user_id, local_date(now, directory.person(team_id, match.user_id).timezone))
    ordered: list[Match] = []
    index = 0
    while index < len(matches):
        tier = [m for m in matches[index:] if m.score >= matches[index].score * 0.9]
        ordered += sorted(tier, key=lambda m: (pings_today(m), -m.score, m.user_id))
        index += len(tier)
    return ordered
