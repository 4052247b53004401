"""What every engine must do, checked on the same documents (see conftest.py)."""

from __future__ import annotations

import textwrap

import pytest

from archive.model import Document, Passage
from indexer.contract import DocumentView, SearchRequest, Stats
from indexer.errors import QueryError


def paths(response) -> list[str]:
    return [h.path.rsplit("/", 1)[-1] for h in response.hits]


# --- matching and ranking -------------------------------------------------------------


def test_more_of_the_words_ranks_first_and_stems_and_accents_match(engine):
    response = engine.search(SearchRequest("traite enfants victimes"))
    assert paths(response)[0] == "fr_traite_2019.txt"
    assert "fr_traite_2019.txt" in paths(engine.search(SearchRequest("enfant")))  # stemmed
    assert "fr_ecoles_2021.txt" in paths(engine.search(SearchRequest("eleves")))  # accents folded


def test_operators_keep_their_meaning(engine):
    assert engine.search(SearchRequest("kinderhandel AND trafficking")).total == 0
    assert engine.search(SearchRequest("kinderhandel OR trafficking")).total == 2
    assert "fr_traite_2019.txt" not in paths(engine.search(SearchRequest("enfants -ALERT")))
    assert engine.search(SearchRequest('"traite des enfants"')).total == 1
    assert engine.search(SearchRequest('"enfants des traite"')).total == 0
    assert engine.search(SearchRequest("kinderh*")).total == 1
    with pytest.raises(QueryError):
        engine.search(SearchRequest("NOT"))


# --- filters, facets, pages -------------------------------------------------------------


def test_facets_count_documents_each_with_the_other_filters(engine):
    everything = engine.search(SearchRequest("", per_page=50))
    assert everything.total == 6  # the internal note is not counted
    assert everything.facets["year"] == {"2023": 1, "2022": 2, "2021": 1, "2020": 1, "2019": 1}
    narrowed = engine.search(SearchRequest("", years=(2022,), per_page=50))
    assert narrowed.total == 2 and set(paths(narrowed)) == {"en_sports_2022.txt", "en_training_2022.txt"}
    # The year facet ignores the year filter (other years stay offered); the others apply it.
    assert narrowed.facets["year"] == everything.facets["year"]
    assert narrowed.facets["lang"] == {"en": 2}
    assert engine.search(SearchRequest("", years=(1900,))).total == 0


def test_pagination_and_totals(engine):
    first = engine.search(SearchRequest("", per_page=4, page=1))
    second = engine.search(SearchRequest("", per_page=4, page=2))
    assert first.total == second.total == 6
    assert len(first.hits) == 4 and len(second.hits) == 2
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


def test_snippet_highlights_point_at_the_matched_words(engine):
    hit = engine.search(SearchRequest("kinderhandel voogden")).hits[0]
    marked = {hit.snippet[s:e].lower() for s, e in hit.highlights}
    assert marked == {"kinderhandel", "voogden"}


def test_a_quoted_phrase_is_marked_where_it_stands_and_nowhere_else(engine):
    # "des" stands in "les professionnels de première ligne"-like places too; only the phrase is marked,
    # as one span, on the hit and on the document page.
    hit = engine.search(SearchRequest('"traite des enfants"')).hits[0]
    occurrences = hit.snippet.lower().count("traite des enfants")
    assert [hit.snippet[s:e].lower() for s, e in hit.highlights] == ["traite des enfants"] * occurrences
    assert occurrences >= 1
    doc = engine.document(hit.id, query='"traite des enfants"')
    marked = [p.text[s:e].lower() for p in doc.passages for s, e in p.highlights]
    expected = sum(" ".join(p.text.lower().split()).count("traite des enfants") for p in doc.passages)
    assert marked == ["traite des enfants"] * expected and expected >= 2
    unquoted = engine.document(hit.id, query="traite des enfants")
    words = sorted(p.text[s:e].lower() for p in unquoted.passages for s, e in p.highlights)
    assert words == ["enfants"] * expected + ["traite"] * expected  # function words neither marked nor counted


def test_no_snippet_asked_for_gives_the_same_hits_without_one(engine):
    full = engine.search(SearchRequest("kinderhandel voogden"))
    bare = engine.search(SearchRequest("kinderhandel voogden", snippet_chars=0))
    assert [(h.id, h.page) for h in bare.hits] == [(h.id, h.page) for h in full.hits]
    assert bare.total == full.total and full.hits[0].snippet
    assert [(h.snippet, h.highlights) for h in bare.hits] == [("", [])] * len(bare.hits)


