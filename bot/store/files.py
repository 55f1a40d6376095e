"""Durable files for the TinyDB backend: atomic replacement, and the log of counted event ids."""
from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from .base import StoreError

log = logging.getLogger(__name__)


def write_atomically(path: Path, text: str) -> None:
    """Temp file, fsync, rename, fsync of the directory: a crash leaves the old file or the new one."""
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as temp:
            temp.write(text)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    # Makes a rename or a new file durable; not every platform allows opening a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class CountedEventsLog:
    """The event ids already counted by `accumulate(..., once=...)`, kept across restarts.

    Append-only, one JSON line per flush, fsynced:
        {"at": epoch seconds, "n": flush number, "ids": [...], "tables": {table: how many of the ids}}
    `ids` lists each table's ids in the order of `tables` (the counters they bumped), so the store
    can tell, at open, which ids belong to a table whose counters that flush never wrote (see
    `TinyDBStore`). Lines of older versions have no "n" and "tables": their ids are trusted.

    An id is remembered for the window from its line's time (at most one flush interval later than
    its bump, which only errs on the safe side). Appending is cheap whatever the file's size; when
    the file spans more than twice the window it is rewritten atomically with its live lines only,
    so it holds about two windows of ids at most and reading it at start costs the same at any age.

    A line torn by a crash during its append, or left by a failed one, is skipped: the store writes
    ids before their counters, so those counters were not written either, and forgetting the ids is
    what lets a redelivered event count once.
    """

    def __init__(self, path: Path, window: float):
        self.path = path
        self.window = window
        self._oldest: float | None = None  # time of the first line in the file

    def load(self, now: float) -> list[dict]:
        """The live lines, oldest first; dead and torn lines are dropped from the file too."""
        lines, damaged = self._read()
        live = [line for line in lines if line["at"] > now - self.window]
        if damaged or len(live) < len(lines):
            self.rewrite(live)
        else:
            self._oldest = live[0]["at"] if live else None
        return live

    def append(self, ids: list[str], at: float, *, n: int | None = None, tables: dict[str, int] | None = None) -> None:
        record: dict = {"at": round(at, 3)}
        if n is not None:
            record.update(n=n, tables=tables or {})
        record["ids"] = ids
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            try:
                data = line.encode("utf-8")
                while data:
                    data = data[os.write(fd, data):]
                os.fsync(fd)
            except BaseException:
                _truncate_quietly(fd, size)  # a half line must not glue itself to the next one
                raise
        finally:
            os.close(fd)
        if created:
            fsync_directory(self.path.parent)
        if self._oldest is None:
            self._oldest = at
        elif at - self._oldest > 2 * self.window:
            try:
                self.rewrite([line for line in self._read()[0] if line["at"] > at - self.window])
            except OSError:  # the ids are appended, which is what matters: compact at the next flush
                log.exception("could not compact %s; will retry", self.path)

    def _read(self) -> tuple[list[dict], bool]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], False
        except (OSError, UnicodeDecodeError) as error:
            raise StoreError(f"cannot read {self.path}: {getattr(error, 'strerror', None) or error}") from None
        lines, damaged = [], False
        for raw in text.splitlines():
            try:
                entry = json.loads(raw)
                line = {"at": float(entry["at"]), "ids": entry["ids"]}
                if not isinstance(line["ids"], list):
                    raise TypeError("ids is not a list")
                line["ids"] = [str(i) for i in line["ids"]]
                if "n" in entry:
                    line.update(n=int(entry["n"]), tables={str(t): int(c) for t, c in entry["tables"].items()})
                    if sum(line["tables"].values()) != len(line["ids"]):
                        raise ValueError("tables do not add up to the ids")
            except (ValueError, TypeError, KeyError, AttributeError):
                damaged = True
                continue
            lines.append(line)
        if damaged:
            log.warning("%s: skipped damaged lines (an append interrupted by a crash)", self.path)
        return lines, damaged

    def rewrite(self, lines: list[dict]) -> None:
        """Replace the file with these lines (as `load` returns them), atomically."""
        write_atomically(self.path, "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
                                            for line in lines))
        self._oldest = lines[0]["at"] if lines else None


def ids_by_table(line: dict) -> dict[str | None, list[str]]:
    """A log line's ids by the table whose counters they bumped (None: a line of an older version)."""
    if "tables" not in line:
        return {None: list(line["ids"])}
    grouped, start = {}, 0
    for table, count in line["tables"].items():
        grouped[table] = line["ids"][start:start + count]
        start += count
    return grouped


def _truncate_quietly(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass
