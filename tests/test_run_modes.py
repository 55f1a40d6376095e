"""Run modes: Socket Mode wiring, and concurrency end to end."""
import logging
import threading
import time
from types import SimpleNamespace

from slack_sdk.socket_mode.request import SocketModeRequest

from bot.activity import activity_table
from handlers.runtime import Steward
from bot.settings import Settings
from handlers.emulator import member_joined_event, message_event


def test_socket_mode_uses_the_app_token_and_the_configured_api_url(slack, tmp_path):
    settings = Settings(mode="socket", bot_token="xoxb-test", app_token="xapp-1-test", api_url=slack.url, data_dir=tmp_path)
    steward = Steward(settings)
    try:
        handler = steward.socket_mode_handler()
        assert handler.app_token == "xapp-1-test"
        assert handler.client.web_client.base_url == slack.url
        assert steward.app.client.token == "xoxb-test"
    finally:
        steward.close()
    assert [c.method for c in slack.calls] == ["auth.test"]  # the token is checked at start


def test_in_socket_mode_an_event_is_applied_after_its_ack_is_sent(slack, tmp_path):
    """As in HTTP mode, the event's lane is woken once Bolt has sent the ack over the socket."""
    settings = Settings(mode="socket", bot_token="xoxb-test", app_token="xapp-1-test", api_url=slack.url, data_dir=tmp_path)
    steward = Steward(settings)
    steward.start()
    order = []
    steward.inbox.apply = lambda entry: order.append(("applied", entry.event_id))

    def send_socket_mode_response(response):
        time.sleep(0.2)  # a slow socket: a lane woken before the ack would apply the event first
        order.append(("acked", response.envelope_id))
    client = SimpleNamespace(logger=logging.getLogger("socket-mode-test"), send_socket_mode_response=send_socket_mode_response)
    payload = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSock1",
               "event": message_event("C1", "UALICE", "How do I deploy the staging build?")}
    try:
        steward.socket_mode_handler().handle(client, SocketModeRequest(type="events_api", envelope_id="env1", payload=payload))
        assert steward.inbox.wait_idle(5)
    finally:
        steward.close()
    assert order == [("acked", "env1"), ("applied", "EvSock1")]


def test_many_members_joining_at_once_are_each_welcomed_once(group):
    newcomers = [f"UNEW{n:02d}" for n in range(20)]
    for user in newcomers:
        group.slack.add_user(user)
    threads = [threading.Thread(target=group.sender.event, args=(member_joined_event("C1", user),)) for user in newcomers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    group.settle()
    welcomed = sorted(p["text"].split("<@")[1].split(">")[0] for p in group.posts("C1"))
    assert welcomed == newcomers
    members = group.core.store.find("members", team_id="T1", channel_id="C1", status="member")
    assert sorted(m["user_id"] for m in members) == newcomers


def test_edits_bot_messages_and_joins_are_never_questions(group):
    edited = message_event("C1", "UALICE", "How do I deploy?")
    edited.update(subtype="message_changed")
    bot_message = message_event("C1", "UOTHERBOT", "Why did the build fail?")
    bot_message["bot_id"] = "B999"
    join_message = message_event("C1", "UALICE", "How are you all?")
    join_message["subtype"] = "channel_join"
    for event in (edited, bot_message, join_message):
        assert group.sender.event(event).status == 200
    group.settle()
    assert group.core.questions.open_questions("T1", "C1") == []


def test_plain_messages_are_counted_once_even_when_retried(group):
    event = message_event("C1", "UBOB", "Pushed the release notes.")
    group.sender.event(event, event_id="EvChat1")
    group.sender.event(event, event_id="EvChat1", retry_num=1)
    group.settle()
    group.core.store.flush()
    [activity] = group.core.store.find(activity_table(group.clock.now()), user_id="UBOB")
    assert activity["messages"] == 1
