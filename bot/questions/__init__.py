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
hours or beyond the daily cap; a step with nobody to ask passes to the next at once. Only good
matches are asked (`experts.Match.strong`): when nobody matches well, no expert is pinged and the
owners are told so, with the question's key words.
Every message also teaches its author's vocabulary in the group (`experts.heard`): replies weigh
more than other messages, the reply that resolved a question more still, questions nothing.
Open questions live in one small table, so per-message work never grows with history.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..activity import ActivityService
from ..clock import Clock, parse_iso, utc_iso
from ..groups import Group, GroupService
from ..i18n import t, tp
from ..messages import Button, Mention, Message, join, people, text
from ..ports import Directory, Messenger, PlatformError, Post
from ..store import Store
from ..worktime import add_working_time, is_working, local_date
from .detection import looks_like_question, question_summary
from .experts import ExpertService, Match
from .vocabulary import ANSWER, MESSAGE, REPLY

OPEN = "open_questions"
LADDER = ("experts", "more_experts", "owners")
WAIT_BEFORE = {"experts": "first_wait", "more_experts": "second_wait", "owners": "owners_wait"}
EXPERTS_PER_STEP = 2
STALE_AFTER = timedelta(days=30)
REPLY_TEXTS_KEPT = 20  # replies kept per question (600 characters each) to learn from the answer
KEY_WORDS = 5
ARCHIVE_MONTHS_LOOKED_AT = 3  # a question closed earlier than that is no longer looked up by id
MARK_ANSWERED = "question_mark_answered"  # button action ids (neutral: every adapter routes them)
NOT_MY_TOPIC = "question_not_my_topic"
TRACK_ASKED = "questions.track_asked"  # outbox follow-up: track what `/community ask` posted


def question_key(team_id: str, channel_id: str, ts: str) -> str:
    return f"{team_id}:{channel_id}:{ts}"


def archive_table(asked_at: datetime) -> str:
    """Closed questions are kept by the month they were asked (core time, not a platform id)."""
    return f"questions.{asked_at:%Y-%m}"


@dataclass
class Ping:
    """One step of the ladder, ready to post in the question's thread."""
    question: dict
    step: str  # "experts", "more_experts", "owners" or "replacement"
    people: list[str]
    matches: list[Match]
    key_words: list[str] = field(default_factory=list)  # owners asked because nobody matched well


class QuestionService:
    def __init__(self, store: Store, clock: Clock, groups: GroupService, experts: ExpertService,
                 directory: Directory, messenger: Messenger, activity: ActivityService | None = None):
        self.store = store
        self.clock = clock
        self.groups = groups
        self.experts = experts
        self.directory = directory
        self.messenger = messenger
        self.activity = activity
        self.resolved_listeners: list = []  # told (group, question) once a question is resolved (bot.audience)

    # --- messages people post ----------------------------------------------------------------
    def on_message(self, group: Group, user_id: str, message_id: str, thread_id: str | None, text_: str) -> str:
        """Track questions and replies to them; the kind of activity this message was
        ("questions", "replies" or "messages"). The adapter hands plain text."""
        once = f"vocabulary:{group.key}:{message_id}"  # a replayed or redelivered message teaches once
        if thread_id and thread_id != message_id:
            if not self._reply(group, thread_id, message_id, user_id, text_).get("asker"):
                self.experts.heard(group.team_id, group.channel_id, user_id, text_, REPLY, once)
            return "replies"
        if group.config["question_routing"] and looks_like_question(text_):
            self.ask(group, user_id, message_id, text_)
            return "questions"
        self.experts.heard(group.team_id, group.channel_id, user_id, text_, MESSAGE, once)
        return "messages"

    def ask(self, group: Group, asker: str, ts: str, text_: str) -> dict | None:
        """Track a new question; None if this message is already tracked (a replayed event)."""
        now = self.clock.now()
        doc = {
            "key": question_key(group.team_id, group.channel_id, ts), "team_id": group.team_id,
            "channel_id": group.channel_id, "ts": ts, "asker": asker, "text": text_[:2000],
            "summary": question_summary(text_), "asked_at": utc_iso(now), "status": "open",
            "next_step": "experts", "next_due_at": utc_iso(self._after_wait(group, now, group.config["first_wait"])),
            "steps": {}, "pinged": [], "declined": [], "replies": {},
        }
        existing = self.get(group.team_id, group.channel_id, ts)
        if existing is not None:
            self._record(group, existing)  # a replayed event: the day's record holds it again
            return None
        if not self.store.insert_if_absent(OPEN, doc["key"], doc):
            return None
        self._record(group, doc)
        return doc

    def ask_for(self, group: Group, asker: str, text_: str, invocation_id: str) -> None:
        """`/community ask`: post the question for them; it is tracked once delivered."""
        message = Message.of(t(group.locale, "question.asks", asker=Mention(asker), text=text_))
        self.messenger.send(Post(key=f"ask:{group.key}:{invocation_id}", team_id=group.team_id, channel_id=group.channel_id,
                                 message=message, group=group.key, then=TRACK_ASKED,
                                 then_args={"asker": asker, "text": text_}))

    def track_asked(self, post: Post, message_id: str) -> None:
        group = self.groups.get(post.team_id, post.channel_id)
        if group is not None:
            self.ask(group, post.then_args["asker"], message_id, post.then_args["text"])

    def get(self, team_id: str, channel_id: str, ts: str) -> dict | None:
        key = question_key(team_id, channel_id, ts)
        found = self.store.get(OPEN, key)
        month = self.clock.now().replace(day=1)
        for _ in range(ARCHIVE_MONTHS_LOOKED_AT):
            if found is not None:
                return found
            found = self.store.get(archive_table(month), key)
            month = (month - timedelta(days=1)).replace(day=1)
        return found

    def is_tracked(self, team_id: str, channel_id: str, ts: str) -> bool:
        return self.store.get(OPEN, question_key(team_id, channel_id, ts)) is not None

    def thread_reply(self, group: Group, thread_ts: str, reply_ts: str, user_id: str, text_: str = "") -> str | None:
        """A reply in a question's thread. 'answered' when it is the first from someone else."""
        return self._reply(group, thread_ts, reply_ts, user_id, text_).get("result")

    def _reply(self, group: Group, thread_ts: str, reply_ts: str, user_id: str, text_: str) -> dict:
        """`thread_reply`'s outcome: "result", and "asker" when the asker wrote it."""
        outcome = {}

        def apply(doc):
            if doc is None or user_id == doc["asker"]:
                outcome["asker"] = doc is not None
                return doc
            doc["replies"][reply_ts] = user_id
            texts = doc.setdefault("reply_texts", {})
            if text_ and len(texts) < REPLY_TEXTS_KEPT:
                texts[reply_ts] = text_[:600]  # what the answer said, if this reply resolves it
            if doc["status"] == "open":
                now = self.clock.now()
                doc.update(status="answered", first_replier=user_id, first_reply_at=utc_iso(now), next_step=None,
                           answer_seconds=int((now - parse_iso(doc["asked_at"])).total_seconds()),
                           nudge_due_at=utc_iso(now + timedelta(seconds=group.config["resolve_nudge"])))
                outcome["result"] = "answered"
            return doc
        doc = self.store.update(OPEN, question_key(group.team_id, group.channel_id, thread_ts), apply)
        if doc is not None and user_id != doc["asker"]:
            self._record(group, doc)
        return outcome

    def question_of_reply(self, team_id: str, channel_id: str, reply_ts: str) -> dict | None:
        for doc in self.store.find(OPEN, team_id=team_id, channel_id=channel_id):
            if reply_ts in doc["replies"]:
                return doc
        return None

    # --- resolving -------------------------------------------------------------------------
    def resolve(self, group: Group, ts: str, by_user: str, answerer: str | None = None, answer_ts: str | None = None) -> str:
        """'resolved', 'not_allowed' (only the asker or an owner), 'already' or 'unknown'.
        `answer_ts` is the reply marked as the answer, when one was."""
        key = question_key(group.team_id, group.channel_id, ts)
        doc = self.store.get(OPEN, key)
        if doc is None:
            closed = self.get(group.team_id, group.channel_id, ts)
            if closed is not None:
                self._record(group, closed)  # a replayed resolution: its day's record holds it again
            return "already" if closed else "unknown"
        if by_user != doc["asker"] and not self.groups.may_own(group, by_user):
            return "not_allowed"
        answerer = answerer or doc.get("first_replier")
        if answerer == doc["asker"]:
            answerer = doc.get("first_replier")
        doc.update(status="resolved", resolved_by=by_user, resolved_at=utc_iso(self.clock.now()), answerer=answerer, next_step=None)
        texts = doc.pop("reply_texts", {})  # replies are not archived: they only served to learn from the answer
        self.store.put(archive_table(parse_iso(doc["asked_at"])), key, doc)  # archive first: a crash leaves a duplicate, never a loss
        self.store.delete(OPEN, key)
        self._record(group, doc)
        if answerer:
            self.experts.learn(group.team_id, answerer, doc["text"])
            answer = texts.get(answer_ts) if answer_ts in texts else \
                "\n".join(text_ for reply, text_ in texts.items() if doc["replies"].get(reply) == answerer)
            self.experts.heard(group.team_id, group.channel_id, answerer, answer, ANSWER, f"vocabulary-answer:{key}")  # ids are store-wide: not "answer:…" (activity)
            if self.activity is not None:
                self.activity.answered(group, answerer, self.experts.topic_words(doc["text"]), key)
        for listener in self.resolved_listeners:
            listener(group, doc)
        return "resolved"

    def mark_answered(self, group: Group, ts: str, by_user: str, answerer: str | None = None, answer_ts: str | None = None) -> str:
        """The button or the shortcut: resolve, and thank in the thread (once per question)."""
        outcome = self.resolve(group, ts, by_user, answerer, answer_ts)
        if outcome == "resolved":
            thanks = t(group.locale, "answer.marked", user=Mention(answerer)) if answerer else \
                t(group.locale, "question.marked_answered", user=Mention(by_user))
            self._post_in_thread(group, ts, f"resolved:{group.key}:{ts}", Message.of(thanks))
        return outcome

    def reacted(self, group: Group, message_id: str, user_id: str, reaction: str) -> None:
        """A reaction on a message. Only the asker's ✅ ("check") resolves: on the question, or on
        a reply (whose author then gave the answer)."""
        if reaction != "check":
            return
        question = self.get(group.team_id, group.channel_id, message_id)
        answerer = answer_ts = None
        if question is None:
            question = self.question_of_reply(group.team_id, group.channel_id, message_id)
            answerer = question["replies"].get(message_id) if question else None
            answer_ts = message_id
        if question is None or question["status"] not in ("open", "answered") or user_id != question["asker"]:
            return
        if self.resolve(group, question["ts"], user_id, answerer=answerer, answer_ts=answer_ts) == "resolved":
            self._post_in_thread(group, question["ts"], f"resolved:{group.key}:{question['ts']}",
                                 Message.of(t(group.locale, "question.marked_answered", user=Mention(user_id))))

    def _record(self, group: Group, doc: dict) -> None:
        """The question's state in the per-day record the numbers are read from (`bot.activity.daily`)."""
        if self.activity is not None:
            self.activity.daily.question(group, doc)

    # --- privacy ---------------------------------------------------------------------------
    def forget(self, team_id: str, user_id: str, channel_ids: list[str]) -> int:
        """`/community expertise forget`: what was learned about a member goes, and so do their
        replies kept to learn from a future answer; how many words were forgotten."""
        def drop_texts(doc):
            if doc is None:
                return None
            doc["reply_texts"] = {ts: text_ for ts, text_ in doc.get("reply_texts", {}).items() if doc["replies"].get(ts) != user_id}
            return doc
        for doc in self.store.find(OPEN, team_id=team_id):
            if any(doc["replies"].get(ts) == user_id for ts in doc.get("reply_texts", {})):
                self.store.update(OPEN, doc["key"], drop_texts)
        return self.experts.forget(team_id, user_id, channel_ids)

    # --- "Not my topic" ----------------------------------------------------------------------
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
            self.experts.decline(group.team_id, expert, doc["text"], group.channel_id)
        return outcome["result"]

    def pass_on(self, group: Group, ts: str, expert: str) -> str:
        """An expert pressed "Not my topic": record it, ask the next available expert now, and say
        so in the thread. The outcome of `decline`."""
        outcome = self.decline(group, ts, expert)
        if outcome != "declined":
            return outcome
        lead = t(group.locale, "question.declined", user=Mention(expert))
        replacement = self.next_expert(group, ts)
        key = f"declined:{group.key}:{ts}:{expert}"
        if replacement is not None and self.claim_replacement(replacement):
            self._post_in_thread(group, ts, key, ping_message(group, replacement, self.clock.now(), lead))
        else:
            self._post_in_thread(group, ts, key, Message.of(lead))
        return outcome

    def next_expert(self, group: Group, ts: str) -> Ping | None:
        """After a decline: one more expert, now, if someone is available."""
        doc = self.store.get(OPEN, question_key(group.team_id, group.channel_id, ts))
        if doc is None or doc["status"] != "open":
            return None
        exclude = {doc["asker"], *doc["pinged"], *doc["declined"]}
        now = self.clock.now()
        for match in self.experts.rank_for(group.team_id, group.channel_id, doc["text"], exclude):
            if match.strong and not self._is_bot(group.team_id, match.user_id) and self._may_ping(group, match.user_id, now, True):
                return Ping(doc, "replacement", [match.user_id], [match])
        return None

    def claim_replacement(self, ping: Ping) -> bool:
        claimed = {}

        def apply(doc):
            if doc is None or doc["status"] != "open" or ping.people[0] in doc["pinged"]:
                return doc
            doc["pinged"].append(ping.people[0])
            claimed["ok"] = True
            return doc
        self.store.update(OPEN, ping.question["key"], apply)
        if claimed:
            self._count_pings(ping.question["team_id"], ping.people)
        return bool(claimed)

    def open_questions(self, team_id: str, channel_id: str, asker: str | None = None) -> list[dict]:
        docs = self.store.find(OPEN, team_id=team_id, channel_id=channel_id)
        return sorted((d for d in docs if asker is None or d["asker"] == asker), key=lambda d: d["asked_at"])

    # --- the ladder --------------------------------------------------------------------------
    def escalate_due(self) -> list[Ping]:
        """Run every ladder step due now: plan, claim, then queue its post; the pings queued.

        One question at a time, so each claim (and its ping count) is seen by the next plan: the
        daily cap and the load spreading hold within a sweep. A step with nobody to ask passes on
        to the next at once. The claim is recorded before the post is queued, and the post's key
        names the step, so a crash in between posts it at most once.
        """
        now = self.clock.now()
        queued = []
        for doc in self.store.find(OPEN, status="open"):
            if not doc.get("next_step") or parse_iso(doc["next_due_at"]) > now:
                continue
            group = self.groups.get(doc["team_id"], doc["channel_id"])
            if group is None or not group.config["question_routing"]:
                continue
            for _ in LADDER:
                ping, passed = self._plan(group, doc, doc["next_step"], now)
                if ping is not None and self.claim(ping):
                    self._post_in_thread(group, doc["ts"], f"ladder:{doc['key']}:{ping.step}", ping_message(group, ping, now))
                    queued.append(ping)
                if not passed:
                    break
                doc = self.store.get(OPEN, doc["key"])
                if not doc or not doc.get("next_step"):
                    break
        return queued

    def _plan(self, group: Group, doc: dict, step: str, now: datetime) -> tuple[Ping | None, bool]:
        """The ping for this step if someone is available; the flag says the step was passed."""
        if step == "owners":
            candidates = [Match(owner, 0.0, [], False) for owner in group.owners if owner != doc["asker"]]
        else:
            exclude = {doc["asker"], *doc["pinged"], *doc["declined"]}
            candidates = self.experts.rank_for(group.team_id, group.channel_id, doc["text"], exclude)
            # Weak matches are never pinged: when nobody matches well the owners hear it instead.
            candidates = [m for m in candidates if m.strong and not self._is_bot(group.team_id, m.user_id)]
        if not candidates:
            self._pass_step(group, doc, step, now)
            return None, True
        available = [m for m in candidates if self._may_ping(group, m.user_id, now, step != "owners")]
        if not available:
            return None, False  # someone could answer but is off duty or capped: the step waits
        chosen = available if step == "owners" else spread_load(available, self, group.team_id, now)[:EXPERTS_PER_STEP]
        if step != "owners" and len(chosen) == 2 and chosen[1].score < chosen[0].score / 2:
            chosen = chosen[:1]  # a much weaker second match would only be noise
        key_words = []
        if step == "owners" and not doc["pinged"]:  # no expert was asked: say why, with what it is about
            key_words = self.experts.key_words(group.team_id, group.channel_id, doc["text"], KEY_WORDS)
        return Ping(doc, step, [m.user_id for m in chosen], chosen, key_words), False

    def _is_bot(self, team_id: str, user_id: str) -> bool:
        try:
            person = self.directory.person(team_id, user_id)
        except PlatformError:
            return True  # an unknown or deleted user is not someone to ping
        return person.is_bot or person.deleted

    def _timezone(self, team_id: str, user_id: str) -> str:
        return self.directory.person(team_id, user_id).timezone

    def _may_ping(self, group: Group, user_id: str, now: datetime, capped: bool) -> bool:
        config = group.config
        tz = self._timezone(group.team_id, user_id)
        if not is_working(now, tz, config["working_hours"], config["working_days"]):
            return False
        return not capped or self.experts.pings_on(group.team_id, user_id, local_date(now, tz)) < config["expert_daily_cap"]

    def _after_wait(self, group: Group, start: datetime, seconds: int) -> datetime:
        config = group.config
        return add_working_time(start, seconds, config["timezone"], config["working_hours"], config["working_days"])

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

    def claim(self, ping: Ping) -> bool:
        """Record the step as done before posting (at most once); False if it was done meanwhile."""
        now = self.clock.now()
        group = self.groups.get(ping.question["team_id"], ping.question["channel_id"])
        claimed = {}

        def apply(doc):
            if doc is None or doc["status"] != "open" or doc.get("next_step") != ping.step:
                return doc
            doc["steps"][ping.step] = {"at": utc_iso(now), "pinged": ping.people}
            doc["pinged"] += [p for p in ping.people if p not in doc["pinged"]]
            following = LADDER[LADDER.index(ping.step) + 1] if ping.step != LADDER[-1] else None
            doc["next_step"] = following
            if following:
                doc["next_due_at"] = utc_iso(self._after_wait(group, now, group.config[WAIT_BEFORE[following]]))
            claimed["ok"] = True
            return doc
        self.store.update(OPEN, ping.question["key"], apply)
        if claimed and ping.step != "owners":
            self._count_pings(group.team_id, ping.people)
        return bool(claimed)

    def _count_pings(self, team_id: str, user_ids: list[str]) -> None:
        now = self.clock.now()
        for user_id in user_ids:
            self.experts.record_ping(team_id, user_id, local_date(now, self._timezone(team_id, user_id)))

    # --- nudges and housekeeping -------------------------------------------------------------
    def nudge_due(self) -> int:
        """Ask the asker once whether a reply answered them; how many nudges were queued."""
        now = self.clock.now()
        queued = 0
        for doc in self.store.find(OPEN, status="answered"):
            if doc.get("nudged_at") or parse_iso(doc["nudge_due_at"]) > now:
                continue
            group = self.groups.get(doc["team_id"], doc["channel_id"])
            if group is None:
                continue
            self._post_in_thread(group, doc["ts"], f"nudge:{doc['key']}",
                                 Message.of(t(group.locale, "question.nudge", asker=Mention(doc["asker"]))))
            self.store.update(OPEN, doc["key"], lambda current: current and {**current, "nudged_at": utc_iso(now)})
            queued += 1
        return queued

    def archive_stale(self) -> int:
        """Questions with nothing left to do after 30 days leave the open table."""
        now = self.clock.now()
        moved = 0
        for doc in self.store.find(OPEN):
            if now - parse_iso(doc["asked_at"]) >= STALE_AFTER and (doc["status"] != "open" or not doc.get("next_step")):
                doc["status"] = "stale" if doc["status"] == "open" else doc["status"]
                self.store.put(archive_table(parse_iso(doc["asked_at"])), doc["key"], doc)
                self.store.delete(OPEN, doc["key"])
                moved += 1
        return moved

    def _post_in_thread(self, group: Group, ts: str, key: str, message: Message) -> None:
        self.messenger.send(Post(key=key, team_id=group.team_id, channel_id=group.channel_id, thread=ts,
                                 message=message, group=group.key))