def test_the_hit_of_a_pdf_names_the_page_that_answers(engine):
    hit = engine.search(SearchRequest("voyageurs signalent situations suspectes")).hits[0]
    assert hit.path.endswith("rapport_voyageurs_2023.pdf") and hit.page == 2


def test_did_you_mean(engine):
    assert engine.search(SearchRequest("kinderhandle")).suggestion == "kinderhandel"
    assert engine.search(SearchRequest("kinderhandel")).suggestion is None


def test_similar_documents(engine):
    trafficking = engine.search(SearchRequest("traite enfants")).hits[0]
    similar = engine.similar(trafficking.id, limit=3)
    assert similar and trafficking.id not in {h.id for h in similar}


def test_document_view_and_stats_are_typed(engine):
    hit = engine.search(SearchRequest("kinderhandel")).hits[0]
    doc = engine.document(hit.id, query="kinderhandel")
    assert isinstance(doc, DocumentView) and doc.title == hit.title and doc.lang == "nl"
    marked = {p.text[s:e].lower() for p in doc.passages for s, e in p.highlights}
    assert marked == {"kinderhandel"}
    stats = engine.stats()
    assert isinstance(stats, Stats) and stats.documents == 6 and sum(stats.main_lang.values()) == 6
    assert engine.stats(include_internal=True).documents == 7


# --- visibility -----------------------------------------------------------------------


def test_internal_documents_never_reach_the_public(engine):
    assert engine.search(SearchRequest("zorglubmarker")).total == 0
    assert engine.search(SearchRequest("zorglubmarkr")).suggestion is None  # nor suggested
    staff = engine.search(SearchRequest("zorglubmarker", include_internal=True))
    assert staff.total == 1
    internal = staff.hits[0].id
    assert engine.document(internal) is None  # nor described
    assert engine.document(internal, include_internal=True).visibility == "internal"
    everything = engine.search(SearchRequest("", per_page=50))
    assert internal not in {h.id for h in everything.hits}  # nor counted
    assert all(internal not in {h.id for h in engine.similar(h.id)} for h in everything.hits)


# --- writing -------------------------------------------------------------------------


def _doc(path: str, text: str) -> Document:
    return Document(path=path, format="txt", title="Added", lang="fr", passages=[Passage(text=text, lang="fr")],
                    id="added" + str(abs(hash(path)) % 10**8))


def test_writer_adds_replaces_and_deletes(engine):
    with engine.writer() as w:
        w.add(_doc("/virtual/a.txt", "Un texte sur les zèbres du zoo."))
    assert engine.search(SearchRequest("zebres")).total == 1
    with engine.writer() as w:
        w.delete_path("/virtual/a.txt")
        w.add(_doc("/virtual/a.txt", "Un texte sur les girafes du zoo."))
    assert engine.search(SearchRequest("zebres")).total == 0
    assert engine.search(SearchRequest("girafes")).total == 1
    hit = engine.search(SearchRequest("girafes")).hits[0]
    with engine.writer() as w:
        w.delete_document(hit.id)
    assert engine.search(SearchRequest("girafes")).total == 0


def test_a_failed_writer_block_changes_nothing(engine):
    with pytest.raises(RuntimeError):
        with engine.writer() as w:
            w.add(_doc("/virtual/b.txt", "Un texte sur les okapis."))
            w.delete_path(engine.search(SearchRequest("kinderhandel")).hits[0].path)
            raise RuntimeError("crash between batches")
    assert engine.search(SearchRequest("okapis")).total == 0
    assert engine.search(SearchRequest("kinderhandel")).total == 1


def test_reopen_after_close_sees_what_was_written_meanwhile(built, engine_name):
    from indexer.sync import SyncOptions, sync

    folder, index_dir, engine = built
    engine.search(SearchRequest("enfants"))
    engine.close()
    engine.close()  # twice is harmless
    for n in range(5):
        (folder / f"extra_{n}.txt").write_text(textwrap.dedent(f"Note {n}\n\nUne note sur les okapis numéro {n}.\n"), encoding="utf-8")
    sync([folder], index_dir, SyncOptions(jobs=1))
    found = engine.search(SearchRequest("okapis", per_page=10))
    assert found.total == 5 and len(found.hits) == 5


def test_a_whoosh_that_changed_its_private_structures_fails_at_start_up(monkeypatch):
    """The Whoosh engine reads private structures; a Whoosh that changed them is refused when the
    engine loads, not met as slow or wrong answers query by query."""
    from whoosh.filedb import structfile

    from indexer.errors import EngineFailure
    from indexer.whoosh import files

    files.check()  # the pinned Whoosh passes
    monkeypatch.setattr(structfile.BufferFile, "__init__", lambda self, buf, name=None: None)
    with pytest.raises(EngineFailure, match="BufferFile"):
        files.check()
