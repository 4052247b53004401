"""Bad files, killed writers and concurrent use, in small: the quick versions of bench/hostile_files.py,
bench/crash_test.py and bench/concurrency_test.py. Every ingest runs as a real `archive` process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import crash_test  # noqa: E402
import hostile_files as hf  # noqa: E402

from archive.pipeline import find_files  # noqa: E402
from indexer import store  # noqa: E402

ARCHIVE = hf.archive_command()


def archive(*args, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVE, *map(str, args)], capture_output=True, text=True, timeout=timeout)


def start_sync(corpus: Path, index: Path, batch_files: int) -> subprocess.Popen:
    """The ingest through the library with small batches, in its own process group."""
    return subprocess.Popen([sys.executable, "-c", crash_test.DRIVER, str(corpus), str(index), "2", str(batch_files)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def search_paths(index: Path, query: str) -> list[str]:
    result = archive("search", query, "--index", index, "--format", "json", "--limit", "100")
    assert result.returncode == 0, result.stderr
    return [h["path"] for h in json.loads(result.stdout)["hits"]]


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("reliability") / "corpus"
    return folder, crash_test.write_corpus(folder, 160, seed=3, per_folder=40)


# --- bad input -------------------------------------------------------------------------


def test_hostile_files_are_each_indexed_or_reported_with_a_reason(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = {}

    def put(name: str, data: bytes) -> Path:
        (corpus / name).write_bytes(data)
        return corpus / name

    for fmt, lang in (("txt", "fr"), ("pdf", "en"), ("docx", "nl"), ("md", "en"), ("html", "fr")):
        good[f"good.{fmt}"] = marker = f"zqgood{fmt}"
        put(f"good.{fmt}", hf.good_document(fmt, lang, marker))
    good["utf16.html"] = "zqutfsixteen"
    put("utf16.html", b"\xff\xfe" + hf.html_text("fr", "zqutfsixteen", 1, "utf-16").encode("utf-16-le"))
    good["cp1252.html"] = "zqwindows"
    put("cp1252.html", hf.html_text("fr", "zqwindows", 1, "windows-1252").encode("cp1252"))
    bad = {
        "empty.pdf": b"", "empty.docx": b"", "empty.html": b"", "empty.txt": b"", "empty.md": b"",
        "binary.txt": bytes(range(256)) * 20, "binary.html": b"\x89PNG\r\n\x1a\n" + bytes(3000), "binary.docx": os.urandom(3000),
        "binary.pdf": os.urandom(3000), "encrypted.pdf": hf.pdf_bytes(["secret text"], "Secret", encrypt=_encryption()),
        "loop.pdf": hf.page_tree_loop_pdf(),
    }
    for name, data in bad.items():
        put(name, data)
    hf.docx_package(corpus / "zipbomb.docx", hf.docx_xml((b" " * (1 << 20) for _ in range(64)), tail=False))
    bad["zipbomb.docx"] = b""
    base = hf.pdf_bytes(hf.body_text("en", "zqtruncated"), "Cut")
    put("truncated.pdf", base[: len(base) // 3])
    os.symlink("loop_b.txt", corpus / "loop_a.txt")
    os.symlink("loop_a.txt", corpus / "loop_b.txt")
    put("notes.rtf", b"{\\rtf1 not for the archive}")

    index = tmp_path / "index"
    result = archive("ingest", corpus, "--index", index, "--jobs", "2")
    assert result.returncode == 1, result.stderr
    reasons = {}
    for line in result.stderr.splitlines():
        if line.startswith("failed: "):
            path, _, reason = line[len("failed: "):].partition(": ")
            reasons[os.path.basename(path)] = reason
    for name in bad:
        assert reasons.get(name, "").strip(), f"{name} not reported: {result.stderr[-1500:]}"
        assert not reasons[name].startswith("unexpected error"), f"{name}: {reasons[name]}"
    assert reasons["encrypted.pdf"].startswith("encrypted")
    indexed = {os.path.basename(p) for p in hf.indexed_paths(index)}
    for name, marker in good.items():
        assert search_paths(index, marker) == [str(corpus / name)], name
    seen = {p.name for p in find_files([corpus])}
    assert not indexed & set(reasons), "a file both indexed and reported"
    allowed_silent = {"loop_a.txt", "loop_b.txt"}  # a link loop may be skipped as well as reported
    assert seen - allowed_silent <= indexed | set(reasons), f"silently missing: {seen - indexed - set(reasons)}"
    assert "notes.rtf" not in indexed | set(reasons)
    doc = json.loads(archive("show", json.loads(archive("search", "zqwindows", "--index", index, "--format", "json").stdout)["hits"][0]["id"],
                             "--index", index, "--format", "json").stdout)
    assert hf.ACCENT_CHECK in doc["text"], "windows-1252 accents garbled"


def _encryption():
    from reportlab.lib.pdfencrypt import StandardEncryption

    return StandardEncryption("user-password", "owner-password")



def test_the_time_limit_holds_for_a_pdf_with_slow_pages(tmp_path):
    from archive.options import ExtractOptions
    from archive.pipeline import extract_many

    path = tmp_path / "slow_pages.pdf"
    path.write_bytes(hf.pdf_bomb(10**6, streams=3))  # each page's content: 1 MB of NUL bytes, some seconds to tokenise
    started = time.monotonic()
    [result] = list(extract_many([path], ExtractOptions(timeout=1, ocr="never"), jobs=1))
    took = time.monotonic() - started
    assert took < 3, f"a 1 s time limit took {took:.0f} s ({result.error})"
    assert result.error and "gave up" in result.error, result.error



def test_a_file_name_that_is_not_utf8_does_not_stop_the_ingest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_bytes(hf.text_bytes("en", "zqplainname"))
    with open(os.fsencode(corpus) + b"/caf\xe9.txt", "wb") as fh:
        fh.write(hf.text_bytes("fr", "zqlatinname"))
    result = archive("ingest", corpus, "--index", tmp_path / "index", "--jobs", "1")
    # The file whose name cannot be shown is reported, by its (escaped) path and the reason; the other is indexed.
    assert "1 added" in result.stdout and "1 failed" in result.stdout, result.stderr[-500:]
    assert "caf" in result.stderr and "file name is not valid UTF-8: rename the file" in result.stderr
    assert search_paths(tmp_path / "index", "zqplainname") == [str(corpus / "ok.txt")]


# --- killed writers ----------------------------------------------------------------------


def test_sigkill_during_an_ingest_then_a_rerun_indexes_everything_once(small_corpus, tmp_path):
    corpus, markers = small_corpus
    index = tmp_path / "index"
    proc = start_sync(corpus, index, batch_files=20)
    wait_for(lambda: len(store.read_manifest(index)) >= 40 or proc.poll() is not None, 120, "two committed batches")
    assert proc.poll() is None, "the ingest finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    committed = len(store.read_manifest(index))
    assert 40 <= committed < len(markers)
    assert crash_test.check_index(index, markers, complete=False, cli_sample=list(markers.values())[:2]) == []
    assert crash_test.stale_lock(index).startswith("left naming dead pid")
    started = time.monotonic()
    rerun = archive("ingest", corpus, "--index", index, "--jobs", "2")  # no --wait: the dead writer's lock must not count
    assert rerun.returncode == 0, rerun.stderr[-800:]
    assert f"{committed} unchanged" in rerun.stdout
    assert crash_test.check_index(index, markers, complete=True, cli_sample=[]) == []
    assert time.monotonic() - started < 120



def test_a_kill_between_commit_and_manifest_does_not_duplicate_passages(tmp_path):
    corpus = tmp_path / "corpus"
    markers = crash_test.write_corpus(corpus, 30, seed=5)
    index = tmp_path / "index"
    script = ("import os, signal, sys\nfrom pathlib import Path\nfrom indexer import store, sync\n"
              "store.write_manifest = lambda folder, files: os.kill(os.getpid(), signal.SIGKILL)\n"
              "sync.sync([Path(sys.argv[1])], Path(sys.argv[2]), sync.SyncOptions(jobs=1, batch_files=10))\n")
    killed = subprocess.run([sys.executable, "-c", script, str(corpus), str(index)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert killed.returncode == -signal.SIGKILL
    assert archive("ingest", corpus, "--index", index, "--jobs", "1").returncode == 0
    assert crash_test.check_index(index, markers, complete=True, cli_sample=[]) == []



def test_a_rebuild_killed_early_does_not_forget_files_from_other_folders(tmp_path):
    first = crash_test.write_corpus(tmp_path / "first", 10, seed=6)
    other = crash_test.write_corpus(tmp_path / "other", 5, seed=7)
    index = tmp_path / "index"
    assert archive("ingest", tmp_path / "first", "--index", index).returncode == 0
    assert archive("ingest", tmp_path / "other", "--index", index).returncode == 0
    version = json.loads((index / store.VERSION_FILE).read_text())
    (index / store.VERSION_FILE).write_text(json.dumps(dict(version, signature="an older version")))
    script = ("import os, signal, sys\nfrom pathlib import Path\nfrom indexer import sync\nfrom indexer.whoosh import index\n"
              "real = index.create\n"
              "def create(folder):\n    ix = real(folder)\n    os.kill(os.getpid(), signal.SIGKILL)\n"
              "index.create = create\nsync.sync([Path(sys.argv[1])], Path(sys.argv[2]), sync.SyncOptions(jobs=1))\n")
    killed = subprocess.run([sys.executable, "-c", script, str(tmp_path / "first"), str(index)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert killed.returncode == -signal.SIGKILL
    assert archive("ingest", tmp_path / "first", "--index", index).returncode == 0
    assert crash_test.check_index(index, {**first, **other}, complete=True, cli_sample=[]) == []


def test_searching_an_index_with_no_documents_says_no_results(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    assert archive("ingest", corpus, "--index", tmp_path / "index").returncode == 1
    result = archive("search", "anything", "--index", tmp_path / "index")
    assert result.returncode == 0, result.stderr
    assert "No results" in result.stdout



def running(pid: int) -> bool:
    """Whether ``pid`` is alive; a zombie (dead, waiting for a PID 1 that may never reap it) is not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def test_killing_only_the_main_process_does_not_block_the_next_ingest(small_corpus, tmp_path):
    corpus, markers = small_corpus
    index = tmp_path / "index"
    proc = subprocess.Popen([ARCHIVE, "ingest", str(corpus), "--index", str(index), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[int] = []

    def children() -> list[int]:
        try:
            return [int(p) for p in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        except OSError:
            return []

    try:
        wait_for(lambda: len(children()) >= 2 or proc.poll() is not None, 60, "the extraction workers")
        workers = children()
        os.kill(proc.pid, signal.SIGKILL)  # as the out-of-memory killer would: the main process only
        proc.wait()
        time.sleep(1)
        rerun = archive("ingest", corpus, "--index", index, "--jobs", "2")
        assert rerun.returncode == 0, rerun.stderr.strip().splitlines()[-1:]
        assert not [p for p in workers if running(p)], "orphaned workers still running"
    finally:
        for pid in workers:  # started by this test
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# --- concurrent use -------------------------------------------------------------------------


def test_two_ingests_at_once_one_is_refused_clearly_and_nothing_is_corrupted(small_corpus, tmp_path):
    corpus, markers = small_corpus
    index = tmp_path / "index"
    first = subprocess.Popen([ARCHIVE, "ingest", str(corpus), "--index", str(index), "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = index / store.LOCK_FILE
    wait_for(lambda: lock.exists() and lock.read_text().strip() == f"pid {first.pid}" or first.poll() is not None, 60, "the first ingest's lock")
    second = archive("ingest", corpus, "--index", index, "--jobs", "2", timeout=30)
    waiting = subprocess.Popen([ARCHIVE, "ingest", str(corpus), "--index", str(index), "--wait", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = first.communicate(timeout=180)
    assert first.returncode == 0, err[-500:]
    assert second.returncode == 1
    assert f"being written by pid {first.pid}" in second.stderr and "--wait" in second.stderr
    waited_out, waited_err = waiting.communicate(timeout=180)
    assert waiting.returncode == 0, waited_err[-500:]
    assert f"0 added, 0 updated, {len(markers)} unchanged" in waited_out
    assert crash_test.check_index(index, markers, complete=True, cli_sample=[]) == []


def test_searches_keep_answering_while_an_ingest_writes(small_corpus, tmp_path):
    from indexer.whoosh.engine import WhooshEngine
    from indexer.contract import SearchRequest

    corpus, markers = small_corpus
    index = tmp_path / "index"
    first_part = str(corpus / "part00") + os.sep
    assert archive("ingest", corpus / "part00", "--index", index).returncode == 0
    old = [(p, m) for p, m in markers.items() if p.startswith(first_part)][:20]
    new = [(p, m) for p, m in markers.items() if not p.startswith(first_part)]
    assert old and new
    engine = WhooshEngine(index, refresh_interval=0.2)
    errors: list[str] = []
    seen_new: set[str] = set()
    ingest = subprocess.Popen([ARCHIVE, "ingest", str(corpus), "--index", str(index), "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    searches = 0
    while ingest.poll() is None or searches < 20:
        path, marker = (old + new)[searches % (len(old) + len(new))]
        try:
            got = [h.path for h in engine.search(SearchRequest(marker, include_internal=True)).hits]
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            continue
        finally:
            searches += 1
        if (path, marker) in old and got != [path]:
            errors.append(f"{marker}: {got}")
        elif got == [path]:
            seen_new.add(path)
        elif got or path in seen_new:
            errors.append(f"{marker}: {got} after being found")
    cli = search_paths(index, old[0][1])
    ingest.wait()
    engine.refresh()
    assert ingest.returncode == 0
    assert errors == []
    assert cli == [old[0][0]]
    assert all([h.path for h in engine.search(SearchRequest(m, include_internal=True)).hits] == [p] for p, m in new)
    engine.close()
