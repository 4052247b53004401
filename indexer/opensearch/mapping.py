"""The OpenSearch index: analysers equivalent to :mod:`indexer.analysis`, the mapping, and the
records (one per publication, passages nested).

The analysers follow ``indexer.analysis.analyzer_for``: words are runs of letters, marks,
digits and underscores (``\\w+``: apostrophes and hyphens split words, so "l'enfant" gives
"l" and "enfant", and the split-off elision is a stop word — the ``elision`` filter would
have nothing left to do), then lowercase, ASCII folding (accents and ligatures:
"œuvre" -> "oeuvre"), then for French, Dutch and English the archive's own stop lists and
the Snowball stemmers PyStemmer runs for Whoosh (Lucene's ``french``, ``dutch`` and
``porter2``), so a word is mostly indexed in the same form by both engines. Not always: PyStemmer
3.1 bundles Snowball 3, whose Dutch stemmer is a new algorithm (it strips ``ge-``: "gemaakt" ->
"maak"; the older one, which Lucene's ``dutch`` runs, is PyStemmer's ``dutch_porter``: "gemaakt")
and whose English one differs on some words ("university": "universiti" against Lucene's
"univers"). These are the causes of the engines' different totals measured in docs/SCALING.md.
The neutral analyser stops after folding (titles, phrases, exact words, "did you mean").
"""

from __future__ import annotations

from ..analysis import ANALYSIS_VERSION, STEMMERS, stop_words
from ..quality import quality_code

#: Bump on any change to the mapping or the analysers below: the index is rebuilt.
MAPPING_VERSION = 2
LANGS = tuple(STEMMERS)  # fr, nl, en
#: Lucene's stemmers nearest PyStemmer's (indexer.analysis.STEMMERS): see the module's docstring for Dutch.
LUCENE_STEMMERS = {"fr": "french", "nl": "dutch", "en": "porter2"}
NEUTRAL = "text_all"
LANG_FIELDS = {lang: f"text_{lang}" for lang in LANGS}
#: The share of its score a passage keeps when it reads as no running text at all (as Whoosh's engine).
PROSE_FLOOR = 0.3


def signature() -> str:
    return f"opensearch-mapping-{MAPPING_VERSION}/analysis-{ANALYSIS_VERSION}"


def analysis() -> dict:
    filters = {}
    analyzers = {"folded": {"type": "custom", "tokenizer": "words", "filter": ["lowercase", "asciifolding"]}}
    for lang in LANGS:
        filters[f"stop_{lang}"] = {"type": "stop", "stopwords": sorted(stop_words(lang)), "ignore_case": False}
        filters[f"stem_{lang}"] = {"type": "stemmer", "language": LUCENE_STEMMERS[lang]}
        analyzers[f"{lang}_folded"] = {"type": "custom", "tokenizer": "words",
                                       "filter": ["lowercase", "asciifolding", f"stop_{lang}", f"stem_{lang}"]}
    return {
        "tokenizer": {"words": {"type": "pattern", "pattern": "[^\\p{L}\\p{M}\\p{N}_]+"}},
        "filter": filters,
        "analyzer": analyzers,
    }


def index_body(shards: int, replicas: int) -> dict:
    folded = {"type": "text", "analyzer": "folded"}
    passage_fields = {
        "seq": {"type": "integer"},
        "page": {"type": "integer"},
        "plang": {"type": "keyword"},
        # 1 for prose, down to PROSE_FLOOR for contents pages (only in documents of several passages).
        "prose": {"type": "float"},
        "text": {"type": "text", "index": False},  # the passage as shown; the fields below are searched
        "title": dict(folded),  # the first passage only: a title word found in a passage
        NEUTRAL: {"type": "text", "analyzer": "folded"},
        **{field: {"type": "text", "analyzer": f"{lang}_folded"} for lang, field in LANG_FIELDS.items()},
    }
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas,
                      # Changes become visible when a writer block commits (refresh), not before.
                      "refresh_interval": "-1",
                      # A passage is a page: a 20,000-page document still fits (the default is 10,000).
                      "mapping": {"nested_objects": {"limit": 20000}}},
            "analysis": analysis(),
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"signature": signature()},
            # The analysed copies are searched, never shown: only `text` is kept in _source.
            "_source": {"excludes": [f"passages.{NEUTRAL}", *(f"passages.{f}" for f in LANG_FIELDS.values())]},
            "properties": {
                "doc_id": {"type": "keyword"},
                "path": {"type": "keyword"},
                "content_hash": {"type": "keyword"},
                "part": {"type": "integer"},
                "title": folded,
                "format": {"type": "keyword"},
                "type": {"type": "keyword"},
                "doc_lang": {"type": "keyword"},
                "langs": {"type": "object", "enabled": False},
                "year": {"type": "integer"},
                "date": {"type": "date", "format": "yyyy-MM-dd"},
                "projects": {"type": "keyword"},
                "visibility": {"type": "keyword"},
                "plangs": {"type": "keyword"},  # every language the document has text in
                "n_passages": {"type": "integer"},
                "passages": {"type": "nested", "properties": passage_fields},
            },
        },
    }


def record(doc) -> dict:
    """The OpenSearch document for one :class:`archive.model.Document`."""
    passages = []
    several = len(doc.passages) > 1
    for seq, p in enumerate(doc.passages or []):
        text = p.text or ""
        # The title is searched with the first passage (as in Whoosh), so that a title word in
        # another inflection still reaches the document and a query matching it shows page one.
        indexed = f"{doc.title}\n\n{text}" if seq == 0 and doc.title else text
        quality = quality_code(text) / 100.0
        entry = {"seq": seq, "page": p.page or 0, "plang": p.lang, "text": text,
                 "prose": round(PROSE_FLOOR + (1.0 - PROSE_FLOOR) * quality, 3) if several else 1.0,
                 NEUTRAL: indexed}
        if seq == 0 and doc.title:
            entry["title"] = doc.title
        field = LANG_FIELDS.get(p.lang)
        if field:
            entry[field] = indexed
        passages.append(entry)
    return {
        "doc_id": doc.id,
        "path": doc.path,
        "content_hash": doc.content_hash,
        "part": doc.part,
        "title": doc.title,
        "format": doc.format,
        "type": doc.type,
        "doc_lang": doc.lang,
        "langs": dict(doc.langs),
        "year": doc.year or None,
        "date": doc.date.isoformat() if doc.date else None,
        "projects": list(doc.projects),
        "visibility": doc.visibility,
        "plangs": sorted({p.lang for p in doc.passages or []}),
        "n_passages": len(doc.passages or []),
        "passages": passages,
    }
