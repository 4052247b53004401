"""From a file on disk to finished documents: extract, detect languages, add metadata, apply overrides.

``extract_file`` does one file; ``extract_many`` does many over worker processes
and reuses results cached by content hash, so re-indexing does not re-extract
files that did not change.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__
from .errors import ArchiveError, ExtractionError
from .extractors import extractor_for, is_supported
from .ignore import IgnoreRules
from .metadata import (Vocabulary, apply_overrides, guess_type, is_sidecar, plausible_title, read_sidecar, resolve_date,
                       sidecar_for, title_year)
from .model import Document
from .options import ExtractOptions

#: Bump when extraction output changes, so cached results are not reused.
PIPELINE_VERSION = f"{__version__}-9"


@dataclass
class Result:
    """What became of one file: documents, or an error with its reason."""

    path: str
    content_hash: str = ""
    documents: list[Document] = field(default_factory=list)
    error: str | None = None
    detail: str | None = None  # the traceback, for --verbose
    cached: bool = False


def file_hash(path: Path, data: bytes | None = None) -> str:
    """SHA-256 of the file's bytes and of its sidecar's, so editing a sidecar counts as a change."""
    digest = hashlib.sha256(data if data is not None else path.read_bytes())
    sidecar = sidecar_for(path)
    if sidecar is not None:
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()


class Attempt:
    """What extracting a file depends on besides its bytes.

    Recorded beside each failure, so that the next ingest tries a failed file
    again when any of it changed (a password given, a new pipeline version,
    OCR installed) and leaves it alone otherwise.
    """

    def __init__(self, options: ExtractOptions):
        self.options = options
        self.common = {"pipeline": PIPELINE_VERSION,
                       "options": hashlib.sha256(repr(replace(options, password="")).encode()).hexdigest()[:16]}
        self._pdf: dict[str, str] | None = None

    def conditions(self, path: Path) -> dict[str, str]:
        if path.suffix.lower() != ".pdf":
            return self.common
        if self._pdf is None:  # only PDFs take a password or need OCR
            from .extractors.pdf_ocr import unavailable_reason

            self._pdf = {**self.common, "password": _password_digest(self.options.password),
                         "ocr": unavailable_reason(self.options) or "available"}
        return self._pdf


def _password_digest(password: str) -> str:
    """Tells passwords apart without keeping them: a slow hash, since the manifest is a plain file."""
    if not password:
        return ""
    return hashlib.scrypt(password.encode("utf-8"), salt=b"archive manifest", n=2**14, r=8, p=1, dklen=8).hex()


def document_id(path: str, part: int) -> str:
    return hashlib.sha1(f"{path}#{part}".encode("utf-8", "surrogateescape")).hexdigest()[:16]


def find_files(paths: Iterable[Path], rules: IgnoreRules | None = None,
               on_ignored: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Supported files under the given files and folders, sorted, skipping hidden files and sidecars.

    Files and folders left out by an ``.archiveignore`` (see :mod:`archive.ignore`)
    are skipped and passed to ``on_ignored``. Symlinked folders are not followed
    (a link loop cannot trap the walk).
    """
    rules = rules or IgnoreRules()
    for root in paths:
        if root.is_file():
            if rules.ignored(root):
                if on_ignored:
                    on_ignored(root)
                continue
            yield root
            continue
        if not root.is_dir():
            raise ArchiveError(f"{root}: no such file or folder")
        if rules.ignored(root):
            if on_ignored:
                on_ignored(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            kept = []
            for name in sorted(d for d in dirnames if not d.startswith(".")):
                if rules.ignored(os.path.join(dirpath, name)):
                    if on_ignored:
                        on_ignored(Path(dirpath) / name)
                else:
                    kept.append(name)
            dirnames[:] = kept
            for name in sorted(filenames):
                candidate = Path(dirpath) / name
                if name.startswith(".") or is_sidecar(candidate) or not is_supported(candidate):
                    continue
                if rules.ignored(candidate):
                    if on_ignored:
                        on_ignored(candidate)
                    continue
                yield candidate


def extract_file(path: Path, options: ExtractOptions | None = None, vocabulary: Vocabulary | None = None) -> list[Document]:
    """Every document in one file, finished. Raises ArchiveError with the reason when the file is unusable."""
    options = options or ExtractOptions()
    path = Path(os.path.abspath(path))
    try:
        size = path.stat().st_size
        if size > options.max_file_bytes:
            raise ExtractionError(f"too large: {size // (1024 * 1024)} MB (limit {options.max_file_bytes // (1024 * 1024)} MB)")
        data = path.read_bytes()
    except PermissionError:
        raise ExtractionError("permission denied", str(path)) from None
    except IsADirectoryError:
        raise ExtractionError("is a folder, not a file", str(path)) from None
    except FileNotFoundError:
        raise ExtractionError("no such file", str(path)) from None
    except OSError as exc:
        raise ExtractionError(f"cannot read: {exc.strerror or exc}", str(path)) from None
    return finish(path, data, extractor_for(path)(path, data, options), vocabulary, file_hash(path, data))


def finish(path: Path, data: bytes, docs: list[Document], vocabulary: Vocabulary | None, content_hash: str) -> list[Document]:
    """Language, metadata, overrides and ids for freshly extracted documents."""
    from .language import detect_passages, split_languages

    vocabulary = vocabulary or Vocabulary.empty()
    sidecar = sidecar_for(path)
    overrides = read_sidecar(sidecar) if sidecar else {}
    for part, doc in enumerate(docs):
        doc.path = str(path)
        doc.part = part
        doc.id = document_id(doc.path, part)
        doc.content_hash = content_hash
        # A page holding French and Dutch blocks becomes a passage per block,
        # so that each is labelled, stemmed and filtered in its own language.
        doc.passages = split_languages(doc.passages)
        doc.lang, doc.langs = detect_passages(doc.passages)
        doc.date = resolve_date(doc)
        if not doc.title:
            doc.title = _fallback_title(doc, path)
        doc.projects = vocabulary.match(doc.title + "\n" + doc.text)
        doc.type = guess_type(doc)
        named = title_year(doc) if doc.type == "report" else None
        if named and named != doc.year:
            doc.year_override = named
        apply_overrides(doc, overrides)
    return docs


def _fallback_title(doc: Document, path: Path) -> str:
    """The first line of the text that could be a title (not a page number, a
    printer's line or a date) and comes before the body text, else the file name."""
    for line in (doc.passages[0].text.strip().split("\n")[:12] if doc.passages else []):
        line = line.strip()
        if len(line) > 160:
            break  # the body has begun: a line further down is not the title
        if plausible_title(line):
            return line
    return path.stem.replace("_", " ").replace("-", " ")


# --- many files, in parallel, with a cache -----------------------------------


class ExtractionCache:
    """Finished documents stored as JSON under their file's content hash."""

    def __init__(self, folder: Path, salt: str = ""):
        self.folder = folder
        self.salt = salt

    def _entry(self, content_hash: str) -> Path:
        key = hashlib.sha256(f"{PIPELINE_VERSION}\0{self.salt}\0{content_hash}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.json"

    def get(self, content_hash: str, path: Path) -> list[Document] | None:
        try:
            records = json.loads(self._entry(content_hash).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        docs = [Document.from_dict(r) for r in records]
        for doc in docs:  # the same bytes may now live under another name
            doc.path = str(path)
            doc.id = document_id(doc.path, doc.part)
        return docs

    def put(self, content_hash: str, docs: list[Document]) -> None:
        entry = self._entry(content_hash)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            tmp = entry.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps([d.to_dict(full=True) for d in docs], ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, entry)
        except OSError:
            pass  # a cache that cannot be written only costs time


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "archive" / "extract"


_worker_state: dict = {}


def _init_worker(options: ExtractOptions, vocabulary: Vocabulary, parent: int) -> None:
    _worker_state["options"] = options
    _worker_state["vocabulary"] = vocabulary
    _die_with(parent)
    if options.max_memory_mb:
        import resource

        limit = options.max_memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass  # a lower hard limit is already in place


def _work(path: Path) -> Result:
    return _extract_one(path, _worker_state["options"], _worker_state["vocabulary"], None)


def _die_with(parent: int) -> None:
    """Ask Linux to kill this worker when the ingest that forked it dies (even by SIGKILL).

    The ingest may have died between the fork and this call, which the request
    would not cover: then the worker has been handed to another parent and exits now.
    """
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: orphaned workers finish their file and exit
    if os.getppid() != parent:
        os._exit(1)


class _OutOfTime(BaseException):
    """Raised by the time limit. Not an Exception, so that an extractor's broad
    ``except Exception`` (skipping one damaged page, say) cannot swallow it."""


class _TimeLimit:
    """Interrupt one file's extraction after ``seconds`` (SIGALRM; main thread only).

    The extractors are pure Python, so the signal lands between bytecodes and
    a pathological file cannot hang the run.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = False

    def __enter__(self):
        import signal
        import threading

        if self.seconds > 0 and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
            self.active = True
        return self

    def _expire(self, signum, frame):
        raise _OutOfTime()

    def __exit__(self, *exc):
        if self.active:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def _extract_one(path: Path, options: ExtractOptions, vocabulary: Vocabulary, cache: ExtractionCache | None) -> Result:
    result = Result(str(path))
    try:
        with _TimeLimit(options.timeout):
            _extract_into(result, path, options, vocabulary, cache)
    except _OutOfTime:
        result.documents = []
        result.error = f"gave up after {options.timeout:g} s (time limit per file)"
    return result


def _extract_into(result: Result, path: Path, options: ExtractOptions, vocabulary: Vocabulary, cache: ExtractionCache | None) -> None:
    try:
        content_hash = file_hash(path)
        result.content_hash = content_hash
        if cache is not None:
            cached = cache.get(content_hash, Path(os.path.abspath(path)))
            if cached is not None:
                result.documents, result.cached = cached, True
                return
        result.documents = extract_file(path, options, vocabulary)
    except ArchiveError as exc:
        result.error = getattr(exc, "reason", None) or str(exc)
        result.detail = traceback.format_exc()
    except MemoryError:
        result.error = "too large to process: ran out of memory (limit per worker)"
    except RecursionError:
        result.error = "too deeply nested to process"
    except OSError as exc:
        result.error = f"cannot read: {exc.strerror or exc}"
        result.detail = traceback.format_exc()
    except Exception as exc:  # an extractor bug must cost one file, not the run
        result.error = f"unexpected error: {type(exc).__name__}: {exc}"
        result.detail = traceback.format_exc()


def extract_many(
    paths: list[Path],
    options: ExtractOptions | None = None,
    vocabulary: Vocabulary | None = None,
    jobs: int | None = None,
    cache: ExtractionCache | None = None,
) -> Iterator[Result]:
    """Results for every path, cached ones first, the rest from ``jobs`` worker processes.

    Results come back as files finish, not in input order; the workers take the likely costliest
    files first.
    """
    options = options or ExtractOptions()
    vocabulary = vocabulary or Vocabulary.empty()
    jobs = jobs or os.cpu_count() or 1
    todo: list[Path] = []
    for path in paths:
        if cache is not None:
            try:
                content_hash = file_hash(path)
            except OSError:
                todo.append(path)  # the worker reports the reason
                continue
            docs = cache.get(content_hash, Path(os.path.abspath(path)))
            if docs is not None:
                yield Result(str(path), content_hash, docs, cached=True)
                continue
        todo.append(path)
    if jobs == 1 or len(todo) <= 1:
        for path in todo:
            result = _extract_one(path, options, vocabulary, None)
            _store(cache, result)
            yield result
        return
    _warm_up(todo)
    # The costliest files first (a long PDF started last keeps one worker busy while the others
    # wait), one file per task, and each result handed on as soon as it is ready: the index
    # writers then get work at an even pace instead of waiting behind the slowest file of a chunk.
    todo.sort(key=_cost_hint, reverse=True)
    waiting = iter(todo)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(options, vocabulary, os.getpid())) as pool:
        running = {pool.submit(_work, path) for path in itertools.islice(waiting, jobs * _AHEAD)}
        try:
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    path = next(waiting, None)
                    if path is not None:
                        running.add(pool.submit(_work, path))
                for future in done:
                    result = future.result()
                    _store(cache, result)
                    yield result
        finally:  # the ingest stopped early: files not started yet are not extracted
            for future in running:
                future.cancel()


#: Files queued per worker process, so that none waits for the next while results are handed on.
_AHEAD = 4


def _cost_hint(path: Path) -> tuple[bool, int]:
    """Orders files by likely extraction time: PDFs (pages laid out, perhaps OCR) before the rest,
    larger before smaller."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return path.suffix.lower() == ".pdf", size


def _warm_up(paths: list[Path]) -> None:
    """Load word lists and extractor modules once, before the workers fork, so they share them."""
    import importlib

    from .extractors import extractor_for
    from .language import preload

    preload()
    for module in {extractor_for(p).module for p in paths if is_supported(p)}:
        try:
            importlib.import_module(module, "archive.extractors")
        except ImportError:
            pass


def _store(cache: ExtractionCache | None, result: Result) -> None:
    if cache is not None and result.error is None and result.content_hash:
        cache.put(result.content_hash, result.documents)
