"""Unanswered questions reach the right experts, end to end over signed HTTP and the emulator.

The clock starts on Monday 2026-11-23 09:00 UTC (10:00 in Paris, the group's time zone).
UALICE (Paris) knows Kubernetes, UBOB (London) knows Python packaging, UCAROL (Tokyo) knows
Kubernetes too but it is evening there.
"""
import time

import pytest

from handlers.emulator import decode_json_args, reaction_added_event

K8S_QUESTION = "How do I roll back a Kubernetes deployment on staging?"


@pytest.fixture
def routed(group):
    group.run("UALICE", "expertise add kubernetes, deployment")
    group.run("UBOB", "expertise add python packaging, pip")
    group.run("UCAROL", "expertise add kubernetes")
    return group


def thread_posts(ws, ts):
    return [p for p in ws.posts("C1") if p.get("thread_ts") == ts]


def buttons(post):
    return [e["action_id"] for b in decode_json_args(post)["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_an_unanswered_question_brings_in_the_matching_expert_after_first_wait(routed):
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.advance(minutes=29)
    assert thread_posts(routed, ts) == []
    routed.advance(minutes=1)
    [ping] = routed.slack.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts)
    assert ping["channel"] == "C1"
    assert ping["text"].startswith("<@UALICE> — could you help <@UDAN> with this question?")
    assert "<@UALICE>: you know about kubernetes, deployment" in ping["text"]
    assert "UCAROL" not in ping["text"]  # 18:30 in Tokyo: not pinged outside her working hours
    assert "UBOB" not in ping["text"]  # packaging has nothing to do with it
    assert buttons(ping) == ["question_mark_answered", "question_not_my_topic"]


def test_the_ladder_goes_on_to_more_experts_then_the_owners_and_each_step_happens_once(routed):
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.advance(minutes=30)
    routed.advance(hours=2)  # second_wait: UCAROL is still off duty (Tokyo night), so the step waits
    assert len(thread_posts(routed, ts)) == 1
    routed.advance(hours=21)  # Tuesday 10:30 Tokyo time... and 01:30 UTC: Carol is at work
    second = thread_posts(routed, ts)[1]
    assert second["text"].startswith("<@UCAROL> — could you help <@UDAN>")
    routed.advance(hours=8)  # owners_wait of working time in Paris (Tuesday 09:30 UTC is inside)
    routed.advance(hours=4)
    owners = thread_posts(routed, ts)[2]
    assert owners["text"].startswith("<@UOWNER> — this question from <@UDAN> is still waiting for an answer")
    routed.advance(days=2)
    assert len(thread_posts(routed, ts)) == 3  # nothing more, ever


def test_with_no_matching_expert_the_owners_are_asked_after_first_wait(group):
    ts = group.say("UALICE", "Does anyone know where the holiday calendar lives?")
    group.advance(minutes=30)
    [post] = thread_posts(group, ts)
    assert post["text"].startswith("<@UOWNER> — this question from <@UALICE> is still waiting")
    assert buttons(post) == ["question_mark_answered"]


def test_a_reply_stops_the_ladder_and_a_check_mark_resolves(routed):
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.say("UDAN", "Forgot to say: it's the payments service", thread_ts=ts)  # the asker: not an answer
    reply_ts = routed.say("UBOB", "kubectl rollout undo deployment/payments", thread_ts=ts)
    routed.advance(hours=5)
    assert thread_posts(routed, ts) == []
    question = routed.core.questions.get("T1", "C1", ts)
    assert question["status"] == "answered" and question["first_replier"] == "UBOB"
    routed.sender.event(reaction_added_event("UDAN", "white_check_mark", "C1", reply_ts, item_user="UBOB"))
    [thanks] = routed.slack.wait_for("chat.postMessage", where=lambda p: p.get("thread_ts") == ts)
    assert thanks["text"] == "Marked as answered by <@UDAN>. Thanks!"
    resolved = routed.core.questions.get("T1", "C1", ts)
    assert resolved["status"] == "resolved" and resolved["answerer"] == "UBOB"
    assert routed.core.questions.open_questions("T1", "C1") == []


def test_a_check_mark_from_someone_else_resolves_nothing(routed):
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.sender.event(reaction_added_event("UBOB", "white_check_mark", "C1", ts))
    routed.settle()
    assert routed.core.questions.get("T1", "C1", ts)["status"] == "open"


def test_an_answered_but_unresolved_question_gets_one_gentle_nudge(routed):
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.say("UALICE", "Use kubectl rollout undo", thread_ts=ts)
    routed.advance(days=1)
    assert thread_posts(routed, ts) == []
    routed.advance(days=1)
    routed.advance(days=3)
    [nudge] = thread_posts(routed, ts)
    assert nudge["text"].startswith("<@UDAN>, did one of the replies answer your question?")


def test_a_restart_in_the_middle_keeps_state_and_never_pings_twice(routed):
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.advance(minutes=30)
    assert len(thread_posts(routed, ts)) == 1
    routed.restart()
    routed.settle()
    routed.restart()
    routed.advance(minutes=30)
    assert len(thread_posts(routed, ts)) == 1
    routed.advance(hours=21)  # Tuesday 07:00 UTC, 16:00 in Tokyo: the next step comes, once
    assert len(thread_posts(routed, ts)) == 2


def test_a_retried_question_event_is_one_question(routed):
    from handlers.emulator import message_event
    event = message_event("C1", "UDAN", "Why is the build red again?", ts="1764000000.000100")
    routed.sender.event(event, event_id="EvQ2")
    routed.sender.event(event, event_id="EvQ2", retry_num=1)
    routed.sender.event(event, event_id="EvQ3-redelivered-with-new-id")  # same message, even under a new id
    routed.settle()
    asks = [q for q in routed.core.questions.open_questions("T1", "C1") if q["ts"] == "1764000000.000100"]
    assert len(asks) == 1


def test_mark_answered_button_is_for_the_asker_or_an_owner(routed):
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.advance(minutes=30)
    assert routed.click("question_mark_answered", ts, user="UBOB") == "Only the asker or a group owner can mark this question answered."
    assert routed.click("question_mark_answered", ts, user="UOWNER") is None
    routed.slack.wait_for("chat.postMessage", where=lambda p: p["text"].startswith("Marked as answered by <@UOWNER>"))
    assert routed.core.questions.get("T1", "C1", ts)["status"] == "resolved"


def test_not_my_topic_passes_to_the_next_candidate_and_lowers_the_weight(routed):
    routed.run("UOWNER", "experts add <@UBOB|bob> kubernetes")
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.advance(minutes=30)
    first = thread_posts(routed, ts)[0]
    assert "<@UALICE>" in first["text"]
    score = lambda: {m.user_id: m.score for m in routed.core.experts.rank_for("T1", "C1", K8S_QUESTION, exclude=set())}["UALICE"]
    before = score()
    assert routed.click("question_not_my_topic", ts, user="UALICE") is None
    handover = routed.slack.wait_for("chat.postMessage", where=lambda p: p["text"].startswith("<@UALICE> passed"))[0]
    assert "<@UBOB> — could you help <@UDAN>" in handover["text"]
    assert score() < before * 0.75
    assert routed.click("question_not_my_topic", ts, user="UDAN") == "Only the experts asked about this question can pass on it."


def test_mark_as_answer_shortcut_teaches_the_registry_who_knows(routed):
    ts = routed.say("UDAN", "Why does the invoice export time out for large customers?")
    reply_ts = routed.say("UBOB", "Use the async export endpoint", thread_ts=ts)
    routed.sender.message_shortcut("mark_as_answer", user_id="UDAN", channel_id="C1",
                                   message={"type": "message", "user": "UBOB", "ts": reply_ts, "thread_ts": ts, "text": "Use the async export endpoint"})
    routed.slack.wait_for("chat.postMessage", where=lambda p: p["text"] == "Marked <@UBOB>'s reply as the answer. Thanks!")
    # The next similar question goes to Bob, who never declared the topic.
    ts2 = routed.say("UALICE", "Anyone know why the invoice export times out?")
    routed.advance(minutes=30)
    [ping] = thread_posts(routed, ts2)
    assert ping["text"].startswith("<@UBOB> — could you help <@UALICE>")
    assert "<@UBOB>: you answered similar questions about" in ping["text"] and "invoice" in ping["text"]


def test_the_daily_cap_spares_an_expert_who_was_asked_enough_today(routed):
    routed.run("UOWNER", "config expert_daily_cap 1")
    first = routed.say("UDAN", K8S_QUESTION)
    routed.advance(minutes=30)
    second = routed.say("UBOB", "How do I scale a Kubernetes deployment?")
    routed.advance(minutes=30)
    assert "<@UALICE>" in thread_posts(routed, first)[0]["text"]
    assert thread_posts(routed, second) == []  # Alice is capped, Carol is off duty: the step waits


def test_ask_command_posts_the_question_and_tracks_it(routed):
    reply = routed.run("UDAN", "ask kubernetes rollback <!channel> help")
    assert reply == "Question posted. I'll bring in experts if nobody answers."
    routed.settle()  # the post's delivery follow-up (tracking the question) runs after Slack answered
    [posted] = routed.posts("C1")
    assert posted["text"].startswith("<@UDAN> asks: kubernetes rollback") and "<!channel>" not in posted["text"]
    # Tracked once Slack has taken the post, just after the emulator records it (and the delivery
    # worker's idle flag can be set a moment early: see Delivery._run), so wait for it.
    deadline = time.monotonic() + 5
    while not routed.core.questions.open_questions("T1", "C1") and time.monotonic() < deadline:
        time.sleep(0.01)
    [question] = routed.core.questions.open_questions("T1", "C1")
    assert question["asker"] == "UDAN"


def test_unanswered_lists_all_for_owners_and_own_for_members(routed):
    routed.say("UDAN", K8S_QUESTION)
    routed.say("UBOB", "Which pip resolver do we use in CI?")
    routed.advance(minutes=45)
    owner_view = routed.run("UOWNER", "unanswered")
    assert owner_view.startswith("Open questions (2):")
    assert "How do I roll back a Kubernetes deployment on staging?" in owner_view and "experts asked" in owner_view
    member_view = routed.run("UBOB", "unanswered")
    assert member_view.startswith("Open questions (1):") and "pip resolver" in member_view
    assert routed.run("UALICE", "unanswered") == "No open questions. 🎉"


def test_expertise_and_experts_commands(routed):
    assert routed.run("UALICE", "expertise list") == "Your topics: kubernetes, deployment.\nI have learned nothing from what you write yet."
    assert routed.run("UALICE", "expertise remove deployment") == "Removed from your topics: deployment."
    assert routed.run("UALICE", "expertise add") .startswith("Usage: `/community expertise")
    assert routed.run("UBOB", "experts add <@UALICE|alice> helm") == "Only this group's owners can do that. The owners are <@UOWNER>."
    assert routed.run("UOWNER", "experts add <@UDAN|dan> helm, argo cd") == "<@UDAN> now covers helm, argo cd."
    listing = routed.run("UALICE", "experts kubernetes")
    assert listing.startswith("Who knows what (kubernetes):") and "<@UALICE>: kubernetes" in listing and "UDAN" not in listing
    assert "<@UDAN>: helm, argo cd" in routed.run("UALICE", "experts")


def test_an_expert_who_paused_is_never_pinged(routed):
    routed.run("UALICE", "expertise pause")
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.advance(minutes=30)
    assert all("UALICE" not in p["text"] for p in thread_posts(routed, ts))


def test_routing_off_tracks_no_questions(routed):
    routed.run("UOWNER", "config question_routing off")
    routed.say("UDAN", K8S_QUESTION)
    routed.advance(hours=1)
    assert routed.core.questions.open_questions("T1", "C1") == [] and routed.posts("C1") == []


def test_a_slack_error_on_a_ping_is_retried_at_the_next_tick_not_lost(routed):
    ts = routed.say("UDAN", K8S_QUESTION)
    routed.slack.fail("chat.postMessage", "fatal_error")
    routed.advance(minutes=30)
    posts = [c for c in routed.slack.calls_to("chat.postMessage") if c.get("thread_ts") == ts]
    assert len(posts) == 2  # the failed one and its retry
    assert routed.core.questions.get("T1", "C1", ts)["steps"]["experts"]["pinged"] == ["UALICE"]


def test_a_reply_is_never_applied_before_its_question(routed):
    """A burst of questions, each answered at once, all in one channel: every reply lands."""
    asked = []
    for n in range(40):
        ts = routed.say("UDAN", f"How do I restart service number {n}?", wait=False)
        routed.say("UALICE", "restart it with systemctl", thread_ts=ts, wait=False)
        asked.append(ts)
    routed.steward.wait_idle()
    for ts in asked:
        question = routed.core.questions.get("T1", "C1", ts)
        assert question["status"] == "answered" and question["first_replier"] == "UALICE", ts
