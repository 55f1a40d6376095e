"""The `Store` contract, run on every backend: what the core may rely on, whichever one it gets."""
import threading

import pytest

from bot.settings import Settings
from bot.store import COUNT_ONCE_WINDOW, MemoryStore, TinyDBStore, open_store

WINDOW_MINUTES = COUNT_ONCE_WINDOW.total_seconds() / 60


class FakeTime:
    """Epoch seconds that tests move by hand (the store dates counted event ids with it)."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture(params=["tinydb", "memory"])
def store(request, tmp_path, fake_time):
    if request.param == "tinydb":
        opened = TinyDBStore(tmp_path / "data", flush_interval=60, now=fake_time)  # real files, flushed by hand
    else:
        opened = MemoryStore(now=fake_time)
    yield opened
    opened.close()


# --- documents ---------------------------------------------------------------------------------
def test_put_then_get_round_trips_and_put_replaces_the_whole_document(store):
    assert store.get("groups", "T1:C1") is None
    store.put("groups", "T1:C1", {"owners": ["U1"], "nested": {"a": [1, 2]}, "old": True})
    assert store.get("groups", "T1:C1") == {"owners": ["U1"], "nested": {"a": [1, 2]}, "old": True}
    store.put("groups", "T1:C1", {"owners": []})
    assert store.get("groups", "T1:C1") == {"owners": []}


def test_documents_are_copied_in_and_out(store):
    doc = {"list": [1]}
    store.put("t", "k", doc)
    doc["list"].append("changed after put")
    store.get("t", "k")["list"].append("changed after get")
    store.find("t")[0]["list"].append("changed after find")
    store.update("t", "k", lambda current: current)["list"].append("changed after update")
    assert store.get("t", "k") == {"list": [1]}


def test_a_document_json_cannot_hold_is_refused_and_the_old_one_kept(store):
    store.put("t", "k", {"a": 1})
    with pytest.raises(TypeError):
        store.put("t", "k", {"a": {1, 2}})
    assert store.get("t", "k") == {"a": 1}


def test_update_creates_changes_and_deletes(store):
    seen = []
    created = store.update("t", "k", lambda doc: (seen.append(doc), {"n": 1})[1])
    assert seen == [None] and created == {"n": 1}
    assert store.update("t", "k", lambda doc: {**doc, "n": doc["n"] + 1}) == {"n": 2}
    assert store.update("t", "k", lambda doc: None) is None
    assert store.get("t", "k") is None and store.find("t") == []
    assert store.update("t", "absent", lambda doc: None) is None and store.find("t") == []


def test_a_change_that_raises_changes_nothing(store):
    store.put("t", "k", {"n": 1, "list": [1]})
    store.accumulate("t", "k", add={"hits": 1})

    def half_done(doc):
        doc["list"].append(2)  # the change gets a copy: this must not leak
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError):
        store.update("t", "k", half_done)
    assert store.get("t", "k") == {"n": 1, "list": [1], "hits": 1}


def test_documents_given_and_returned_are_never_shared_with_the_store(store):
    given = {"nested": {"list": [1, {"deep": [2]}]}, "n": 1}
    store.put("t", "k", given)
    given["nested"]["list"][1]["deep"].append(3)  # the caller's object, changed after the put
    for doc in (store.get("t", "k"), store.find("t")[0], store.update("t", "k", lambda doc: doc)):
        assert doc == {"nested": {"list": [1, {"deep": [2]}]}, "n": 1}
        doc["nested"]["list"][1]["deep"].append(4)  # changing a returned copy leaks nowhere either
    store.accumulate("t", "k", latest={"seen": {"by": ["U1"]}})
    store.get("t", "k")["seen"]["by"].append("U2")
    store.flush()
    assert store.get("t", "k") == {"nested": {"list": [1, {"deep": [2]}]}, "n": 1, "seen": {"by": ["U1"]}}


def test_a_counter_change_that_cannot_be_stored_is_refused_at_once_and_counts_nothing(store):
    with pytest.raises(TypeError):
        store.accumulate("t", "k", add={"n": "1"}, once="Ev1")
    with pytest.raises(TypeError):
        store.accumulate("t", "k", add={"n": 1}, latest={"at": {1, 2}}, once="Ev1")
    assert store.get("t", "k") is None
    assert store.accumulate("t", "k", add={"n": 1}, latest={"by": ("U1",)}, once="Ev1")  # the id was not taken
    store.flush()
    assert store.get("t", "k") == {"n": 1, "by": ["U1"]}  # as JSON gives it back, on every backend


def test_a_document_reads_back_as_json_gives_it(store):
    store.put("t", "k", {"pair": (1, 2), 3: "x"})
    assert store.get("t", "k") == {"pair": [1, 2], "3": "x"}
    assert store.find("t", pair=[1, 2]) == [{"pair": [1, 2], "3": "x"}]


def test_insert_if_absent_claims_a_key_once(store):
    assert store.insert_if_absent("claims", "job:2026-W48", {"by": "first"}) is True
    assert store.insert_if_absent("claims", "job:2026-W48", {"by": "second"}) is False
    assert store.get("claims", "job:2026-W48") == {"by": "first"}


def test_delete_says_whether_there_was_a_document(store):
    store.put("t", "k", {"a": 1})
    assert store.delete("t", "k") is True
    assert store.delete("t", "k") is False and store.delete("never-written", "k") is False
    assert store.get("t", "k") is None


def test_find_matches_every_given_field(store):
    store.put("members", "T1:C1:U1", {"team_id": "T1", "channel_id": "C1", "status": "member"})
    store.put("members", "T1:C1:U2", {"team_id": "T1", "channel_id": "C1", "status": "left"})
    store.put("members", "T2:C9:U1", {"team_id": "T2", "channel_id": "C9", "status": "member"})
    assert len(store.find("members")) == 3
    assert store.find("members", team_id="T1", status="left") == [{"team_id": "T1", "channel_id": "C1", "status": "left"}]
    assert store.find("members", nickname=None) == store.find("members")  # a missing field equals None
    assert store.find("members", team_id="T3") == [] and store.find("no-such-table") == []


@pytest.mark.parametrize("bad", ["../groups", ".hidden", "a/b", "", "x" * 200])
def test_every_method_refuses_a_bad_table_name(store, bad):
    calls = [lambda: store.get(bad, "k"), lambda: store.put(bad, "k", {}), lambda: store.update(bad, "k", lambda d: d),
             lambda: store.insert_if_absent(bad, "k", {}), lambda: store.delete(bad, "k"), lambda: store.find(bad),
             lambda: store.accumulate(bad, "k", add={"n": 1})]
    for call in calls:
        with pytest.raises(ValueError):
            call()


# --- counters ----------------------------------------------------------------------------------
def test_counters_are_visible_before_and_after_the_flush(store):
    key = "T1:C1:U1"
    store.put("activity.2026-W48", key, {"messages": 1, "since": "monday"})
    store.accumulate("activity.2026-W48", key, add={"messages": 2}, latest={"last_seen": "1"})
    store.accumulate("activity.2026-W48", key, add={"messages": 1, "replies": 1}, latest={"last_seen": "2"})
    store.accumulate("activity.2026-W48", "T1:C1:U2", add={"messages": 1}, latest={"user_id": "U2"})
    expected = {"messages": 4, "replies": 1, "since": "monday", "last_seen": "2"}
    assert store.get("activity.2026-W48", key) == expected
    assert store.find("activity.2026-W48", user_id="U2") == [{"messages": 1, "user_id": "U2"}]
    store.flush()
    store.flush()  # nothing left to add twice
    assert store.get("activity.2026-W48", key) == expected
    assert len(store.find("activity.2026-W48")) == 2


def test_latest_fields_are_copied(store):
    topics = ["python"]
    store.accumulate("t", "k", latest={"topics": topics})
    topics.append("changed after accumulate")
    store.flush()
    assert store.get("t", "k") == {"topics": ["python"]}


def test_writes_replace_buffered_counters_and_claims_see_them(store):
    store.accumulate("t", "replaced", add={"n": 5})
    store.put("t", "replaced", {"n": 1})
    store.accumulate("t", "deleted", add={"n": 5})
    assert store.delete("t", "deleted") is True
    store.accumulate("t", "updated", add={"n": 5})
    assert store.update("t", "updated", lambda doc: {"n": doc["n"] * 10}) == {"n": 50}
    store.accumulate("t", "claimed", add={"n": 1})
    assert store.insert_if_absent("t", "claimed", {"n": 0}) is False
    store.flush()
    assert store.get("t", "replaced") == {"n": 1} and store.get("t", "deleted") is None
    assert store.get("t", "updated") == {"n": 50} and store.get("t", "claimed") == {"n": 1}


# --- counting once -----------------------------------------------------------------------------
def test_a_bump_with_an_id_already_counted_is_ignored(store):
    assert store.accumulate("activity.w", "k", add={"messages": 1}, once="Ev1") is True
    assert store.accumulate("activity.w", "k", add={"messages": 1}, latest={"x": 1}, once="Ev1") is False
    store.flush()
    assert store.accumulate("activity.w", "k", add={"messages": 1}, once="Ev1") is False  # after a flush too
    assert store.accumulate("activity.w", "k", add={"messages": 1}, once="Ev2") is True
    assert store.accumulate("activity.w", "k", add={"messages": 1}) is True  # no id: always counted
    assert store.get("activity.w", "k") == {"messages": 3}


def test_an_id_counts_once_whatever_the_counter(store):
    # A retry can land in next week's table: the id, not the (table, key), decides.
    assert store.accumulate("activity.2026-W48", "k", add={"n": 1}, once="Ev1") is True
    assert store.accumulate("activity.2026-W49", "k", add={"n": 1}, once="Ev1") is False
    assert store.get("activity.2026-W49", "k") is None


def test_an_id_counts_again_after_the_window_and_old_ids_are_forgotten(store, fake_time):
    for n in range(500):
        store.accumulate("activity.w", "k", add={"n": 1}, once=f"Ev{n}")
    store.flush()
    fake_time.advance(WINDOW_MINUTES - 1)
    assert store.accumulate("activity.w", "k", add={"n": 1}, once="Ev0") is False
    fake_time.advance(2)
    assert store.accumulate("activity.w", "k", add={"n": 1}, once="Ev0") is True
    assert store.get("activity.w", "k") == {"n": 501}
    assert len(store._counted) == 1  # memory holds one window of ids, not the history


def test_concurrent_bumps_of_the_same_events_count_each_once(store):
    def deliver():
        for n in range(100):
            store.accumulate("activity.w", "k", add={"n": 1}, once=f"Ev{n}")
    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.flush()
    assert store.get("activity.w", "k") == {"n": 100}


def test_concurrent_writes_from_many_threads_lose_nothing(store):
    def work(worker):
        for i in range(60):
            store.put("items", f"{worker}-{i}", {"worker": worker})
            store.update("totals", "all", lambda doc: {"n": (doc or {"n": 0})["n"] + 1})
            store.accumulate("counters", "all", add={"n": 1})
    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.find("items")) == 480
    assert store.get("totals", "all") == {"n": 480}
    store.flush()
    assert store.get("counters", "all") == {"n": 480}


# --- choosing the backend ----------------------------------------------------------------------
@pytest.mark.parametrize("backend, kind", [("tinydb", TinyDBStore), ("memory", MemoryStore)])
def test_open_store_builds_the_backend_the_settings_name(tmp_path, backend, kind):
    opened = open_store(Settings(mode="local", data_dir=tmp_path, store_backend=backend))
    try:
        assert isinstance(opened, kind)
    finally:
        opened.close()
