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
    from indexer.sync import SyncOptions, sync
    {setup}
    sync([Path(sys.argv[1])], Path(sys.argv[2]), SyncOptions(jobs=int(sys.argv[3]), use_cache=False, batch_files=3))
    from indexer.whoosh import index
    h = hashlib.sha256()
    with index.open_index(Path(sys.argv[2])).searcher() as s:
        r = s.reader()
        pids = [r.stored_fields(d)["pid"] for d in range(r.doc_count_all())]
        order = sorted(range(len(pids)), key=pids.__getitem__)
        for d in order:
            h.update(repr(sorted(r.stored_fields(d).items())).encode())
        for f in r.schema.scorable_names():
            # None where the passage's segment has no such field at all: the same as 0 (which passages
            # share a segment depends on the order the extraction workers finish in).
            h.update(repr([(pids[d], r.doc_field_length(d, f) or 0) for d in order]).encode())
        for f, t in r.all_terms():
            m, post = r.postings(f, t), []
            while m.is_active():
                post.append((pids[m.id()], m.weight(), m.value()))
                m.next()
            ti = r.term_info(f, t)
            h.update(repr((f, t, ti.doc_frequency(), ti.weight(), ti.max_weight(), ti.min_length(), ti.max_length(),
                           sorted(post))).encode())
        for f in sorted(r.schema.names()):
            if r.has_column(f):
                col = r.column_reader(f)
                h.update(repr((f, [col[d] for d in order])).encode())
    print("DIGEST", len(pids), h.hexdigest())
""")

# Whoosh's own path: the replacements are not installed and the fields index token by token.
_WHOOSH_ONLY = textwrap.dedent("""
    from indexer.whoosh import postings_writer, schema
    from whoosh.fields import TEXT
    postings_writer.apply = lambda: None
    schema.Text.index = TEXT.index
""")


def _digest(corpus: Path, index: Path, jobs: int, whoosh_only: bool) -> str:
    code = _DIGEST.format(setup=_WHOOSH_ONLY if whoosh_only else "")
    out = subprocess.run([sys.executable, "-c", code, str(corpus), str(index), str(jobs)],
                         capture_output=True, text=True, check=True).stdout
    return out.split("DIGEST", 1)[1].strip()


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_index_written_is_whoosh_own(tmp_path, jobs):
    corpus = write_corpus(tmp_path / "corpus")
    ours = _digest(corpus, tmp_path / "ours", jobs, whoosh_only=False)
    whoosh = _digest(corpus, tmp_path / "whoosh", jobs, whoosh_only=True)
    assert int(ours.split()[0]) > 5  # passages were written
    assert ours == whoosh


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
