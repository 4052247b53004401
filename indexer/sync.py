"""Keep the index in step with folders of files: add new files, replace changed ones, prune gone ones.

A manifest beside the index remembers, for every file synced, its size, mtime
and content hash, so a second run over an unchanged folder reads no file at
all. Writes are committed in batches; the manifest is rewritten only after a
batch is committed, so an interrupted run loses at most that batch and the next
run picks up where it stopped (re-adding a file first deletes it by path, so
nothing is indexed twice).

A file that failed is kept in the manifest with its reason and with what the
attempt depended on (:class:`archive.pipeline.Attempt`: pipeline version,
password, OCR), and tried again when any of that changes. Files left out by an
``.archiveignore`` are taken out of the index; files gone from disk are counted
and stay until a run with ``prune``.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archive.errors import ArchiveError
from archive.ignore import IgnoreRules, keep_out
from archive.metadata import SIDECAR_SUFFIXES, Vocabulary, find_vocabulary, sidecar_for
from archive.options import ExtractOptions
from archive.pipeline import Attempt, ExtractionCache, Result, extract_many, file_hash, find_files

from . import engines, store

CACHE_DIR = "extract-cache"


@dataclass(frozen=True)
class SyncOptions:
    jobs: int | None = None
    prune: bool = False
    #: Seconds to wait for another writer before giving up.
    wait: float = 0.0
    #: Files per committed batch.
    batch_files: int = 500
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    vocabulary: Path | None = None
    use_cache: bool = True
    #: Try every file that failed before again, even if nothing it depended on changed.
    retry_failed: bool = False


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    ignored: int = 0  # files and folders left out by an .archiveignore
    gone: int = 0  # indexed files no longer on disk, kept until a run with prune
    documents: int = 0  # documents written in this run
    rebuilt: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


Progress = Callable[[Result], None]


class _Listings:
    """Each folder's file names, read once per run: an unchanged file's sidecar is looked up in them
    rather than with a ``stat`` per sidecar suffix (most files have none)."""

    def __init__(self):
        self._names: dict[str, set[str]] = {}

    def sidecar(self, path: Path) -> Path | None:
        folder, name = os.path.split(path)
        names = self._names.get(folder)
        if names is None:
            try:
                names = self._names[folder] = set(os.listdir(folder))
            except OSError:
                return sidecar_for(Path(path))
        if not any(name + suffix in names for suffix in SIDECAR_SUFFIXES):
            return None
        return sidecar_for(Path(path))


def _stat_signature(path: Path, listings: _Listings | None = None) -> list[int]:
    st = os.stat(path)
    sig = [st.st_size, st.st_mtime_ns]
    sidecar = listings.sidecar(path) if listings is not None else sidecar_for(path)
    if sidecar is not None:
        side = os.stat(sidecar)
        sig += [side.st_size, side.st_mtime_ns]
    return sig


def sync(paths: list[Path], folder: Path, options: SyncOptions | None = None,
         on_plan: Callable[[int], None] | None = None, on_result: Progress | None = None) -> SyncReport:
    """Bring the index in ``folder`` in step with the files under ``paths``."""
    options = options or SyncOptions()
    started = time.monotonic()
    report = SyncReport()
    with store.WriteLock(folder, options.wait):
        manifest = store.read_manifest(folder)
        roots = [os.path.abspath(p) for p in paths]
        if engines.is_current(folder):
            engine = engines.open_engine(folder)
        else:
            # Schema or analysis changed (or no index yet): rebuild, including files
            # synced earlier from other folders; the extraction cache makes it cheap.
            report.rebuilt = bool(manifest)
            # Files synced before stay in the manifest, marked as not yet re-added
            # (before the old index goes), so that a run killed during the rebuild
            # still brings them back.
            manifest = {key: {"stat": None, "hash": None} for key in manifest}
            store.write_manifest(folder, manifest)
            engine = engines.open_engine(folder, create=True)
        if hasattr(engine, "write_processes"):
            # An engine that writes in several processes uses as many as extraction may.
            engine.write_processes = options.jobs
        # Files waiting to be re-added after a rebuild, whichever folders this run names.
        pending = [Path(key) for key, entry in manifest.items() if entry.get("stat") is None and os.path.exists(key)]
        paths = list(paths) + pending

        vocab_path = find_vocabulary(list(paths), options.vocabulary)
        vocabulary = Vocabulary.load(vocab_path) if vocab_path else Vocabulary.empty()
        cache = None
        if options.use_cache:
            salt = hashlib.sha256((vocab_path.read_bytes() if vocab_path else b"") + repr(options.extract).encode()).hexdigest()
            cache = ExtractionCache(folder / CACHE_DIR, salt)

        rules = IgnoreRules()
        attempt = Attempt(options.extract)
        todo, seen = _plan(paths, manifest, report, rules, attempt, options.retry_failed)
        if on_plan:
            on_plan(len(todo))
        batch = _Batch(engine, folder, manifest, options.batch_files, attempt)
        try:
            try:
                for result in extract_many(todo, options.extract, vocabulary, options.jobs, cache):
                    batch.apply(result, report)
                    if on_result:
                        on_result(result)
                _drop_missing(manifest, seen, roots, {str(p) for p in pending}, rules, batch, report, options.prune)
                batch.commit(final=True)
            except BaseException as exc:
                batch.cancel(exc)
                raise
        finally:
            engine.close()
    report.seconds = time.monotonic() - started
    return report


def _plan(paths: list[Path], manifest: dict, report: SyncReport, rules: IgnoreRules, attempt: Attempt,
          retry_failed: bool) -> tuple[list[Path], set[str]]:
    """Files to extract; unchanged files are counted (and still-broken ones reported) without reading them.

    A file that failed is extracted again when what its last attempt depended on
    changed (or with ``retry_failed``); a file with a document removed by id is
    extracted again, so that the document comes back.
    """
    todo: list[Path] = []
    seen: set[str] = set()
    ignored: set[str] = set()
    listings = _Listings()
    for path in find_files(paths, rules, on_ignored=lambda p: ignored.add(str(p))):
        key = os.path.abspath(path)
        if key in seen:
            continue
        seen.add(key)
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            report.failed.append((key.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
                                  "file name is not valid UTF-8: rename the file"))
            continue
        entry = manifest.get(key)
        try:
            signature = _stat_signature(path, listings)
        except OSError:
            todo.append(Path(key))  # extraction reports why it cannot be read
            continue
        if entry and not entry.get("removed") and not (
                entry.get("error") and (retry_failed or entry.get("attempt") != attempt.conditions(path))):
            if entry.get("stat") == signature:
                _count_unchanged(entry, key, report)
                continue
            if entry.get("hash"):
                try:
                    if file_hash(path) == entry["hash"]:  # touched, not changed
                        entry["stat"] = signature
                        _count_unchanged(entry, key, report)
                        continue
                except OSError:
                    pass
        todo.append(Path(key))
    report.ignored = len(ignored)
    return todo, seen


def _count_unchanged(entry: dict, key: str, report: SyncReport) -> None:
    if entry.get("error"):
        report.failed.append((key, entry["error"]))
    else:
        report.unchanged += 1


def _drop_missing(manifest: dict, seen: set[str], roots: list[str], pending: set[str], rules: IgnoreRules,
                  batch: _Batch, report: SyncReport, prune: bool) -> None:
    """Take out files an .archiveignore now leaves out; prune (or count) files gone from disk."""
    for key in list(manifest):
        if key in seen or not (_under(key, roots) or key in pending):
            continue
        if not os.path.lexists(key):
            if not _under(key, roots):
                continue
            if prune:
                batch.remove_path(key)
                report.removed += 1
            elif manifest[key].get("ids"):
                report.gone += 1
        elif rules.ignored(key):
            batch.remove_path(key)
            report.removed += 1


def _under(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class _Batch:
    """The engine's writer committed every ``size`` files, with the manifest updated after each commit."""

    def __init__(self, engine, folder: Path, manifest: dict, size: int, attempt: Attempt):
        self.engine = engine
        self.attempt = attempt
        self.folder = folder
        self.manifest = manifest
        self.size = size
        self.pending: dict[str, dict | None] = {}
        self._block = None
        self.writer = None
        self.committed = False  # a batch was committed without the engine's housekeeping

    def _writer(self):
        if self.writer is None:
            # Housekeeping (the engine's derived data) only after the last batch.
            self._block = self.engine.writer(finish=False)
            self.writer = self._block.__enter__()
        return self.writer

    def apply(self, result: Result, report: SyncReport) -> None:
        key = result.path
        old = self.manifest.get(key)
        writer = self._writer()
        # Always, not only for files the manifest knows: a run killed between a
        # commit and the manifest write has indexed files the manifest lacks.
        writer.delete_path(key)
        try:
            signature = _stat_signature(Path(key))
        except OSError:
            signature = None
        entry = {"stat": signature, "hash": result.content_hash}
        if result.error:
            entry["error"] = result.error
            entry["attempt"] = self.attempt.conditions(Path(key))
            report.failed.append((key, result.error))
        else:
            for doc in result.documents:
                writer.add(doc)
            entry["ids"] = [d.id for d in result.documents]
            report.documents += len(result.documents)
            # New, failed before, waiting since a rebuild, or back after `remove ID`.
            if old is None or old.get("error") or old.get("hash") is None or old.get("removed"):
                report.added += 1
            else:
                report.updated += 1
        self.pending[key] = entry
        if len(self.pending) >= self.size:
            self.commit()

    def remove_path(self, key: str) -> None:
        self._writer().delete_path(key)
        self.pending[key] = None

    def commit(self, final: bool = False) -> None:
        if self._block is None and final and self.committed:
            # The last batch was full and committed already: the engine's housekeeping is still due.
            self._writer()
        if self._block is not None:
            self.writer.finish = final
            self._block.__exit__(None, None, None)
            self.committed = True
        self._block = self.writer = None
        for key, entry in self.pending.items():
            if entry is None:
                self.manifest.pop(key, None)
            else:
                self.manifest[key] = entry
        self.pending = {}
        store.write_manifest(self.folder, self.manifest)

    def cancel(self, exc: BaseException) -> None:
        if self._block is not None:
            block, self._block, self.writer = self._block, None, None
            block.__exit__(type(exc), exc, exc.__traceback__)


