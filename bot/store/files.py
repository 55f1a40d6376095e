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

    Append-only, one JSON line per flush: {"at": epoch seconds, "ids": [...]}, fsynced. An id is
    remembered for the window from its line's time (at most one flush interval later than its bump,
    which only errs on the safe side). Appending is cheap whatever the file's size; when the file
    spans more than twice the window it is rewritten atomically with its live lines only, so it
    holds about two windows of ids at most and reading it at start costs the same at any age.

    A line torn by a crash during its append, or left by a failed one, is skipped: the store writes
    ids before their counters, so those counters were not written either, and forgetting the ids is
    what lets a redelivered event count once.
    """

    def __init__(self, path: Path, window: float):
        self.path = path
        self.window = window
        self._oldest: float | None = None  # time of the first line in the file

    def load(self, now: float) -> list[tuple[float, list[str]]]:
        """The live lines, oldest first; dead and torn lines are dropped from the file too."""
        lines, damaged = self._read()
        live = [(at, ids) for at, ids in lines if at > now - self.window]
        if damaged or len(live) < len(lines):
            self._rewrite(live)
        else:
            self._oldest = live[0][0] if live else None
        return live

    def append(self, ids: list[str], at: float) -> None:
        line = json.dumps({"at": round(at, 3), "ids": ids}, ensure_ascii=False, separators=(",", ":")) + "\n"
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
                self._rewrite([(a, i) for a, i in self._read()[0] if a > at - self.window])
            except OSError:  # the ids are appended, which is what matters: compact at the next flush
                log.exception("could not compact %s; will retry", self.path)

    def _read(self) -> tuple[list[tuple[float, list[str]]], bool]:
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
                at, ids = float(entry["at"]), entry["ids"]
                if not isinstance(ids, list):
                    raise TypeError("ids is not a list")
            except (ValueError, TypeError, KeyError):
                damaged = True
                continue
            lines.append((at, [str(i) for i in ids]))
        if damaged:
            log.warning("%s: skipped damaged lines (an append interrupted by a crash)", self.path)
        return lines, damaged

    def _rewrite(self, live: list[tuple[float, list[str]]]) -> None:
        write_atomically(self.path, "".join(
            json.dumps({"at": at, "ids": ids}, ensure_ascii=False, separators=(",", ":")) + "\n" for at, ids in live))
        self._oldest = live[0][0] if live else None


def _truncate_quietly(fd: int, size: int) -> None:
    try:
        os.ftruncate(fd, size)
    except OSError:
        pass