def ping_message(group: Group, ping: Ping, now: datetime, lead=None) -> Message:
    """The thread message that brings people in, with its buttons."""
    locale, doc = group.locale, ping.question
    if ping.step == "owners":
        age = humanize_age(locale, (now - parse_iso(doc["asked_at"])).total_seconds())
        if ping.key_words:
            body = t(locale, "question.escalate_owners_no_match", mentions=people(ping.people), asker=Mention(doc["asker"]),
                     age=age, words=", ".join(ping.key_words))
        else:
            body = t(locale, "question.escalate_owners", mentions=people(ping.people), asker=Mention(doc["asker"]), age=age)
    else:
        reasons = [reason(locale, m) for m in ping.matches]
        body = t(locale, "question.escalate", mentions=people(ping.people), asker=Mention(doc["asker"]), reasons=join(reasons, "\n"))
    buttons = [Button(tp(locale, "question.mark_answered"), MARK_ANSWERED, doc["ts"], primary=True)]
    if ping.step != "owners":
        buttons.append(Button(tp(locale, "question.not_my_topic"), NOT_MY_TOPIC, doc["ts"]))
    return Message.of(text(lead, "\n", body) if lead else body, buttons=buttons)


def reason(locale: str, match: Match):
    """Why this person was asked: their topics (and the alias that led there), the questions they
    resolved, or the words they often use in the group."""
    user = Mention(match.user_id)
    if match.source == "vocabulary":
        return t(locale, "question.escalate_reason_vocabulary", user=user, words=words_and(locale, match.topics))
    if match.source == "answers":
        return t(locale, "question.escalate_reason_learned", user=user, topics=", ".join(match.topics))
    topics = [t(locale, "question.topic_alias", topic=topic, alias=match.aliases[topic]) if topic in match.aliases else topic
              for topic in match.topics]
    return t(locale, "question.escalate_reason", user=user, topics=join(topics))


def words_and(locale: str, words: list[str]):
    """'kubectl', 'kubectl and helm', 'kubectl, helm and pod'."""
    if len(words) < 2:
        return "".join(words)
    return t(locale, "question.words_and", words=", ".join(words[:-1]), last=words[-1])


def humanize_age(locale: str, seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return tp(locale, "age.minutes", n=str(max(minutes, 1)))
    hours = minutes // 60
    if hours < 48:
        return tp(locale, "age.hours", n=str(hours))
    return tp(locale, "age.days", n=str(hours // 24))


def spread_load(matches: list[Match], service: QuestionService, team_id: str, now: datetime) -> list[Match]:
    """Equal candidates (scores within 10 %) are ordered by who was pinged least today."""
    def pings_today(match: Match) -> int:
        return service.experts.pings_on(team_id, match.user_id, local_date(now, service._timezone(team_id, match.user_id)))
    ordered: list[Match] = []
    index = 0
    while index < len(matches):
        tier = [m for m in matches[index:] if m.score >= matches[index].score * 0.9]
        ordered += sorted(tier, key=lambda m: (pings_today(m), -m.score, m.user_id))
        index += len(tier)
    return ordered
