"""The TinyDB store: thread safety, atomic writes, corrupt files, buffered counters."""
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from bot.store import StoreError, TinyDBStore

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path):
    opened = TinyDBStore(tmp_path / "data", flush_interval=0.1)
    yield opened
    opened.close()


def test_documents_round_trip_and_survive_reopening(tmp_path):
    first = TinyDBStore(tmp_path, flush_interval=60)
    first.put("groups", "T1:C1", {"owners": ["U1"], "nested": {"a": [1, 2]}})
    assert first.insert_if_absent("groups", "T1:C1", {"owners": []}) is False
    first.update("groups", "T1:C1", lambda doc: {**doc, "purpose": "ship"})
    first.close()
    again = TinyDBStore(tmp_path, flush_interval=60)
    assert again.get("groups", "T1:C1") == {"owners": ["U1"], "nested": {"a": [1, 2]}, "purpose": "ship"}
    assert again.find("groups", purpose="ship") and not again.find("groups", purpose="other")
    again.close()


def test_returned_documents_are_copies(store):
    store.put("t", "k", {"list": [1]})
    store.get("t", "k")["list"].append(2)
    assert store.get("t", "k") == {"list": [1]}


def test_update_returning_none_deletes(store):
    store.put("t", "k", {"a": 1})
    store.update("t", "k", lambda doc: None)
    assert store.get("t", "k") is None and store.find("t") == []


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
    on_disk = json.loads((store.data_dir / "items.json").read_text())
    assert len(on_disk["docs"]) == 480


def test_buffered_counters_are_readable_before_and_written_after_the_flush(store, tmp_path):
    store.accumulate("activity.2026-W48", "T1:C1:U1", add={"messages": 2}, latest={"user_id": "U1"})
    assert store.get("activity.2026-W48", "T1:C1:U1") == {"messages": 2, "user_id": "U1"}
    assert not (store.data_dir / "activity.2026-W48.json").exists()  # not written on every message
    store.flush()
    assert json.loads((store.data_dir / "activity.2026-W48.json").read_text())["docs"]["1"]["messages"] == 2


def test_counters_are_flushed_by_the_background_flusher(store):
    store.accumulate("activity.x", "k", add={"n": 1})
    deadline = __import__("time").monotonic() + 3
    while not (store.data_dir / "activity.x.json").exists():
        assert __import__("time").monotonic() < deadline, "flusher never wrote the counters"
        __import__("time").sleep(0.02)


def test_a_write_to_one_table_leaves_other_files_alone(store):
    store.put("big", "k", {"a": 1})
    before = (store.data_dir / "big.json").stat().st_mtime_ns
    store.put("small", "k", {"b": 2})
    assert (store.data_dir / "big.json").stat().st_mtime_ns == before


CRASH_DURING_WRITE = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {repo!r})
    from bot.store import TinyDBStore
    store = TinyDBStore({data!r}, flush_interval=60)
    def crash(*args):
        os._exit(17)  # the process dies after the temp file is written, before the rename
    os.replace = crash
    store.put("groups", "T1:C1", {{"purpose": "new"}})
""")


def test_a_crash_between_temp_write_and_rename_keeps_the_old_file(tmp_path):
    data = tmp_path / "data"
    first = TinyDBStore(data, flush_interval=60)
    first.put("groups", "T1:C1", {"purpose": "old"})
    first.close()
    crashed = subprocess.run([sys.executable, "-c", CRASH_DURING_WRITE.format(repo=str(REPO), data=str(data))])
    assert crashed.returncode == 17
    assert list(data.glob(".groups.json.*.tmp")), "the crash should have left its temp file behind"
    reopened = TinyDBStore(data, flush_interval=60)
    assert reopened.get("groups", "T1:C1") == {"purpose": "old"}
    assert not list(data.glob(".*.tmp"))  # leftovers are cleaned at start
    reopened.close()


def test_a_corrupt_file_is_reported_by_name_and_not_overwritten(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "groups.json").write_text('{"docs": {"1": {"_key": "T1:C1", ')
    with pytest.raises(StoreError, match="groups.json"):
        TinyDBStore(data, flush_interval=60)
    assert (data / "groups.json").read_text() == '{"docs": {"1": {"_key": "T1:C1", '


def test_a_failed_write_leaves_memory_as_the_disk(store, monkeypatch):
    store.put("t", "k", {"a": 1})
    import bot.store as module

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(module.os, "replace", disk_full)
    with pytest.raises(OSError):
        store.update("t", "k", lambda doc: {**doc, "a": 2})
    monkeypatch.undo()
    assert store.get("t", "k") == {"a": 1}


def test_a_flush_updates_existing_and_new_counters_in_one_file_write(store, monkeypatch):
    store.accumulate("activity.w", "a", add={"n": 1}, latest={"seen": "1"})
    store.flush()
    writes = []
    import bot.store as module
    real_replace = module.os.replace
    monkeypatch.setattr(module.os, "replace", lambda *args: (writes.append(args[1]), real_replace(*args)))
    for key in ("a", "b", "c"):
        store.accumulate("activity.w", key, add={"n": 2}, latest={"seen": "2"})
    store.flush()
    assert len(writes) == 1
    assert store.get("activity.w", "a") == {"n": 3, "seen": "2"}
    assert store.get("activity.w", "b") == {"n": 2, "seen": "2"} and store.get("activity.w", "c") == {"n": 2, "seen": "2"}
    store.put("activity.w", "d", {"n": 7})  # the index stays right after the batch insert
    assert store.get("activity.w", "d") == {"n": 7} and len(store.find("activity.w")) == 4
