"""The OpenSearch engine's parts that need no cluster: settings, the query tree as DSL, the analysers'
settings, highlight terms; and a clear error when no cluster answers. The engine's behaviour on a real
cluster is checked by ``ARCHIVE_ENGINE=opensearch python -m pytest tests/contract``."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("opensearchpy")

from indexer import query as tree  # noqa: E402
from indexer.errors import EngineUnavailable  # noqa: E402
from indexer.opensearch import mapping  # noqa: E402
from indexer.opensearch.client import Settings  # noqa: E402
from indexer.opensearch.query import best_passage, highlight_terms, top_level  # noqa: E402


def compile_(text):
    return top_level(tree.parse(text).query, lambda node: {"term": {node.name: node.value}})


def test_settings_from_the_environment():
    s = Settings.from_env({"ARCHIVE_OPENSEARCH_URL": "https://a:9200/, https://b:9200", "ARCHIVE_OPENSEARCH_VERIFY": "0",
                           "ARCHIVE_OPENSEARCH_API_KEY": "k", "ARCHIVE_OPENSEARCH_REPLICAS": "0"})
    assert s.urls == ("https://a:9200", "https://b:9200") and not s.verify and s.api_key == "k"
    assert s.replicas == 0 and s.shards is None and s.alias == "archive"
    assert Settings.from_env({}).verify  # TLS verification is on unless switched off
    with pytest.raises(EngineUnavailable):
        Settings.from_env({"ARCHIVE_OPENSEARCH_SHARDS": "two"})


def test_optional_words_are_document_level_shoulds_and_excluded_ones_must_not():
    body = compile_("traite enfants -tourisme").query["bool"]
    assert len(body["should"]) == 2 and body["minimum_should_match"] == 1
    assert all("nested" in q for q in body["should"]) and "nested" in body["must_not"][0]
    required = compile_("kinderhandel AND trafficking").query["bool"]
    assert len(required["must"]) == 2 and "should" not in required


def test_function_words_match_only_quoted_or_alone():
    # The content words decide which documents qualify; "des" only scores, in the language
    # fields (where a passage's own analyser drops it when it is a function word there).
    body = compile_("traite des enfants").query["bool"]
    (qualifying,) = body["must"]
    assert len(qualifying["bool"]["should"]) == 2 and qualifying["bool"]["minimum_should_match"] == 1
    (scoring,) = body["should"]
    assert scoring["nested"]["query"]["multi_match"]["query"] == "des"
    assert set(scoring["nested"]["query"]["multi_match"]["fields"]) == {"passages.text_fr", "passages.text_nl", "passages.text_en"}
    assert "minimum_should_match" not in body
    phrase = json.dumps(compile_('"traite des enfants"').query)
    assert '"slop": 0' in phrase and "traite des enfants" in phrase
    only = compile_("to be or not").query["bool"]
    assert len(only["must"]) == 4  # only function words: all of them, as written


def test_filters_in_the_query_narrow_documents():
    body = compile_("enfants year:2019").query["bool"]
    assert body["filter"] == [{"term": {"year": "2019"}}]
    compiled = compile_("enfants lang:fr")
    assert compiled.langs == ("fr",) and "nested" in compiled.query["bool"]["filter"][0]  # a French passage answers


def test_best_passage_has_one_inner_hit_and_every_word():
    compiled = compile_("voyageurs signalent")
    clause = best_passage(compiled, ("fr",))["nested"]
    assert clause["inner_hits"]["size"] == 1
    inner = clause["query"]["function_score"]["query"]["bool"]
    assert len(inner["should"]) == 2 and inner["filter"] == [{"terms": {"passages.plang": ["fr"]}}]


def test_highlight_terms_expand_prefixes_and_fuzzy_words_on_the_passage():
    marks = highlight_terms(tree.parse("enfan* exploitaton~ kinderhandel").query)
    terms = marks.for_text("Les enfants et l'exploitation, kinderhandel.")
    assert ("text_all", "enfants") in terms and ("text_all", "exploitation") in terms
    assert ("text_nl", "kinderhandel") in terms


def test_analysers_use_the_archive_stop_lists_and_snowball_stemmers():
    analysis = mapping.analysis()
    assert "des" in analysis["filter"]["stop_fr"]["stopwords"]
    assert analysis["filter"]["stem_en"]["language"] == "porter2"
    assert analysis["analyzer"]["folded"]["filter"] == ["lowercase", "asciifolding"]


def test_an_unreachable_cluster_is_a_clear_error(monkeypatch, tmp_path):
    from indexer.opensearch.engine import OpenSearchEngine

    monkeypatch.setenv("ARCHIVE_OPENSEARCH_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(EngineUnavailable, match="cannot be reached"):
        OpenSearchEngine.open(tmp_path)


class _FakeClient:
    """Answers the writer's search for the ids of a path."""

    def __init__(self, held: dict[str, list[str]]):
        self.held = held

    def search(self, index, body, params=None):
        paths = body["query"]["terms"]["path"]
        return {"hits": {"hits": [{"_id": i, "_source": {"path": p}} for p in paths for i in self.held.get(p, [])]}}


def test_writer_operations_keep_their_order_and_delete_path_sees_the_block_s_own_additions():
    from archive.model import Document, Passage
    from indexer.opensearch.writer import OpenSearchWriter, actions

    def doc(i, path):
        return Document(path=path, format="txt", title="t", lang="fr", passages=[Passage("texte", lang="fr")], id=i)

    w = OpenSearchWriter(finish=True)
    w.delete_path("/p")  # the index holds "old" for /p
    w.add(doc("a", "/p"))
    w.delete_path("/p")  # removes "a", added just before
    w.add(doc("b", "/p"))
    w.delete_document("c")
    ops = [(next(iter(a)), next(iter(a.values()))["_id"]) for a, _ in actions(_FakeClient({"/p": ["old"]}), "ix", w.ops)]
    assert ops == [("delete", "old"), ("index", "a"), ("delete", "a"), ("index", "b"), ("delete", "c")]


def test_the_state_file_is_written_into_a_folder_that_does_not_exist_yet(tmp_path):
    # A first build (engine opened with create=True) may come before any manifest made the folder.
    from indexer.opensearch.engine import STATE_FILE, _read_state, _write_state

    folder = tmp_path / "new" / "index"
    _write_state(folder, {"index": "archive-v2-1"})
    assert _read_state(folder) == {"index": "archive-v2-1"}
    assert [p.name for p in folder.iterdir()] == [STATE_FILE]


@pytest.mark.parametrize("text, phrase", [
    ("sur le sens de sa", "sur le sens de sa"),  # one content word: the run itself still tells the page
    ("think that that from a", "think that that from a"),
    ("traite des enfants", "traite des enfants"),
    ("enfants", None),  # one word: no phrase
    ("enfants -tourisme", None),  # an exclusion: not plain words
    ('"traite des" enfants', None),
])
def test_the_near_phrase_bonus_counts_function_words_as_whoosh_does(text, phrase):
    from indexer.opensearch.query import near_phrase

    clause = near_phrase(text, tree.parse(text).query)
    assert (clause["match_phrase"]["passages.text_all"]["query"] if clause else None) == phrase
