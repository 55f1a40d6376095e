"""The TinyDB backend only: files, atomic writes, crashes, corrupt files, `once` across restarts.

What every backend must do is in test_store_contract.py."""
import gc
import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.store import StoreError, TinyDBStore
from tests.test_store_contract import WINDOW_MINUTES, FakeTime

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path):
    opened = TinyDBStore(tmp_path / "data", flush_interval=0.1)
    yield opened
    opened.close()


def test_documents_and_counters_survive_reopening(tmp_path):
    first = TinyDBStore(tmp_path, flush_interval=60)
    first.put("groups", "T1:C1", {"owners": ["U1"], "nested": {"a": [1, 2]}})
    first.update("groups", "T1:C1", lambda doc: {**doc, "purpose": "ship"})
    first.accumulate("activity.w", "k", add={"n": 1})
    first.close()  # flushes the counter
    again = TinyDBStore(tmp_path, flush_interval=60)
    assert again.get("groups", "T1:C1") == {"owners": ["U1"], "nested": {"a": [1, 2]}, "purpose": "ship"}
    assert again.find("groups", purpose="ship") and not again.find("groups", purpose="other")
    assert again.get("activity.w", "k") == {"n": 1}
    again.close()


def test_buffered_counters_are_readable_before_and_written_after_the_flush(store, tmp_path):
    store.accumulate("activity.2026-W48", "T1:C1:U1", add={"messages": 2}, latest={"user_id": "U1"})
    assert store.get("activity.2026-W48", "T1:C1:U1") == {"messages": 2, "user_id": "U1"}
    assert not (store.data_dir / "activity.2026-W48.json").exists()  # not written on every message
    store.flush()
    assert json.loads((store.data_dir / "activity.2026-W48.json").read_text())["docs"]["1"]["messages"] == 2


def test_counters_are_flushed_by_the_background_flusher(store):
    store.accumulate("activity.x", "k", add={"n": 1})
    deadline = time.monotonic() + 3
    while not (store.data_dir / "activity.x.json").exists():
        assert time.monotonic() < deadline, "flusher never wrote the counters"
        time.sleep(0.02)


def test_a_write_to_one_table_leaves_other_files_alone(store):
    store.put("big", "k", {"a": 1})
    before = (store.data_dir / "big.json").stat().st_mtime_ns
    store.put("small", "k", {"b": 2})
    assert (store.data_dir / "big.json").stat().st_mtime_ns == before


def test_a_failed_flush_keeps_every_table_s_counters_for_the_next_one(store, monkeypatch):
    store.accumulate("activity.a", "old", add={"n": 1})
    store.flush()
    import bot.store.files as module

    def disk_full(*args):
        raise OSError(28, "No space left on device")
    for table in ("activity.a", "activity.b", "activity.c"):
        store.accumulate(table, "old", add={"n": 1})
        store.accumulate(table, "new", add={"n": 1})
    monkeypatch.setattr(module.os, "replace", disk_full)
    with pytest.raises(OSError):
        store.flush()
    monkeypatch.undo()
    store.flush()
    assert store.get("activity.a", "old") == {"n": 2}
    for table in ("activity.a", "activity.b", "activity.c"):
        assert store.get(table, "new") == {"n": 1}
    store.put("activity.a", "new", {"n": 5})  # the index still points at the right documents
    assert sorted(d["n"] for d in store.find("activity.a")) == [2, 5]


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
    import bot.store.files as module

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
    import bot.store.files as module
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


# --- counting once across restarts -------------------------------------------------------------
@pytest.fixture
def fake_time():
    return FakeTime()


def log_lines(data: Path) -> list[dict]:
    return [json.loads(line) for line in (data / "counted-events.log").read_text().splitlines()]


def test_counted_ids_survive_close_and_reopen(tmp_path, fake_time):
    first = TinyDBStore(tmp_path, flush_interval=60, now=fake_time)
    first.accumulate("activity.w", "k", add={"n": 1}, once="Ev1")
    first.close()
    again = TinyDBStore(tmp_path, flush_interval=60, now=fake_time)
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev1") is False
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev2") is True
    assert again.get("activity.w", "k") == {"n": 2}
    again.close()


