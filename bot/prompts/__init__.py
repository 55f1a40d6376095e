"""Conversation starters: prompts the owners queue, posted when the channel has gone quiet.

Seed: "Owners queue prompts (`/community prompt add <text>`, `list`, `remove <n>`); at the prompt
time, if the channel has been quiet for `prompt_when_quiet`, the next prompt is posted; replies to
it count as participation. Prompt text is user text: defused and length-checked like every
template."

The week (`schedules/prompts.py`, the shared `weekly_sweep`): once per group and ISO week, at the
first sweep run from the group's `prompt_day` and `prompt_time` to the end of that local day (a
bot that was down at the time catches up the same day, and skips the week after that), the quiet
rule is checked once:
- the channel is quiet (nobody posted or replied there for `prompt_when_quiet`, or nobody ever
  did since the bot looks after it) and a prompt is queued: the first one is posted;
- otherwise the week is skipped, and the queue is left as it is.
A busy channel is not tried again later that day: the owners chose the time, quiet is measured in
hours to days (an hour at least), so a channel that was busy at the prompt time needs no starter
this week, and a retry would post at whatever hour the chatter stopped, late at night included.

Exactly once. The week's done-record is written first (`once_per_period`), so a restart never
decides twice. The prompt is then taken in the same atomic update that decides (`taken` names the
week), and its post is queued under `prompt:<team>:<channel>:<week>`. The post's delivery
follow-up (`TRACK_POSTED`) files it as posted, with its message id. A taken prompt whose post was
never delivered (the bot died between the decision and the outbox, or the post failed for good
and the owners were told) goes back to the head of the queue at the next week's decision: a
prompt is never lost and never posted twice.

Participation. A reply in a posted prompt's thread is recorded like any reply by the activity
record (the replier's weekly `replies`, their last activity, the channel's last message), and it
is counted in the prompt's own record with who replied, shown by `/community prompt list`. It
earns no recognition credit: recognition counts what helps, not what is said.

Tables:
- `prompts`: per group, the queue (`queue`: id, text, who added it, when), the next id, and the
  prompt `taken` for a week whose post is not delivered yet.
- `prompt_posts`: per delivered prompt (`<team>:<channel>:<message id>`): its text, week and time,
  and buffered reply counts (`replies`, and `from:<user>` per replier), counted once per event.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ..activity import ActivityService
from ..clock import Clock, utc_iso
from ..groups import Group, TooLong
from ..i18n import t
from ..messages import Message
from ..ports import Messenger, Post
from ..store import Store

TABLE = "prompts"
POSTS = "prompt_posts"
# A starter is a question or a short invitation: 500 characters is about 80 words, three or four
# sentences. It is posted whole in one message section (Slack takes 3,000) and stays readable in
# the owners' list of the whole queue.
MAX_PROMPT = 500
MAX_QUEUED = 20  # twenty weeks of starters: the group doc stays small, the list stays readable
TRACK_POSTED = "prompts.track_posted"  # outbox follow-up: the delivered prompt and its message id
ITEM_FIELDS = ("id", "text", "by", "at")


class QueueFull(ValueError):
    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


@dataclass(frozen=True)
class Posted:
    """A delivered prompt and the replies in its thread."""
    text: str
    posted_at: str
    replies: int
    repliers: tuple[str, ...]  # most replies first


class PromptService:
    def __init__(self, store: Store, clock: Clock, activity: ActivityService, messenger: Messenger):
        self.store = store
        self.clock = clock
        self.activity = activity
        self.messenger = messenger

    # --- the queue -----------------------------------------------------------------------------
    def add(self, group: Group, user_id: str, prompt: str) -> int:
        """Queue a prompt at the end; its position (1 is next). Raises ValueError (empty),
        TooLong or QueueFull."""
        prompt = prompt.strip()
        if not prompt:
            raise ValueError("empty prompt")
        if len(prompt) > MAX_PROMPT:
            raise TooLong(MAX_PROMPT)
        outcome = {}

        def append(doc):
            doc = doc or {"team_id": group.team_id, "channel_id": group.channel_id, "next_id": 1, "queue": [], "taken": None}
            if len(doc["queue"]) >= MAX_QUEUED:
                outcome["full"] = True
                return doc
            doc["queue"].append({"id": doc["next_id"], "text": prompt, "by": user_id, "at": utc_iso(self.clock.now())})
            doc["next_id"] += 1
            outcome["position"] = len(doc["queue"])
            return doc
        self.store.update(TABLE, group.key, append)
        if outcome.get("full"):
            raise QueueFull(MAX_QUEUED)
        return outcome["position"]

    def queue(self, group: Group) -> list[dict]:
        """Queued prompts, next first: {"id", "text", "by", "at"}."""
        return list((self.store.get(TABLE, group.key) or {}).get("queue", []))

    def taken(self, group: Group) -> dict | None:
        """The prompt taken for a week whose post is not delivered yet, if any."""
        return (self.store.get(TABLE, group.key) or {}).get("taken")

    def remove(self, group: Group, position: int) -> dict | None:
        """Take the prompt at `position` (1 is next) out of the queue; None if there is none."""
        removed = []

        def drop(doc):
            if doc is not None and 1 <= position <= len(doc["queue"]):
                removed.append(doc["queue"].pop(position - 1))
            return doc
        self.store.update(TABLE, group.key, drop)
        return removed[0] if removed else None

    # --- the week ------------------------------------------------------------------------------
    def is_quiet(self, group: Group) -> bool:
        """Nobody posted or replied in the group for `prompt_when_quiet` (or ever, that we saw)."""
        last = self.activity.channel_last_message(group)
        return last is None or self.clock.now() - last >= timedelta(seconds=group.config["prompt_when_quiet"])

    def post_week(self, group: Group, week: str) -> bool:
        """The week's decision (run once per group and week by the sweep): post the next prompt if
        the channel is quiet. False when nothing is posted (busy, or nothing queued)."""
        taken = self._take(group, week, self.is_quiet(group))
        if taken is None:
            return False
        self.messenger.send(Post(key=f"prompt:{group.key}:{week}", team_id=group.team_id, channel_id=group.channel_id,
                                 message=self.message(group, taken["text"]), group=group.key, then=TRACK_POSTED,
                                 then_args={"week": week, **{name: taken[name] for name in ITEM_FIELDS}}))
        return True

    def _take(self, group: Group, week: str, quiet: bool) -> dict | None:
        """Decide and take in one atomic update: the prompt now taken for `week`, or None."""
        chosen = []

        def decide(doc):
            if doc is None:
                return None
            taken = doc.get("taken")
            if taken and taken["week"] == week:  # already decided for this week: the same prompt, the same key
                chosen.append(taken)
                return doc
            if taken:  # an earlier week's post was never delivered: that prompt is next again
                doc["queue"].insert(0, {name: taken[name] for name in ITEM_FIELDS})
                doc["taken"] = None
            if quiet and doc["queue"]:
                doc["taken"] = {**doc["queue"].pop(0), "week": week, "taken_at": utc_iso(self.clock.now())}
                chosen.append(doc["taken"])
            return doc
        self.store.update(TABLE, group.key, decide)
        return chosen[0] if chosen else None

    def message(self, group: Group, prompt: str) -> Message:
        """The post: the owners' text as a plain part (shown as written, never markup)."""
        return Message.of(t(group.locale, "prompts.post", text=prompt), notes=[t(group.locale, "prompts.post_note")])

    def track_posted(self, post: Post, message_id: str) -> None:
        """The delivery follow-up: the prompt leaves for good, and its thread is watched for replies."""
        key, args = post.group or f"{post.team_id}:{post.channel_id}", post.then_args

        def settle(doc):
            if doc is None:
                return None
            if doc.get("taken") and doc["taken"]["id"] == args["id"]:
                doc["taken"] = None
            doc["queue"] = [item for item in doc["queue"] if item["id"] != args["id"]]  # delivered after going back
            return doc
        self.store.update(TABLE, key, settle)
        self.store.insert_if_absent(POSTS, f"{key}:{message_id}", {
            "team_id": post.team_id, "channel_id": post.channel_id, "message_id": message_id, "id": args["id"],
            "text": args["text"], "by": args["by"], "week": args["week"], "posted_at": utc_iso(self.clock.now())})

    # --- participation -------------------------------------------------------------------------
    def replied(self, group: Group, thread_id: str, user_id: str, event_id: str) -> bool:
        """A reply in a thread: counted when the thread is a posted prompt's (once per event)."""
        key = f"{group.key}:{thread_id}"
        if self.store.get(POSTS, key) is None:
            return False
        return self.store.accumulate(POSTS, key, add={"replies": 1, f"from:{user_id}": 1}, once=f"{event_id}:prompt-reply")

    def posted(self, group: Group, limit: int = 5) -> list[Posted]:
        """The latest delivered prompts, newest first, with their replies."""
        docs = sorted(self.store.find(POSTS, team_id=group.team_id, channel_id=group.channel_id),
                      key=lambda doc: doc["posted_at"], reverse=True)[:limit]
        found = []
        for doc in docs:
            repliers = sorted((k[5:] for k, v in doc.items() if k.startswith("from:") and v > 0), key=lambda u: (-doc[f"from:{u}"], u))
            found.append(Posted(doc["text"], doc["posted_at"], int(doc.get("replies", 0)), tuple(repliers)))
        return found
