"""The index and the query side, on real Whoosh indexes built from files the tests write."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from indexer.whoosh import index as whoosh_index
from indexer import store
from indexer.errors import IndexLocked, IndexProblem
from indexer.sync import SyncOptions, remove, sync
from indexer.errors import QueryError
from indexer.contract import SearchRequest


def titles(response) -> list[str]:
    return [h.title for h in response.hits]


# --- analysis and matching -------------------------------------------------------


@pytest.mark.parametrize("query, expected_title_word", [
    ("enfant", "Rapport"),              # singular finds plural (French stemming)
    ("evenements", "Rapport"),          # no accents finds évènements
    ("événements", "Communiqué"),       # and événements
    ("slachtoffer", "Persbericht"),     # Dutch stemming: slachtoffers
    ("events", "Press release"),        # English stemming
    ("professionnel", "Rapport"),
])
def test_stemming_and_accent_folding(engine, query, expected_title_word):
    response = engine.search(SearchRequest(query))
    assert any(expected_title_word in t for t in titles(response)), titles(response)


def test_highlights_point_at_the_matched_words(engine):
    response = engine.search(SearchRequest("enfant victime"))
    hit = response.hits[0]
    words = {hit.snippet[s:e].lower() for s, e in hit.highlights}
    assert {"enfants", "victimes"} <= words


def test_and_or_not_phrase_prefix_field(engine):
    # Two optional words: a document with either qualifies; required ones must both be there.
    assert len(engine.search(SearchRequest("kinderhandel trafficking")).hits) == 2
    assert len(engine.search(SearchRequest("kinderhandel AND trafficking")).hits) == 0
    assert len(engine.search(SearchRequest("+kinderhandel +trafficking")).hits) == 0
    assert len(engine.search(SearchRequest("kinderhandel OR trafficking")).hits) == 2
    both = engine.search(SearchRequest("enfants"))
    without = engine.search(SearchRequest("enfants NOT ALERT"))
    assert without.total < both.total
    assert engine.search(SearchRequest('"traite des enfants"')).total == 1
    assert engine.search(SearchRequest('"enfants des traite"')).total == 0
    assert engine.search(SearchRequest("kinderh*")).total == 1
    assert engine.search(SearchRequest("lang:nl")).total == 1
    assert engine.search(SearchRequest("project:react")).total == 1


def test_cross_language_expansion_uses_the_glossary(engine):
    plain = engine.search(SearchRequest("traite des enfants"))
    crossed = engine.search(SearchRequest("traite des enfants", cross_language=True))
    assert plain.total == 1
    assert crossed.expanded and "kinderhandel" in crossed.expanded
    langs = {h.passage_lang for h in crossed.hits}
    assert {"fr", "nl", "en"} <= langs


# --- filters, facets, sorting, pages -------------------------------------------


def test_filters_narrow_and_facets_count_documents(engine):
    everything = engine.search(SearchRequest("", per_page=50))
    assert everything.total == 5  # the internal note is hidden from public requests
    assert everything.facets["lang"] == {"fr": 2, "en": 2, "nl": 1} or sum(everything.facets["lang"].values()) == 5
    assert everything.facets["year"] == {"2022": 1, "2021": 1, "2020": 1, "2019": 2}
    by_year = engine.search(SearchRequest("", years=(2019,)))
    assert by_year.total == 2 and all(h.year == 2019 for h in by_year.hits)
    # a facet is counted without its own filter, so the other years stay visible
    assert by_year.facets["year"]["2022"] == 1
    assert engine.search(SearchRequest("", years=(2019,), langs=("en",))).total == 1
    assert engine.search(SearchRequest("", projects=("alert",))).total == 1
    assert engine.search(SearchRequest("", types=("press_release",))).total == 3
    window = engine.search(SearchRequest("", date_from=dt.date(2020, 1, 1), date_to=dt.date(2021, 12, 31)))
    assert sorted(h.year for h in window.hits) == [2020, 2021]


def test_sort_by_date_and_pagination(engine):
    newest = engine.search(SearchRequest("", sort="date", per_page=2))
    assert [h.date for h in newest.hits] == ["2022-06-03", "2021-03-03"]
    second = engine.search(SearchRequest("", sort="date", per_page=2, page=2))
    assert [h.date for h in second.hits] == ["2020-03-12", "2019-11-06"]
    assert newest.total == second.total == 5 and newest.pages == 3
    ids = {h.id for h in newest.hits} | {h.id for h in second.hits}
    assert len(ids) == 4


def test_internal_documents_only_for_staff(engine):
    assert engine.search(SearchRequest("zorglubmarker")).total == 0
    staff = engine.search(SearchRequest("zorglubmarker", include_internal=True))
    assert staff.total == 1
    internal_id = staff.hits[0].id
    assert engine.document(internal_id) is None
    assert engine.document(internal_id, include_internal=True).visibility == "internal"
    assert engine.search(SearchRequest("zorglubmarkr")).suggestion is None
    assert engine.stats().documents == 5 and engine.stats(include_internal=True).documents == 6
    assert all(h.id != internal_id for h in engine.similar(engine.search(SearchRequest("ALERT")).hits[0].id, 10))


def test_did_you_mean_only_when_the_correction_finds_more(engine):
    response = engine.search(SearchRequest("kinderhandle"))
    assert response.total == 0 and response.suggestion == "kinderhandel"
    assert engine.search(SearchRequest("kinderhandel")).suggestion is None
    assert engine.search(SearchRequest("xqzvwk")).suggestion is None


def test_similar_documents_share_distinctive_words_not_function_words(corpus, tmp_path):
    (corpus / "girafes_1.txt").write_text("Les girafes du zoo\n\nLes girafes et les zèbres de la savane africaine mangent des acacias.", encoding="utf-8")
    (corpus / "girafes_2.txt").write_text("Une girafe à Anvers\n\nUne girafe de la savane est née au zoo, entre les zèbres et les acacias.", encoding="utf-8")
    sync([corpus], tmp_path / "ix")
    from indexer.whoosh.engine import WhooshEngine

    engine = WhooshEngine(tmp_path / "ix")
    source = engine.search(SearchRequest("girafes zoo", sort="date")).hits
    source = next(h for h in source if h.title == "Les girafes du zoo")
    similar = engine.similar(source.id, 3)
    assert similar and source.id not in {h.id for h in similar}
    assert similar[0].title == "Une girafe à Anvers"


def test_document_carries_passages_with_highlights(engine):
    hit = engine.search(SearchRequest("kinderhandel")).hits[0]
    doc = engine.document(hit.id, query="kinderhandel")
    assert doc.title == hit.title and doc.lang == "nl"
    marked = [p.text[s:e] for p in doc.passages for s, e in p.highlights]
    assert "kinderhandel" in marked


@pytest.mark.parametrize("bad", ["NOT", "(", "title:", "AND OR"])
def test_malformed_queries_give_a_clear_error_or_no_results(engine, bad):
    try:
        response = engine.search(SearchRequest(bad))
    except QueryError as exc:
        assert bad in str(exc) or "query" in str(exc)
    else:
        assert response.total >= 0


# --- sync -------------------------------------------------------------------


def test_ingest_is_idempotent_and_tracks_changes(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    first = sync([corpus], index_dir, SyncOptions(jobs=2))
    assert (first.added, first.updated, first.unchanged, first.removed, first.failed) == (6, 0, 0, 0, [])
    second = sync([corpus], index_dir, SyncOptions(jobs=2))
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, 6, 0)
    assert not second.changed

    (corpus / "en_report_2019.txt").write_text("Annual report 2019\n\nCompletely rewritten: zebra workshops.", encoding="utf-8")
    os.utime(corpus / "fr_traite_2019.txt")  # touched, not changed
    (corpus / "nl_kinderhandel_2020.txt").unlink()
    (corpus / "new.txt").write_text("Nouvelle note\n\nUne note sur les girafes.", encoding="utf-8")
    third = sync([corpus], index_dir, SyncOptions(jobs=1, prune=True))
    assert (third.added, third.updated, third.unchanged, third.removed) == (1, 1, 4, 1)

    from indexer.whoosh.engine import WhooshEngine

    engine = WhooshEngine(index_dir)
    assert engine.search(SearchRequest("zebra")).total == 1
    assert engine.search(SearchRequest("workshops AND teenagers")).total == 0  # old text gone
    assert engine.search(SearchRequest("kinderhandel")).total == 0
    assert engine.search(SearchRequest("girafes")).total == 1
    # no document appears twice
    hits = engine.search(SearchRequest("", per_page=100, include_internal=True)).hits
    assert len(hits) == len({h.id for h in hits}) == 6


def test_failed_files_are_reported_and_do_not_stop_the_ingest(corpus, tmp_path):
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04garbage")
    (corpus / "empty.md").write_bytes(b"")
    report = sync([corpus], tmp_path / "ix", SyncOptions(jobs=2))
    assert report.added == 6
    assert sorted((Path(p).name, r.split(":")[0]) for p, r in report.failed) == [("broken.docx", "corrupted .docx"), ("empty.md", "empty file")]


def test_remove_by_path_and_by_id(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    sync([corpus], index_dir)
    assert remove([str(corpus / "en_trafficking_2022.txt")], index_dir).documents == 1
    from indexer.whoosh.engine import WhooshEngine

    engine = WhooshEngine(index_dir)
    doc_id = engine.search(SearchRequest("kinderhandel")).hits[0].id
    assert remove([doc_id], index_dir).documents == 1
    engine.refresh()
    assert engine.search(SearchRequest("trafficking OR kinderhandel")).total == 0
    with pytest.raises(Exception, match="no indexed file or document id"):
        remove(["nope"], index_dir)


def test_second_writer_stops_with_a_clear_message(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    sync([corpus], index_dir)
    with store.WriteLock(index_dir):
        with pytest.raises(IndexLocked, match="being written by pid"):
            sync([corpus], index_dir)
    assert sync([corpus], index_dir).unchanged == 6  # the lock is free again
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; from indexer.store import WriteLock\n"
                               "with WriteLock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)", str(index_dir)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(IndexLocked, match=f"being written by pid {holder.pid}"):
            sync([corpus], index_dir)
    finally:
        holder.kill()
        holder.wait()
    assert sync([corpus], index_dir).unchanged == 6  # a killed holder leaves no lock behind


def test_lock_of_a_killed_writer_does_not_block(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    code = f"from indexer.store import WriteLock; from pathlib import Path; import os; WriteLock(Path({str(index_dir)!r})).__enter__(); os._exit(0)"
    subprocess.run([sys.executable, "-c", code], check=True)
    assert sync([corpus], index_dir).added == 6


def test_schema_change_triggers_a_rebuild(corpus, tmp_path, monkeypatch):
    index_dir = tmp_path / "ix"
    sync([corpus], index_dir)
    (index_dir / store.VERSION_FILE).write_text('{"signature": "schema-0/analysis-0"}', encoding="utf-8")
    with pytest.raises(IndexProblem, match="another version"):
        whoosh_index.open_index(index_dir)
    report = sync([tmp_path / "elsewhere"] if False else [corpus], index_dir)
    assert report.rebuilt and report.added == 6
    whoosh_index.open_index(index_dir)


def test_search_reads_a_missing_index_with_a_clear_error(tmp_path):
    from indexer.whoosh.engine import WhooshEngine

    with pytest.raises(IndexProblem, match="no index at"):
        WhooshEngine(tmp_path / "none")


def test_searcher_refreshes_after_an_ingest(corpus, tmp_path):
    from indexer.whoosh.engine import WhooshEngine

    index_dir = tmp_path / "ix"
    sync([corpus], index_dir)
    engine = WhooshEngine(index_dir, refresh_interval=0)
    assert engine.search(SearchRequest("girafes")).total == 0
    (corpus / "new.txt").write_text("Nouvelle note\n\nUne note sur les girafes.", encoding="utf-8")
    done = threading.Event()
    threading.Thread(target=lambda: (sync([corpus], index_dir), done.set())).start()
    assert done.wait(60)
    assert engine.search(SearchRequest("girafes")).total == 1


def test_each_document_appears_once_even_with_many_matching_passages_and_a_filter(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    paragraph = "Le projet pilote protège les enfants contre l'exploitation en ligne et forme les professionnels. " * 14
    (folder / "long.txt").write_text("Un long rapport\n\nPublié le 3 mars 2021.\n\n" + "\n\n".join([paragraph] * 6), encoding="utf-8")
    (folder / "short.txt").write_text("Une note\n\nLe projet pilote et les enfants, le 4 mai 2021.", encoding="utf-8")
    sync([folder], tmp_path / "ix")
    from indexer.whoosh.engine import WhooshEngine

    engine = WhooshEngine(tmp_path / "ix")
    assert len(engine.document(engine.search(SearchRequest("long rapport")).hits[0].id).passages) >= 5
    for request in (SearchRequest("projet pilote"), SearchRequest("projet pilote", years=(2021,)), SearchRequest("projet", langs=("fr",), sort="date")):
        response = engine.search(request)
        ids = [h.id for h in response.hits]
        assert len(ids) == len(set(ids)) == response.total == 2, request


def test_the_passage_with_the_words_together_is_the_hit(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    scattered = " ".join(["Le rouge domine la salle.", "Un vert discret.", "Le bleu revient.", "Encore du rouge et du bleu."] * 30)
    together = "Ce jour-là, le drapeau rouge vert bleu flottait sur la place, mais personne ne le regardait vraiment."
    filler = "Une autre page sans rapport avec les couleurs, qui parle de trains et de gares. " * 20
    (folder / "long.txt").write_text(f"Couleurs\n\n{scattered}\n\n{filler}\n\n{together}\n", encoding="utf-8")
    sync([folder], tmp_path / "ix")
    from indexer.whoosh.engine import WhooshEngine

    engine = WhooshEngine(tmp_path / "ix")
    hit = engine.search(SearchRequest("rouge vert bleu")).hits[0]
    assert "rouge vert bleu" in hit.snippet
    # words far apart still match: the phrase only adds to the score
    assert engine.search(SearchRequest("rouge trains")).total == 1


def test_the_engine_is_chosen_by_setting_and_keeps_the_contract(built_index, monkeypatch):
    from indexer.engines import open_engine
    from indexer.errors import EngineUnavailable

    _, index_dir = built_index
    monkeypatch.setenv("ARCHIVE_ENGINE", "elasticsearch")
    with pytest.raises(EngineUnavailable, match="unknown search engine 'elasticsearch'"):
        open_engine(index_dir)
    monkeypatch.delenv("ARCHIVE_ENGINE")
    engine = open_engine(index_dir)
    try:
        assert isinstance(engine.cross_language, bool)
        assert engine.search(SearchRequest("enfants")).total > 0
        # A filter that matches nothing gives nothing (Whoosh alone would ignore an empty filter set).
        nothing = engine.search(SearchRequest("enfants", years=(1900,)))
        assert (nothing.total, nothing.hits) == (0, [])
        with pytest.raises(QueryError, match="unknown project 'no-such-project'; the projects are: .*ALERT"):
            engine.search(SearchRequest("enfants", projects=("no-such-project",)))
        assert engine.search(SearchRequest("zorglubmarker")).total == 0  # internal only
        assert engine.search(SearchRequest("zorglubmarker", include_internal=True)).total == 1
    finally:
        engine.close()


def test_a_closed_engine_opens_again_on_use(built_index):
    from indexer.whoosh.engine import WhooshEngine

    _, index_dir = built_index
    engine = WhooshEngine(index_dir)
    before = engine.search(SearchRequest("enfants")).total
    engine.close()
    engine.close()  # twice is harmless
    assert engine.search(SearchRequest("enfants")).total == before
    engine.close()