def test_ids_older_than_the_window_are_not_reloaded(tmp_path, fake_time):
    first = TinyDBStore(tmp_path, flush_interval=60, now=fake_time)
    first.accumulate("activity.w", "k", add={"n": 1}, once="Ev1")
    first.close()
    fake_time.advance(WINDOW_MINUTES + 1)
    again = TinyDBStore(tmp_path, flush_interval=60, now=fake_time)
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev1") is True
    assert log_lines(tmp_path) == []  # the dead line was dropped from the file at open
    again.close()


def test_the_log_is_compacted_to_about_two_windows(tmp_path, fake_time):
    store = TinyDBStore(tmp_path, flush_interval=60, now=fake_time)
    minutes = int(WINDOW_MINUTES * 5)
    for minute in range(minutes):  # one flush a minute, for five windows
        store.accumulate("activity.w", "k", add={"n": 1}, once=f"Ev{minute}")
        store.flush()
        fake_time.advance(1)
    lines = log_lines(tmp_path)
    assert len(lines) <= 2 * WINDOW_MINUTES + 1
    assert lines[-1]["ids"] == [f"Ev{minutes - 1}"] and lines[-1]["at"] - lines[0]["at"] <= 2 * WINDOW_MINUTES * 60
    store.close()
    again = TinyDBStore(tmp_path, flush_interval=60, now=fake_time)
    assert again.accumulate("activity.w", "k", add={"n": 1}, once=f"Ev{minutes - 1}") is False
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev0") is True
    again.close()


def test_a_line_torn_by_a_crash_is_skipped_and_removed(tmp_path, fake_time):
    first = TinyDBStore(tmp_path, flush_interval=60, now=fake_time)
    first.accumulate("activity.w", "k", add={"n": 1}, once="Ev1")
    first.close()
    with open(tmp_path / "counted-events.log", "a") as log:
        log.write('{"at":%s,"ids":["Ev2",' % fake_time.now)  # the append the crash interrupted
    again = TinyDBStore(tmp_path, flush_interval=60, now=fake_time)
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev1") is False
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev2") is True  # its counter was never written
    again.flush()
    assert [line["ids"] for line in log_lines(tmp_path)] == [["Ev1"], ["Ev2"]]
    again.close()


def test_a_failed_append_keeps_ids_and_counters_for_the_next_flush(store, monkeypatch):
    import bot.store.files as module
    real_write = module.os.write

    def disk_full(fd, data):
        real_write(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")
    store.accumulate("activity.w", "k", add={"n": 1}, once="Ev1")
    monkeypatch.setattr(module.os, "write", disk_full)
    with pytest.raises(OSError):
        store.flush()
    monkeypatch.undo()
    assert not (store.data_dir / "activity.w.json").exists()  # no counters without their ids
    assert (store.data_dir / "counted-events.log").read_text() == ""  # no half line either
    store.flush()
    assert [line["ids"] for line in log_lines(store.data_dir)] == [["Ev1"]]
    assert json.loads((store.data_dir / "activity.w.json").read_text())["docs"]["1"]["n"] == 1


CRASH_BEFORE_COUNTERS = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {repo!r})
    from bot.store import TinyDBStore
    store = TinyDBStore({data!r}, flush_interval=3600)
    store.accumulate("activity.w", "k", add={{"n": 1}}, once="Ev1")
    store.flush()
    store.accumulate("activity.w", "k", add={{"n": 1}}, once="Ev2")
    TinyDBStore._apply_counters = lambda *args: os._exit(17)  # dies after the ids are logged
    store.flush()
