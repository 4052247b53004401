"""The fast paths: the index written by several processes at once, and what a plain search does not load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from archive.model import Document, Passage
from indexer.contract import SearchRequest
from indexer.whoosh import writer as whoosh_writer
from indexer.whoosh.engine import WhooshEngine

ROOT = Path(__file__).resolve().parents[1]
WORDS = ["enfants", "kinderen", "children", "traite", "mensenhandel", "trafficking", "ecole", "school", "sport", "veilig"]


def documents(count: int, folder: str = "/archive", marker: str = "") -> list[Document]:
    """``count`` documents of five passages each; document i says word i % 10 and ``doc{i}``."""
    docs = []
    for i in range(count):
        passages = [Passage(f"{WORDS[i % len(WORDS)]} doc{i} passage{j} {marker} rapport verslag report", page=j + 1, lang="fr")
                    for j in range(5)]
        docs.append(Document(path=f"{folder}/file{i}.txt", format="text", passages=passages, title=f"Document {i}",
                             lang="fr", langs={"fr": 1.0}, id=f"d{i:04d}"))
    return docs


def passages_of(engine: WhooshEngine) -> int:
    return engine.searcher().doc_count()


def hits(engine: WhooshEngine, query: str) -> int:
    return engine.search(SearchRequest(query=query, per_page=10)).total


@pytest.fixture()
def parallel_engine(tmp_path):
    engine = WhooshEngine(tmp_path / "index", create=True)
    engine.write_processes = 2
    yield engine
    engine.close()


def test_two_processes_write_every_passage_once_and_a_document_stays_together(parallel_engine):
    engine = parallel_engine
    docs = documents(3 * whoosh_writer.SUB_BATCH // 5 + 7)  # more passages than two sub-writer batches
    with engine.writer() as writer:
        for doc in docs:
            writer.add(doc)
        sub_writers = len(writer._writer.tasks)
    assert sub_writers == 2
    assert passages_of(engine) == 5 * len(docs)
    searcher = engine.searcher()
    assert len(searcher.subsearchers) >= 2  # the sub-writers' segments, as they are
    for i in (0, len(docs) // 2, len(docs) - 1):
        assert hits(engine, f"doc{i}") == 1
        # The five passages of a document are consecutive (one sub-writer wrote them).
        numbers = sorted(searcher.document_numbers(doc_id=f"d{i:04d}"))
        assert len(numbers) == 5 and numbers[-1] - numbers[0] == 4


def test_a_parallel_batch_replaces_what_earlier_batches_wrote(parallel_engine):
    engine = parallel_engine
    docs = documents(120)
    with engine.writer(finish=False) as writer:
        for doc in docs:
            writer.add(doc)
    # Re-adding: delete by path first (as ingest does), then write the new version, in parallel again.
    with engine.writer() as writer:
        for doc in documents(120, marker="zorglub"):
            writer.delete_path(doc.path)
            writer.add(doc)
    assert passages_of(engine) == 5 * 120
    assert hits(engine, "zorglub") == 120 and hits(engine, "doc7") == 1


def test_a_small_batch_is_written_without_sub_writers(parallel_engine):
    engine = parallel_engine
    with engine.writer() as writer:
        for doc in documents(3):
            writer.add(doc)
        assert not writer._writer.tasks
    assert passages_of(engine) == 15


def test_a_sub_writer_that_dies_fails_the_commit_and_leaves_the_index_as_it_was(parallel_engine):
    engine = parallel_engine
    with engine.writer() as writer:
        for doc in documents(10, folder="/before"):
            writer.add(doc)
    with pytest.raises(RuntimeError, match="sub-writer"):
        with engine.writer() as writer:
            for doc in documents(100):
                writer.add(doc)
            task = writer._writer.tasks[0]
            os.kill(task.pid, signal.SIGKILL)
            task.join()
    assert passages_of(engine) == 50
    # The lock was released: the next writer works.
    with engine.writer() as writer:
        for doc in documents(100):
            writer.add(doc)
    assert passages_of(engine) == 550


def test_sub_writers_die_with_a_killed_ingest(tmp_path):
    """A sub-writer outliving its ingest would keep the ingest lock (an inherited descriptor)."""
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        sys.path.insert(0, {str(ROOT / 'tests')!r})
        from test_speed_paths import documents
        from indexer.whoosh.engine import WhooshEngine
        engine = WhooshEngine({str(tmp_path / 'index')!r}, create=True)
        engine.write_processes = 2
        with engine.writer() as writer:
            for doc in documents(100):
                writer.add(doc)
            print(*[t.pid for t in writer._writer.tasks], flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert pids
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if _running(p)]
        time.sleep(0.1)
    assert not alive
    # And the index is still the empty one: nothing of the killed batch is visible.
    engine = WhooshEngine(tmp_path / "index")
    assert passages_of(engine) == 0
    engine.close()


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_plain_search_reads_neither_the_glossary_nor_the_dictionary(built_index):
    folder, index = built_index
    engine = WhooshEngine.open(index, folder.parent / "glossary.tsv")
    try:
        assert engine.cross_language_available if hasattr(engine, "cross_language_available") else engine.crosslang.available
        engine.search(SearchRequest(query="enfants"))
        assert engine.crosslang._glossary is None and engine.crosslang._dictionary is None
        expanded = engine.search(SearchRequest(query="traite", cross_language=True))
        assert engine.crosslang._glossary is not None and expanded.total >= 1
    finally:
        engine.close()


def test_an_unreadable_glossary_is_still_reported_when_the_engine_opens(built_index, tmp_path):
    from indexer.errors import QueryError

    _, index = built_index
    with pytest.raises(QueryError, match="glossary"):
        WhooshEngine.open(index, tmp_path / "missing.tsv")


def test_an_ingest_whose_last_batch_is_full_still_brings_the_derived_data_up_to_date(corpus, tmp_path):
    """With a number of files that is a multiple of the batch size, the final commit had nothing left
    to write and skipped the facet table and the saved postings: every search then rebuilt them."""
    from indexer.sync import SyncOptions, sync

    files = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")
    index = tmp_path / "index"
    sync(files[:4], index, SyncOptions(jobs=1, batch_files=2))
    engine = WhooshEngine(index)
    generation = engine.searcher().reader().generation()
    engine.close()
    assert (index / f"facets-{generation}.pickle").is_file()
    assert any((index / "postings").iterdir())


def test_an_unchanged_sync_still_sees_a_sidecar_added_changed_or_removed(tmp_path):
    """Sidecars are looked up in each folder's listing, read once: adding, editing or deleting one
    still counts as a change of its file."""
    import json

    from indexer.sync import SyncOptions, sync

    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(f"Rapport {name} sur la protection des enfants.\n", encoding="utf-8")
    index = tmp_path / "index"
    options = SyncOptions(jobs=1)
    assert sync([folder], index, options).added == 2
    assert sync([folder], index, options).unchanged == 2
    sidecar = folder / "a.txt.meta.json"
    sidecar.write_text(json.dumps({"visibility": "internal"}), encoding="utf-8")
    report = sync([folder], index, options)
    assert (report.updated, report.unchanged) == (1, 1)
    sidecar.write_text(json.dumps({"visibility": "internal", "type": "report"}), encoding="utf-8")
    assert sync([folder], index, options).updated == 1
    sidecar.unlink()
    report = sync([folder], index, options)
    assert (report.updated, report.unchanged) == (1, 1)
    assert sync([folder], index, options).unchanged == 2
