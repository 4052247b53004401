"""The faster index writing (one-pass field indexing, indexer/whoosh/postings_writer.py) writes
what Whoosh's own path writes: the same terms, postings, lengths and block statistics."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from whoosh.fields import TEXT

from indexer.whoosh.schema import build_schema

from conftest import write_corpus

TEXTS = [
    "",
    "   \n\n ",
    "Le 6 novembre 2019, ECPAT Belgique a présenté son étude sur la traite des enfants et les évènements sportifs.",
    "l'enfant d'abord, aujourd'hui L’ÉCOLE œuvre Straße — Œdipe, ÆON, ﬁn ﬂux, n° 12, 2019-05-02",
    "Brussel, 12 maart 2020. ECPAT België lanceert een opleiding over mensenhandel en kinderhandel voor voogden.",
    "The children's rights; the the the of of a an. Children, CHILDREN, children!",
    "de het een van de le la les des the a of " * 5,
    "naïve café coöperatie überzeugt façade " * 3,
]


@pytest.mark.parametrize("field", ["title", "text_fr", "text_nl", "text_en", "text_all"])
@pytest.mark.parametrize("text", TEXTS)
def test_a_field_indexes_a_text_as_whoosh_does(field, text):
    fieldobj = build_schema()[field]
    fast = sorted(fieldobj.index(text))
    assert fieldobj._terms_of is not None  # the one-pass path was taken
    assert fast == sorted(TEXT.index(fieldobj, text))


def test_the_one_pass_memory_is_not_pickled():
    import pickle

    schema = build_schema()
    schema["text_fr"].index("les enfants")
    assert "_terms_of" not in pickle.loads(pickle.dumps(schema))["text_fr"].__dict__


# Every term's postings (weight, value), document frequency, block statistics, the field lengths,
# the stored fields and the columns, keyed by passage id (so the order of documents, and so which
# of them share a segment, does not count).
_DIGEST = textwrap.dedent("""
    import hashlib, sys
    from pathlib import Path
    from indexer.whoosh import merging
    JOINED = [0]
    _join = merging.join
    def counted(*args):
        JOINED[0] += 1
        return _join(*args)
    merging.join = counted
    from indexer.sync import SyncOptions, sync
    {setup}
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    sync([Path(sys.argv[1])], Path(sys.argv[2]), SyncOptions(jobs=int(sys.argv[3]), use_cache=False, batch_files=batch))
    if len(sys.argv) > 5:  # change some files and ingest again: their old passages are deleted
        edited = sorted(Path(sys.argv[1]).glob("*.txt"))[:: int(sys.argv[5])]
        before = {{p: p.read_bytes() for p in edited}}
        for p in edited:
            p.write_text(p.read_text(encoding="utf-8") + "\\nEdited: rapport annuel, jaarverslag.\\n", encoding="utf-8")
        sync([Path(sys.argv[1])], Path(sys.argv[2]), SyncOptions(jobs=int(sys.argv[3]), use_cache=False, batch_files=batch))
        for p, data in before.items():
            p.write_bytes(data)
    from indexer.whoosh import index
    h = hashlib.sha256()
    with index.open_index(Path(sys.argv[2])).searcher() as s:
        r = s.reader()
        pids = [r.stored_fields(d)["pid"] for d in range(r.doc_count_all())]
        # Deleted passages stay in their segment, and in its term statistics, until a merge: after
        # a second ingest only the live passages and their postings can be compared.
        edits = len(sys.argv) > 5
        order = sorted((d for d in range(len(pids)) if not (edits and r.is_deleted(d))), key=pids.__getitem__)
        for d in order:
            h.update(repr(sorted(r.stored_fields(d).items())).encode())
        for f in r.schema.scorable_names():
            # None where the passage's segment has no such field at all: the same as 0 (which passages
            # share a segment depends on the order the extraction workers finish in).
            h.update(repr([(pids[d], r.doc_field_length(d, f) or 0) for d in order]).encode())
        for f, t in r.all_terms():
            m, post = r.postings(f, t), []
            while m.is_active():
                if not (edits and r.is_deleted(m.id())):
                    post.append((pids[m.id()], m.weight(), m.value()))
                m.next()
            ti = r.term_info(f, t)
            stats = () if edits else (ti.doc_frequency(), ti.weight(), ti.max_weight(), ti.min_length(), ti.max_length())
            if post or not edits:
                h.update(repr((f, t, stats, sorted(post))).encode())
        for f in sorted(r.schema.names()):
            if r.has_column(f):
                col = r.column_reader(f)
                h.update(repr((f, [col[d] for d in order])).encode())
        segments = len(list(r.leaf_readers()))
    print("DIGEST", len(order), h.hexdigest())
    print("SEGMENTS", segments, "JOINED", JOINED[0])
