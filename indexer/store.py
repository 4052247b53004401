"""Where the index lives, which version built it, the manifest of synced files, and the lock.

A small JSON file beside the engine's files records the engine's schema and
analysis version that built the index; when the code's version differs the
index is rebuilt by ``ingest`` instead of silently giving wrong results.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from pathlib import Path

from .analysis import ANALYSIS_VERSION
from .errors import IndexLocked

VERSION_FILE = "archive-index.json"
MANIFEST_FILE = "archive-manifest.json"
LOCK_FILE = "archive-ingest.lock"


def default_index_dir() -> Path:
    """``$ARCHIVE_INDEX``, else ``$XDG_DATA_HOME/archive/index`` (``~/.local/share/archive/index``)."""
    env = os.environ.get("ARCHIVE_INDEX")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "archive" / "index"


def resolve_index_dir(folder: str | os.PathLike | None) -> Path:
    return Path(folder) if folder else default_index_dir()


def read_version(folder: Path) -> str | None:
    try:
        return json.loads((folder / VERSION_FILE).read_text(encoding="utf-8")).get("signature")
    except (OSError, ValueError, AttributeError):
        return None


def write_version(folder: Path, signature: str) -> None:
    """Record which engine version built the index in ``folder`` (see :func:`read_version`)."""
    _write_json(folder / VERSION_FILE, {"signature": signature, "created": time.strftime("%Y-%m-%dT%H:%M:%S")})


def _write_json(path: Path, data) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def read_manifest(folder: Path) -> dict[str, dict]:
    """path -> {size, mtime, hash, ids, error} for every file synced into the index."""
    try:
        data = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("files", {}) if isinstance(data, dict) else {}


def write_manifest(folder: Path, files: dict[str, dict]) -> None:
    _write_json(folder / MANIFEST_FILE, {"analysis": ANALYSIS_VERSION, "files": files})


_HELD: set[str] = set()
_HELD_GUARD = threading.Lock()


class WriteLock:
    """One writer at a time, across processes.

    A POSIX record lock (``lockf``) is released by the kernel when its holder
    dies, so a lock left by a killed ingest never blocks the next one; unlike
    ``flock`` it is not shared with forked extraction workers, which could
    otherwise keep it alive. The pid written inside only serves the message.
    """

    def __init__(self, folder: Path, wait: float = 0.0):
        self.path = folder / LOCK_FILE
        self.wait = wait
        self._fh = None

    def __enter__(self) -> "WriteLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = str(self.path.resolve())
        deadline = time.monotonic() + self.wait
        while True:
            # POSIX locks do not exclude threads of one process; this set does.
            with _HELD_GUARD:
                if key not in _HELD:
                    _HELD.add(key)
                    break
            if time.monotonic() >= deadline:
                raise IndexLocked(f"the index at {self.path.parent} is being written by pid {os.getpid()} (this process); try again when it has finished (or use --wait SECONDS)")
            time.sleep(0.2)
        try:
            self._fh = self._acquire(deadline)
        except BaseException:
            with _HELD_GUARD:
                _HELD.discard(key)
            raise
        self._key = key
        return self

    def _acquire(self, deadline: float):
        fh = open(self.path, "a+")
        while True:
            try:
                fcntl.lockf(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (BlockingIOError, PermissionError):
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    fh.close()
                    raise IndexLocked(f"the index at {self.path.parent} is being written by {holder}; try again when it has finished (or use --wait SECONDS)") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        return fh

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.lockf(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
            with _HELD_GUARD:
                _HELD.discard(self._key)