""")


def test_a_bump_lost_between_ids_and_counters_counts_again_when_its_event_comes_again(tmp_path):
    """The crash came after the ids were logged, before the counters were written: the ids are
    forgotten at open (their table does not hold that flush), so the replayed event counts once."""
    data = tmp_path / "data"
    crashed = subprocess.run([sys.executable, "-c", CRASH_BEFORE_COUNTERS.format(repo=str(REPO), data=str(data))])
    assert crashed.returncode == 17
    reopened = TinyDBStore(data, flush_interval=60)
    assert reopened.get("activity.w", "k") == {"n": 1}
    assert reopened.accumulate("activity.w", "k", add={"n": 1}, once="Ev1") is False  # written: counted
    assert reopened.accumulate("activity.w", "k", add={"n": 1}, once="Ev2") is True  # lost: counts again
    assert reopened.accumulate("activity.w", "k", add={"n": 1}, once="Ev2") is False
    reopened.close()
    again = TinyDBStore(data, flush_interval=60)
    assert again.get("activity.w", "k") == {"n": 2}
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev2") is False
    again.close()


def test_a_forgotten_id_stays_forgotten_when_its_table_is_flushed_later(tmp_path):
    """Forgotten at open, the id must not come back when a later flush of its table (for other
    events) crashes before the replay counted it: it is dropped from the log, not just skipped."""
    data = tmp_path / "data"
    crashed = subprocess.run([sys.executable, "-c", CRASH_BEFORE_COUNTERS.format(repo=str(REPO), data=str(data))])
    assert crashed.returncode == 17
    reopened = TinyDBStore(data, flush_interval=60)
    reopened.accumulate("activity.w", "k", add={"n": 1}, once="Ev3")
    reopened.flush()  # activity.w now holds a flush newer than Ev2's line
    reopened._closed.set()  # then the process dies, before Ev2's event came again
    again = TinyDBStore(data, flush_interval=60)
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev2") is True
    assert again.accumulate("activity.w", "k", add={"n": 1}, once="Ev3") is False
    again.close()


def test_ids_of_a_table_whose_write_failed_are_forgotten_at_open_and_the_others_kept(tmp_path, monkeypatch):
    data = tmp_path / "data"
    store = TinyDBStore(data, flush_interval=3600)
    store.accumulate("activity.a", "k", add={"n": 1}, once="EvA")
    store.accumulate("activity.b", "k", add={"n": 1}, once="EvB")
    import bot.store.files as module
    real_replace, replaced = module.os.replace, []

    def second_write_fails(*args):
        replaced.append(args)
        if len(replaced) == 2:
            raise OSError(28, "No space left on device")
        real_replace(*args)
    monkeypatch.setattr(module.os, "replace", second_write_fails)
    with pytest.raises(OSError):
        store.flush()
    monkeypatch.undo()
    store._closed.set()  # the process dies before the next flush
    reopened = TinyDBStore(data, flush_interval=3600)
    assert reopened.get("activity.a", "k") == {"n": 1} and reopened.get("activity.b", "k") is None
    assert reopened.accumulate("activity.a", "k", add={"n": 1}, once="EvA") is False
    assert reopened.accumulate("activity.b", "k", add={"n": 1}, once="EvB") is True
    reopened.close()


def test_a_failed_table_write_logs_its_ids_again_with_the_flush_that_writes_it(tmp_path, monkeypatch):
    data = tmp_path / "data"
    store = TinyDBStore(data, flush_interval=3600)
    store.accumulate("activity.a", "k", add={"n": 1}, once="EvA")
    import bot.store.files as module

    def disk_full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(module.os, "replace", disk_full)
    with pytest.raises(OSError):
        store.flush()
    monkeypatch.undo()
    store.flush()  # the retry writes the counters, and logs EvA under its own flush number
    store._closed.set()  # then the process dies
    reopened = TinyDBStore(data, flush_interval=3600)
    assert reopened.get("activity.a", "k") == {"n": 1}
    assert reopened.accumulate("activity.a", "k", add={"n": 1}, once="EvA") is False
    reopened.close()


def test_log_lines_of_the_previous_format_are_trusted(tmp_path, fake_time):
    data = tmp_path / "data"
    data.mkdir()
    (data / "counted-events.log").write_text('{"at":%s,"ids":["EvOld"]}\n' % fake_time.now)
    store = TinyDBStore(data, flush_interval=60, now=fake_time)
    assert store.accumulate("activity.w", "k", add={"n": 1}, once="EvOld") is False
    store.close()


BUMP_FLUSH_AND_WAIT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from bot.store import TinyDBStore
    store = TinyDBStore({data!r}, flush_interval=3600)
    for n in range(100):
        store.accumulate("activity.w", "k", add={{"messages": 1}}, once=f"Ev{{n}}")
    store.flush()
    for n in range(100, 150):  # never flushed: the kill loses these bumps and their ids together
        store.accumulate("activity.w", "k", add={{"messages": 1}}, once=f"Ev{{n}}")
    print("flushed", flush=True)
    time.sleep(60)
""")


def test_after_a_kill_redelivered_events_count_once_and_new_ones_count(tmp_path):
    data = tmp_path / "data"
    child = subprocess.Popen([sys.executable, "-c", BUMP_FLUSH_AND_WAIT.format(repo=str(REPO), data=str(data))],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "flushed"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    reopened = TinyDBStore(data, flush_interval=60)
    assert reopened.get("activity.w", "k") == {"messages": 100}
    redelivered = [reopened.accumulate("activity.w", "k", add={"messages": 1}, once=f"Ev{n}") for n in range(150)]
    assert redelivered == [False] * 100 + [True] * 50  # the flushed ones are ignored, the lost ones count
    assert all(reopened.accumulate("activity.w", "k", add={"messages": 1}, once=f"Ev{n}") for n in range(150, 160))
    reopened.close()
    again = TinyDBStore(data, flush_interval=60)
    assert again.get("activity.w", "k") == {"messages": 160}  # 160 events, each counted exactly once
    again.close()


def test_past_partitions_are_parsed_at_open_and_not_kept(tmp_path):
    writer = TinyDBStore(tmp_path, flush_interval=60)
    for month in range(1, 13):
        for n in range(300):
            writer.put(f"questions.2025-{month:02d}", f"T1:C1:{n}", {"text": f"q{n}", "pinged": ["U1", "U2"]})
    writer.close()
    gc.collect()
    before = len(gc.get_objects())
    store = TinyDBStore(tmp_path, flush_interval=60)
    gc.collect()
    # 3,600 documents with a list each: kept parsed, they would be 7,000+ objects for every
    # collection of Python's garbage collector to walk. Let go, the open store adds a handful.
    assert len(gc.get_objects()) - before < 500
    assert store.parsed_tables == []
    assert store.get("questions.2025-03", "T1:C1:7") == {"text": "q7", "pinged": ["U1", "U2"]}
    assert store.parsed_tables == ["questions.2025-03"]
    store.close()


def test_a_released_table_reads_writes_and_flushes_as_before(tmp_path):
    store = TinyDBStore(tmp_path, flush_interval=60, release_after=0)
    store.put("members", "T1:C1:U1", {"user_id": "U1", "status": "present"})
    store.accumulate("members", "T1:C1:U1", add={"posts": 2}, once="Ev1")
    assert store.release_idle() == 1 and store.parsed_tables == []
    # The buffered counter is still seen, and lands in the file that was let go.
    assert store.get("members", "T1:C1:U1") == {"user_id": "U1", "status": "present", "posts": 2}
    assert store.release_idle() == 1
    store.flush()
    assert store.find("members", status="present") == [{"user_id": "U1", "status": "present", "posts": 2}]
    assert store.release_idle() == 1
    assert store.update("members", "T1:C1:U1", lambda doc: {**doc, "status": "left"})["posts"] == 2
    store.put("members", "T1:C1:U2", {"user_id": "U2"})
    assert store.release_idle() == 1
    assert store.delete("members", "T1:C1:U2") and not store.insert_if_absent("members", "T1:C1:U1", {})
    assert not store.accumulate("members", "T1:C1:U1", add={"posts": 1}, once="Ev1")  # counted once still
    store.close()
    again = TinyDBStore(tmp_path, flush_interval=60)
    assert again.find("members") == [{"user_id": "U1", "status": "left", "posts": 2}]
    again.close()


def test_the_flush_thread_lets_idle_tables_go_and_keeps_those_in_use(tmp_path):
    store = TinyDBStore(tmp_path, flush_interval=0.05, release_after=0.3)
    store.put("old", "k", {"a": 1})
    store.put("busy", "k", {"b": 1})
    deadline = time.monotonic() + 3
    while "old" in store.parsed_tables:
        assert time.monotonic() < deadline, "an idle table was never let go"
        assert store.get("busy", "k") == {"b": 1}  # used all along: stays parsed
        time.sleep(0.02)
    assert store.parsed_tables == ["busy"]
    store.close()


def _on_disk(data_dir, table):
    """{key: document} as the table's file holds it."""
    raw = json.loads((data_dir / f"{table}.json").read_text())
    return {doc["_key"]: {k: v for k, v in doc.items() if k != "_key"} for doc in raw.get("docs", {}).values()}


def test_only_changed_documents_are_encoded_again_and_the_file_holds_them_all(tmp_path, monkeypatch):
    import bot.store.tinydb as module
    store = TinyDBStore(tmp_path, flush_interval=60)
    for n in range(500):
        store.put("open_questions", f"T1:C1:{n}", {"text": f"question {n}", "replies": {}})
    encoded = []
    real_json = module._json
    monkeypatch.setattr(module, "_json", lambda value: (encoded.append(value), real_json(value))[1])
    store.update("open_questions", "T1:C1:7", lambda doc: {**doc, "replies": {"1.1": "U2"}})
    assert [value for value in encoded if isinstance(value, dict)] == [
        {"text": "question 7", "replies": {"1.1": "U2"}, "_key": "T1:C1:7"}]
    disk = _on_disk(tmp_path, "open_questions")
    assert len(disk) == 500 and disk["T1:C1:7"]["replies"] == {"1.1": "U2"} and disk["T1:C1:8"]["replies"] == {}
    store.close()


def test_a_long_mix_of_writes_counters_failures_and_releases_leaves_each_file_as_the_store_reads(tmp_path, monkeypatch):
    """Kept JSON must never stand for a document that changed: after every step, each file holds
    exactly what the store answers, and so does a store opened afresh on the files."""
    import bot.store.files as files
    rng = random.Random(11)
    store = TinyDBStore(tmp_path, flush_interval=600, release_after=0)
    tables, keys = ("a", "b"), [f"T1:C1:{n}" for n in range(12)]
    real_replace = files.os.replace
    for step in range(600):
        table, key, roll = rng.choice(tables), rng.choice(keys), rng.random()
        failing = rng.random() < 0.05
        if failing:
            monkeypatch.setattr(files.os, "replace", lambda *args: (_ for _ in ()).throw(OSError(28, "disk full")))
        try:
            if roll < 0.3:
                store.put(table, key, {"n": step, "list": [step] * rng.randint(0, 3)})
            elif roll < 0.5:
                store.update(table, key, lambda doc: None if doc is None else {**doc, "seen": step})
            elif roll < 0.65:
                store.delete(table, key)
            elif roll < 0.85:
                store.accumulate(table, key, add={"count": 1}, latest={"at": step})
            elif roll < 0.95:
                store.flush()
            else:
                store.release_idle()
        except OSError:
            assert failing
        finally:
            monkeypatch.setattr(files.os, "replace", real_replace)
        for name in tables:
            if (tmp_path / f"{name}.json").exists():
                store.flush()
                assert _on_disk(tmp_path, name) == {doc_key: store.get(name, doc_key) for doc_key in keys
                                                    if store.get(name, doc_key) is not None}, step
    store.close()
    again = TinyDBStore(tmp_path, flush_interval=600)
    for name in tables:
        assert {k: again.get(name, k) for k in keys} == {k: v for k, v in _on_disk(tmp_path, name).items()} | \
            {k: None for k in keys if k not in _on_disk(tmp_path, name)}
    again.close()


def test_a_table_whose_counters_cannot_be_written_holds_up_neither_the_others_nor_its_own_counts(tmp_path):
    store = TinyDBStore(tmp_path, flush_interval=600)
    store.put("t", "a", {"n": 1})
    store.put("t", "b", {"n": "not a number"})  # a counter bump on it cannot be applied
    store.accumulate("t", "a", add={"n": 1})
    store.accumulate("t", "b", add={"n": 1})
    store.accumulate("u", "k", add={"n": 1})
    with pytest.raises(TypeError):
        store.flush()
    assert _on_disk(tmp_path, "u") == {"k": {"n": 1}}  # the other table was written all the same
    assert _on_disk(tmp_path, "t")["a"] == {"n": 1}
    store.put("t", "b", {"n": 0})
    store.flush()
    # "a" was bumped in memory before "b" failed: that half-change is undone, so it counts once.
    assert _on_disk(tmp_path, "t") == {"a": {"n": 2}, "b": {"n": 0}} and store.get("t", "a") == {"n": 2}
    store.close()


def test_the_storage_used_by_another_tinydb_user_writes_every_change(tmp_path):
    from tinydb import TinyDB
    from bot.store import AtomicJSONStorage
    db = TinyDB(tmp_path / "plain.json", storage=AtomicJSONStorage)
    db.table("docs").insert({"a": 1})
    db.table("docs").update({"a": 2})  # no `changed` call: nothing kept may stand for it
    assert json.loads((tmp_path / "plain.json").read_text())["docs"]["1"] == {"a": 2}
