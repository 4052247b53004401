"""What the Whoosh engine computes once per index generation (stats, the projects a reader may see):
right against a count made one stored document at a time, and renewed when the index changes."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from indexer.contract import SearchRequest
from indexer.snippets import make_snippet
from indexer.whoosh.schema import NEUTRAL_FIELD


def reference_stats(engine, include_internal: bool) -> dict:
    """The overview counted document by document from the stored passages (no facet arrays)."""
    passages = defaultdict(list)
    for fields in engine.searcher().all_stored_fields():
        passages[fields["doc_id"]].append(fields)
    year, main, kind, lang, project = Counter(), Counter(), Counter(), Counter(), Counter()
    year_lang, year_project = defaultdict(Counter), defaultdict(Counter)
    documents = count = 0
    for parts in passages.values():
        first = parts[0]
        if not include_internal and first.get("visibility") != "public":
            continue
        documents += 1
        count += len(parts)
        y = str(first.get("year") or "unknown")
        projects = [p for p in (first.get("projects") or "").split(",") if p]
        year[y] += 1
        main[first.get("doc_lang", "und")] += 1
        kind[first.get("type", "other")] += 1
        year_lang[y][first.get("doc_lang", "und")] += 1
        for p in projects:
            project[p] += 1
            year_project[y][p] += 1
        for plang in {p.get("plang", "und") for p in parts}:
            lang[plang] += 1
    return {"documents": documents, "passages": count, "year": dict(year), "main_lang": dict(main), "type": dict(kind),
            "lang": dict(lang), "project": dict(project),
            "year_lang": {y: dict(c) for y, c in year_lang.items()},
            "year_project": {y: dict(c) for y, c in year_project.items()}}


@pytest.mark.parametrize("include_internal", [False, True])
def test_stats_match_a_count_document_by_document(engine, include_internal):
    got = engine.stats(include_internal).to_dict()
    want = reference_stats(engine, include_internal)
    for key, value in want.items():
        assert got[key] == value, key
    assert list(got["year"]) == sorted(got["year"])
    assert list(got["main_lang"].values()) == sorted(got["main_lang"].values(), reverse=True)


def test_stats_are_the_callers_to_change(engine):
    first = engine.stats()
    first.year.clear()
    first.year_lang.clear()
    again = engine.stats()
    assert again.year and again.year_lang


def test_stats_and_visible_projects_follow_a_commit(corpus, tmp_path):
    from indexer.sync import SyncOptions, sync
    from indexer.whoosh.engine import WhooshEngine

    index_dir = tmp_path / "index"
    assert not sync([corpus], index_dir, SyncOptions(jobs=1)).failed
    engine = WhooshEngine(index_dir)
    try:
        before = engine.stats()
        assert "react" in engine._visible_projects(engine.searcher(), False)
        # The only document of ReACT goes; a new one comes.
        (corpus / "nl_kinderhandel_2020.txt").unlink()
        (corpus / "fr_nouveau.txt").write_text(
            "Nouvelle note publique\n\nLe projet ALERT : une formation sur la traite des enfants.\n", encoding="utf-8")
        assert not sync([corpus], index_dir, SyncOptions(jobs=1, prune=True)).failed
        engine.refresh()
        after = engine.stats()
        assert after.documents == before.documents
        assert "react" in before.project and "react" not in after.project
        assert "react" not in engine._visible_projects(engine.searcher(), False)
        want = reference_stats(engine, False)
        assert {k: v for k, v in after.to_dict().items() if k in want} == want
    finally:
        engine.close()


def test_no_snippet_is_cut_when_none_is_asked_for():
    text = "Le projet ALERT forme les professionnels de première ligne à repérer les victimes. " * 10
    assert make_snippet(text, "fr", {(NEUTRAL_FIELD, "alert")}, 0) == ("", [])
    snippet, highlights = make_snippet(text, "fr", {(NEUTRAL_FIELD, "alert")}, 80)
    assert snippet and highlights


def test_search_without_snippets_keeps_the_hits(engine):
    full = engine.search(SearchRequest("enfants"))
    bare = engine.search(SearchRequest("enfants", snippet_chars=0))
    assert [h.id for h in bare.hits] == [h.id for h in full.hits] and bare.total == full.total
    assert all(h.snippet == "" and h.highlights == [] for h in bare.hits)
    assert any(h.snippet for h in full.hits)


def test_hits_read_again_after_a_commit_and_are_the_callers_to_change(corpus, tmp_path):
    """Stored fields kept per searcher: a changed document shows its new text after a commit, and a
    hit's values can be changed by the caller without changing the next answer."""
    from indexer.sync import SyncOptions, sync
    from indexer.whoosh.engine import WhooshEngine

    index_dir = tmp_path / "index"
    assert not sync([corpus], index_dir, SyncOptions(jobs=1)).failed
    engine = WhooshEngine(index_dir)
    try:
        first = engine.search(SearchRequest("kinderhandel")).hits[0]
        first.langs["xx"] = 1.0
        first.projects.append("changed")
        again = engine.search(SearchRequest("kinderhandel")).hits[0]
        assert "xx" not in again.langs and "changed" not in again.projects
        path = corpus / "nl_kinderhandel_2020.txt"
        path.write_text(path.read_text(encoding="utf-8").replace("nieuwe opleiding", "vernieuwde opleiding"), encoding="utf-8")
        assert not sync([corpus], index_dir, SyncOptions(jobs=1)).failed
        engine.refresh()
        hit = engine.search(SearchRequest("kinderhandel")).hits[0]
        assert "vernieuwde opleiding" in hit.title
        assert "vernieuwde" in engine.search(SearchRequest("kinderhandel opleiding", snippet_chars=400)).hits[0].snippet \
            or "vernieuwde" in hit.title
    finally:
        engine.close()


def test_equal_scores_fall_by_document_id_whatever_the_ingest_order(tmp_path):
    """Documents that score the same come in the same order however their files were ingested (by
    document id, as on OpenSearch), not in the order their passages happened to be written."""
    from indexer.engines import open_engine
    from indexer.sync import SyncOptions, sync

    corpus = tmp_path / "corpus"
    (corpus / "later").mkdir(parents=True)
    for i, folder in enumerate([corpus] * 4 + [corpus / "later"] * 4):
        # The same words and length in each: only the code, which no query asks for, differs.
        (folder / f"note{i}.txt").write_text(f"Note\n\nRapport sur la protection des enfants, code zq{i}x.\n", encoding="utf-8")
    sync([corpus], tmp_path / "at-once", SyncOptions(jobs=1))
    sync([corpus / "later"], tmp_path / "later-first", SyncOptions(jobs=1))
    sync([corpus], tmp_path / "later-first", SyncOptions(jobs=1))
    orders = []
    for name in ("at-once", "later-first"):
        engine = open_engine(tmp_path / name)
        try:
            hits = engine.search(SearchRequest("protection enfants", per_page=20)).hits
        finally:
            engine.close()
        assert len(hits) == 8 and len({round(h.score, 9) for h in hits}) == 1  # all equal
        orders.append([h.id for h in hits])
    assert orders[0] == orders[1] == sorted(orders[0])