@dataclass
class Removal:
    documents: int = 0
    #: For each target kept out for good: the .archiveignore written and the line it holds.
    kept_out: list[tuple[Path, str]] = field(default_factory=list)


def remove(targets: list[str], folder: Path, wait: float = 0.0, forget: bool = False) -> Removal:
    """Take documents out of the index by file path (a folder: every file under it) or by document id.

    The index mirrors the folders: the files are still there, so the next ingest
    of their folder brings them back. With ``forget``, each file (the whole file,
    for a document id) or folder is also written to the ``.archiveignore`` of the
    folder holding it, which ingest honours until the line is deleted.
    Raises ArchiveError when a target matches nothing.
    """
    removal = Removal()
    forgotten: list[str] = []
    with store.WriteLock(folder, wait):
        engine = engines.open_engine(folder)
        manifest = store.read_manifest(folder)
        try:
            with engine.writer() as writer:
                for target in targets:
                    key = os.path.abspath(target)
                    keys = [k for k in manifest if _under(k, [key])]
                    if keys or (forget and os.path.lexists(key)):
                        for k in keys:
                            removal.documents += len(manifest.pop(k).get("ids", []))
                            writer.delete_path(k)
                        if forget:
                            forgotten.append(key)
                        continue
                    doc = engine.document(target, include_internal=True)
                    if doc is None:
                        raise ArchiveError(f"{target}: no indexed file or document id matches")
                    path = doc.path
                    if forget:
                        entry = manifest.pop(path, None)
                        removal.documents += len(entry.get("ids", [])) if entry else 1
                        writer.delete_path(path)
                        forgotten.append(path)
                        continue
                    writer.delete_document(target)
                    removal.documents += 1
                    entry = manifest.get(path)
                    if entry is not None:
                        if target in entry.get("ids", []):
                            entry["ids"].remove(target)
                        entry["removed"] = True  # extracted again by the next ingest of its folder
        finally:
            engine.close()
        store.write_manifest(folder, manifest)
        removal.kept_out = [keep_out(path) for path in dict.fromkeys(forgotten)]
    return removal