""")

# Whoosh's own path: the replacements are not installed, the fields index token by token and
# segments are merged by Whoosh's policy.
_WHOOSH_ONLY = textwrap.dedent("""
    from indexer.whoosh import postings_writer, schema
    from whoosh.fields import TEXT
    from whoosh.writing import MERGE_SMALL
    postings_writer.apply = lambda: None
    schema.Text.index = TEXT.index
    merging.JOIN_SMALL = MERGE_SMALL
""")


def _digest(corpus: Path, index: Path, jobs: int, whoosh_only: bool, *more: int) -> str:
    return _run_digest(corpus, index, jobs, whoosh_only, *more)["digest"]


def _run_digest(corpus: Path, index: Path, jobs: int, whoosh_only: bool, *more: int) -> dict:
    code = _DIGEST.format(setup=_WHOOSH_ONLY if whoosh_only else "")
    run = subprocess.run([sys.executable, "-c", code, str(corpus), str(index), str(jobs), *map(str, more)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    digest = out.split("DIGEST", 1)[1].split("\n", 1)[0].strip()
    segments, joined = out.split("SEGMENTS", 1)[1].split("JOINED")
    return {"digest": digest, "segments": int(segments), "joined": int(joined)}


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_index_written_is_whoosh_own(tmp_path, jobs):
    corpus = write_corpus(tmp_path / "corpus")
    ours = _digest(corpus, tmp_path / "ours", jobs, whoosh_only=False)
    whoosh = _digest(corpus, tmp_path / "whoosh", jobs, whoosh_only=True)
    assert int(ours.split()[0]) > 5  # passages were written
    assert ours == whoosh


@pytest.mark.parametrize("jobs,edit_every", [(1, 0), (2, 0), (1, 5), (2, 5)])
def test_segments_joined_by_copying_hold_what_whoosh_merges_write(tmp_path, jobs, edit_every):
    """Many small commits make Whoosh's policy merge segments: joined by copying their postings
    (indexer/whoosh/merging.py), they hold what Whoosh's own merge writes (every term's postings and
    statistics); after a second ingest of changed files (deleted passages, merged as Whoosh merges
    them), the same live passages and postings."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    words = {"fr": "enfants protection rapport écoles jeunes exploitation internet formation voyageurs",
             "nl": "kinderen bescherming verslag scholen jongeren uitbuiting opleiding voogden reizigers",
             "en": "children protection report schools young people exploitation training travellers"}
    for i in range(48):
        lang = ("fr", "nl", "en")[i % 3]
        vocabulary = words[lang].split()
        text = " ".join(vocabulary[(i * 7 + k * 3) % len(vocabulary)] for k in range(30 + i))
        (corpus / f"{lang}_{i:02d}.txt").write_text(f"Note {i}\n\n{text} {i}.\n\n{text[::-1]}\n", encoding="utf-8")
    edits = (edit_every,) if edit_every else ()
    ours = _run_digest(corpus, tmp_path / "ours", jobs, False, 2, *edits)
    whoosh = _run_digest(corpus, tmp_path / "whoosh", jobs, True, 2, *edits)
    assert ours["joined"] >= 2  # segments were joined, more than once
    assert ours["segments"] < 24  # fewer than the commits
    assert int(ours["digest"].split()[0]) >= 48 and ours["digest"] == whoosh["digest"]


def test_sub_writers_save_the_postings_of_their_segments(tmp_path):
    """With two writing processes each sub-writer saves its segment's frequent postings; they are
    those the ingest would build from the committed segment, and every segment has them."""
    import numpy as np

    from indexer.engines import open_engine
    from indexer.sync import SyncOptions, sync
    from indexer.whoosh import postings
    from indexer.whoosh.schema import FILTER_FIELDS, SEARCH_FIELDS

    corpus = write_corpus(tmp_path / "corpus")
    sync([corpus], tmp_path / "index", SyncOptions(jobs=2, use_cache=False, batch_files=3))
    engine = open_engine(tmp_path / "index")
    try:
        reader = engine.searcher().reader()
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        assert len(leaves) >= 2
        for leaf in leaves:
            saved = postings.load_segment(tmp_path / "index", postings.segment_id(leaf))
            assert saved is not None
            spans, ids, weights = postings.build_segment(leaf, [*SEARCH_FIELDS, *FILTER_FIELDS])
            assert saved.spans == spans
            assert np.array_equal(saved.ids, ids) and np.array_equal(saved.weights, weights)
    finally:
        engine.close()


def test_a_record_left_without_quality_gets_the_same_quality():
    from archive.model import Document, Passage
    from indexer.whoosh.schema import complete_record, passage_records

    doc = Document(path="/x.txt", format="text", title="Rapport", passages=[Passage("Introduction ........ 9\nMéthode ........ 12", lang="fr"),
                                              Passage("Les enfants victimes de traite restent invisibles. " * 8, lang="fr")])
    doc.id, doc.content_hash = "x", "h"
    whole = passage_records(doc)
    later = [complete_record(r) for r in passage_records(doc, quality=False)]
    assert [r["quality"] for r in later] == [r["quality"] for r in whole]
    assert whole[0]["quality"] < whole[1]["quality"]
