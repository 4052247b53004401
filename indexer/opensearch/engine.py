"""The OpenSearch engine (:class:`indexer.contract.Engine`), ``ARCHIVE_ENGINE=opensearch``.

The index folder keeps what is engine-neutral (the manifest, the extraction cache) and a
small ``opensearch-index.json`` naming the concrete index this folder's ingest built; the
documents live in the cluster (settings: :mod:`indexer.opensearch.client`). Searches go to
the alias (``ARCHIVE_OPENSEARCH_INDEX``, default ``archive``); a rebuild fills a new index
``ALIAS-vN-TIMESTAMP`` and moves the alias to it in one atomic ``_aliases`` call when its
last writer block commits, then deletes the index it replaced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import threading
import time
from pathlib import Path

from .. import query as tree
from ..contract import DocumentView, FilterValue, Hit, PassageView, SearchRequest, SearchResponse, Stats
from ..crosslang import CrossLanguage, dictionary_loader
from ..errors import EngineFailure, EngineUnavailable, IndexProblem, QueryError
from ..filters import FACET_FILTERS, filters_for
from ..glossary import Glossary, find_glossary
from ..projects import ProjectSpellings, vocabulary_for_index
from ..snippets import make_snippet, match_spans
from ..translation import FUNCTION_WORDS, mention_projects, prepare, simplify
from . import mapping
from .client import Settings, check_health, connect, unavailable, with_backoff
from .query import P, best_passage, highlight_terms, near_phrase, nested, top_level, word_query
from .writer import send, writing

STATE_FILE = "opensearch-index.json"
#: OpenSearch's index.max_result_window: deeper pages would need search_after.
MAX_WINDOW = 10_000
#: How long the project list (for project names in queries) is reused.
PROJECTS_TTL = 5.0
FACET_FIELDS = {"lang": "plangs", "year": "year", "project": "projects", "type": "type"}
FACET_SIZE = 500
SIMILAR_SNIPPET = 160


def _write_state(folder: Path, state: dict) -> None:
    """Written whole or not at all (a temporary file renamed over the old one)."""
    path = Path(folder) / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)  # a first build may come before any manifest
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)


def _read_state(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class OpenSearchEngine:
    """Searches and writes one alias of an OpenSearch cluster."""

    #: opensearch-py's client is thread-safe (a connection pool); the engine keeps no per-call state.
    threadsafe = True

    def __init__(self, folder: Path, settings: Settings, glossary: Glossary | None = None, dictionary_loader=None,
                 create: bool = False):
        self.folder = Path(folder)
        self.settings = settings
        self.alias = settings.alias
        self.crosslang = CrossLanguage(glossary, dictionary_loader)
        self._lock = threading.Lock()
        self._client = None
        self._projects: tuple[float, list[str], set[str], ProjectSpellings] | None = None
        self._pending: str | None = None  # a new index waiting for the alias (create=True)
        client = self.client
        nodes = check_health(client, settings)
        if create:
            self._create(nodes)
        elif not self._call(lambda: client.indices.exists_alias(name=self.alias)):
            raise IndexProblem(f"no OpenSearch index behind the alias {self.alias!r} at {', '.join(settings.urls)}: "
                               "run `archive ingest PATH` first (or set ARCHIVE_OPENSEARCH_INDEX)")

    @classmethod
    def open(cls, folder: Path, cross_language_glossary: Path | None = None, create: bool = False) -> "OpenSearchEngine":
        path = find_glossary(cross_language_glossary)
        return cls(folder, Settings.from_env(), Glossary.load(path) if path else None,
                   dictionary_loader=dictionary_loader(), create=create)

    @staticmethod
    def is_current(folder: Path) -> bool:
        """Whether the alias serves the index this folder's ingest built, with this code's mapping."""
        state = _read_state(folder)
        if state.get("signature") != mapping.signature():
            return False
        settings = Settings.from_env()
        if state.get("alias") != settings.alias:
            return False
        client = connect(settings)
        from opensearchpy.exceptions import ConnectionError as OSConnectionError, NotFoundError

        try:
            aliases = client.indices.get_alias(name=settings.alias)
            meta = client.indices.get_mapping(index=state.get("index", "-"))
        except NotFoundError:
            return False
        except OSConnectionError as exc:
            raise unavailable(settings, exc) from exc
        finally:
            client.close()
        found = meta.get(state["index"], {}).get("mappings", {}).get("_meta", {}).get("signature")
        return state["index"] in aliases and found == mapping.signature()

    # -- connection -----------------------------------------------------------

    @property
    def client(self):
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = connect(self.settings)
                client = self._client
        return client

    def close(self) -> None:
        """Close the connections; a later call connects again (closing twice is harmless)."""
        with self._lock:
            client, self._client = self._client, None
            self._projects = None
        if client is not None:
            client.close()

    @property
    def cross_language(self) -> bool:
        return self.crosslang.available

    def _call(self, fn, retry: bool = True):
        """``fn()`` (retried with back-off on 429/5xx unless ``retry`` is false), with the cluster's
        failures said as the archive's errors."""
        from opensearchpy.exceptions import ConnectionError as OSConnectionError, NotFoundError, TransportError

        try:
            return with_backoff(fn, "request") if retry else fn()
        except OSConnectionError as exc:
            raise unavailable(self.settings, exc) from exc
        except NotFoundError as exc:
            raise IndexProblem(f"the OpenSearch index {self.alias!r} is missing: run `archive ingest PATH` ({exc.error})") from exc
        except TransportError as exc:
            if exc.status_code in (429, 502, 503, 504):
                raise EngineUnavailable(f"OpenSearch is overloaded or unavailable ({exc.status_code}: {exc.error})") from exc
            raise EngineFailure(f"OpenSearch answered {exc.status_code}: {exc.error} {json.dumps(exc.info)[:500] if exc.info else ''}") from exc

    def _search(self, body: dict, index: str | None = None) -> dict:
        found = self._call(lambda: self.client.search(index=index or self.alias, body=body,
                                                      params={"allow_partial_search_results": "false"}))
        shards = found.get("_shards", {})
        if shards.get("failed"):
            # Never partial results (wrong totals and facets): every copy of a shard is gone.
            raise EngineUnavailable(f"OpenSearch answered from {shards.get('successful')} of {shards.get('total')} shards: "
                                    "part of the index is unavailable (a red cluster)")
        return found

    # -- index lifecycle ------------------------------------------------------

    def _create(self, nodes: int) -> None:
        client = self.client
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.alias}-v{mapping.MAPPING_VERSION}-{stamp}"
        current = self._alias_indices()
        # Indices of builds that never finished (never took the alias) are dropped.
        prefix = f"{self.alias}-v"
        stale = [i for i in self._call(lambda: client.indices.get(index=f"{prefix}*", params={"expand_wildcards": "open,closed"}))
                 if i.startswith(prefix) and i not in current]
        if stale:
            self._call(lambda: client.indices.delete(index=",".join(stale)))
        shards = self.settings.shards or 1
        replicas = self.settings.replicas if self.settings.replicas is not None else min(1, nodes - 1)
        self._call(lambda: client.indices.create(index=name, body=mapping.index_body(shards, replicas)))
        self._call(lambda: client.cluster.health(index=name, params={"wait_for_status": "yellow"}, request_timeout=60))
        if current:
            self._pending = name  # the alias moves when the last writer block commits
        else:
            self._take_alias(name, [])

    def _alias_indices(self) -> list[str]:
        from opensearchpy.exceptions import NotFoundError

        try:
            return list(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def _take_alias(self, name: str, old: list[str]) -> None:
        client = self.client
        if client.indices.exists(index=self.alias) and not client.indices.exists_alias(name=self.alias):
            raise IndexProblem(f"{self.alias!r} is an index, not an alias: set ARCHIVE_OPENSEARCH_INDEX to another name")
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in old if i != name]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(lambda: client.indices.update_aliases(body={"actions": actions}))
        _write_state(self.folder, {"signature": mapping.signature(), "alias": self.alias, "index": name,
                                               "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
        gone = [i for i in old if i != name]
        if gone:
            self._call(lambda: client.indices.delete(index=",".join(gone), params={"ignore_unavailable": "true"}))

    @property
    def write_index(self) -> str:
        return self._pending or self.alias

    def writer(self, finish: bool = True):
        """``with engine.writer() as w: w.delete_path(p); w.add(document)`` — sent and refreshed when the
        block succeeds; a rebuilt index takes the alias when a block with ``finish`` commits."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return writing(self, finish)

    def commit(self, writer) -> None:
        index = self.write_index
        if writer.ops:
            self._call(lambda: send(self.client, index, writer.ops), retry=False)  # each _bulk is retried inside
        self._call(lambda: self.client.indices.refresh(index=index))
        if writer.finish and self._pending:
            self._take_alias(self._pending, self._alias_indices())
            self._pending = None
        self._projects = None

    # -- projects -------------------------------------------------------------

    def _project_lists(self) -> tuple[list[str], set[str], ProjectSpellings]:
        cached = self._projects
        if cached is None or time.monotonic() - cached[0] > PROJECTS_TTL:
            body = {"size": 0, "aggs": {"all": {"terms": {"field": "projects", "size": FACET_SIZE}},
                                        "public": {"filter": _visibility_filter(), "aggs": {
                                            "v": {"terms": {"field": "projects", "size": FACET_SIZE}}}}}}
            found = self._search(body)["aggregations"]
            every = sorted(b["key"] for b in found["all"]["buckets"])
            public = {b["key"] for b in found["public"]["v"]["buckets"]}
            cached = self._projects = (time.monotonic(), every, public, ProjectSpellings(vocabulary_for_index(self.folder), every))
        return cached[1], cached[2], cached[3]

    def project_spellings(self) -> ProjectSpellings:
        return self._project_lists()[2]

    def _visible_projects(self, include_internal: bool) -> set[str] | None:
        return None if include_internal else self._project_lists()[1]

    # -- filters --------------------------------------------------------------

    def _query_filter(self, node: tree.Filter, include_internal: bool) -> dict:
        """A ``field:value`` written in the query, as a document-level filter."""
        name, value = node.name, node.value
        if name == "year":
            if not value.isdigit():
                raise QueryError(f"year:{value} is not a year (write year:2019)", "query_bad_year", value=value)
            return {"term": {"year": int(value)}}
        if name == "project":
            return {"term": {"projects": self.project_spellings().resolve(value, self._visible_projects(include_internal))}}
        return {"term": {FACET_FIELDS[name]: value}}

    # -- search ---------------------------------------------------------------

    def parse_query(self, text: str) -> tree.Parsed:
        return tree.parse(text)

    def search(self, request: SearchRequest) -> SearchResponse:
        if request.page < 1 or not 1 <= request.per_page <= 1000:
            raise QueryError("page must be >= 1 and per_page between 1 and 1000")
        if request.page * request.per_page > MAX_WINDOW:
            raise QueryError(f"only the first {MAX_WINDOW} results can be paged through")
        ready = prepare(request, self.project_spellings(), self._visible_projects(request.include_internal), self.crosslang)
        parsed, group, expanded, request = ready.parsed, ready.group, ready.expanded, ready.request
        compiled = top_level(group, lambda node: self._query_filter(node, request.include_internal))
        # A passage "answers" when it matches one of the query's words (any passage for an empty
        # query): the language filter and facet are about the languages of answering passages.
        answering = ({"bool": {"should": compiled.positives, "minimum_should_match": 1}} if compiled.positives
                     else {"match_all": {}})
        always, facet_filters = _request_filters(filters_for(request), request.include_internal, answering)
        query = {"bool": {"must": [compiled.query], "should": [best_passage(compiled, request.langs or compiled.langs, near_phrase(request.query, group))], "filter": always}}
        body: dict = {
            "query": query,
            "from": (request.page - 1) * request.per_page,
            "size": request.per_page,
            "track_total_hits": True,
            "_source": {"excludes": ["passages"]},
            "sort": (["_score", {"doc_id": "asc"}] if request.sort != "date"
                     else [{"date": {"order": "desc", "missing": "_last"}}, "_score", {"doc_id": "asc"}]),
        }
        if request.sort == "date":
            body["track_scores"] = True
        if facet_filters:
            body["post_filter"] = {"bool": {"filter": list(facet_filters.values())}}
        if request.facets:
            body["aggs"] = _facet_aggs(facet_filters, answering)
        # Whether each word is known to the documents the requester may see (for "did you mean"),
        # counted in the same request.
        words = _suggestable(parsed.query)
        if words:
            body.setdefault("aggs", {}).update(_word_counts_agg(sorted(set(words.values())), request.include_internal))
        found = self._search(body)
        total = found["hits"]["total"]["value"]
        marks = highlight_terms(group)
        hits = [self._hit(h, marks, request.snippet_chars) for h in found["hits"]["hits"]]
        facets = _facets(found.get("aggregations", {})) if request.facets else {}
        response = SearchResponse(request.query, total, request.page, request.per_page, hits, facets, expanded=expanded,
                                  notices=[str(n) for n in parsed.notices], notice_keys=[(n.key, n.values) for n in parsed.notices])
        unknown = self._unknown_words(parsed.query, request.include_internal,
                                      _word_counts(found, sorted(set(words.values())))) if words else []
        if unknown:
            response.suggestion = self.suggest(request, better_than=max(0, total - 1), unknown=unknown)
        return response

    def _hit(self, h: dict, marks, snippet_chars: int) -> Hit:
        inner = h.get("inner_hits", {}).get("best", {}).get("hits", {}).get("hits", [])
        passage = inner[0]["_source"] if inner else {}
        text = passage.get("text", "")
        lang = passage.get("plang", "und")
        snippet, highlights = make_snippet(text, lang, marks.for_text(text) if marks else set(), snippet_chars)
        score = h.get("_score")
        return _hit_from_source(h["_source"], float(score or 0.0), passage, snippet, highlights)

    # -- did you mean ---------------------------------------------------------

    def _doc_counts(self, words: list[str], include_internal: bool) -> dict[str, int]:
        """How many documents the requester may see hold each (folded) word, in one request."""
        if not words:
            return {}
        found = self._search({"size": 0, "aggs": _word_counts_agg(words, include_internal)})
        return _word_counts(found, words)

    def _unknown_words(self, group: tree.Group, include_internal: bool, counts: dict[str, int] | None = None) -> list[str]:
        words = _suggestable(group)
        if counts is None:
            counts = self._doc_counts(sorted(set(words.values())), include_internal)
        return [w for w, f in words.items() if not counts.get(f)]

    def suggest(self, request: SearchRequest, better_than: int = 0, unknown: list[str] | None = None) -> str | None:
        """A corrected query, only if it differs and finds more than ``better_than`` documents the
        requester may see; every new word must occur in such a document."""
        from archive.textutil import fold

        try:
            parsed = self.parse_query(request.query)
        except QueryError:
            return None
        if unknown is None:
            unknown = self._unknown_words(parsed.query, request.include_internal)
        if not unknown:
            return None
        suggest = {f"s{i}": {"text": fold(w.lower()), "term": {"field": P + mapping.NEUTRAL, "prefix_length": 2, "max_edits": 2,
                                                               "suggest_mode": "always", "size": 5, "min_word_length": tree.SUGGEST_MIN}}
                   for i, w in enumerate(unknown)}
        found = self._search({"size": 0, "suggest": suggest}).get("suggest", {})
        options = {w: [o["text"] for entry in found.get(f"s{i}", []) for o in entry.get("options", [])] for i, w in enumerate(unknown)}
        counts = self._doc_counts(sorted({o for opts in options.values() for o in opts}), request.include_internal)
        text = request.query
        changed = False
        for word in unknown:
            choice = next((o for o in options[word] if counts.get(o)), None)
            if choice:
                replaced = tree.replace_word(text, word, choice)
                changed = changed or replaced != text
                text = replaced
        if not changed or text.strip() == request.query.strip():
            return None
        try:
            corrected = dataclasses.replace(request, query=text, page=1, per_page=1, facets=False, langs=(), years=(),
                                            projects=(), types=(), date_from=None, date_to=None, cross_language=False)
            total = self._count(corrected)
        except QueryError:
            return None
        return text if total > better_than else None

    def _count(self, request: SearchRequest) -> int:
        parsed = self.parse_query(request.query)
        visible = self._visible_projects(request.include_internal)
        group, _ = mention_projects(simplify(parsed.query), self.project_spellings(), visible)
        compiled = top_level(group, lambda node: self._query_filter(node, request.include_internal))
        query = {"bool": {"must": [compiled.query], "filter": [f for f in [_visibility(request.include_internal)] if f]}}
        return self._call(lambda: self.client.count(index=self.alias, body={"query": query}))["count"]

    # -- documents ------------------------------------------------------------

    def _source(self, doc_id: str, include_internal: bool) -> dict | None:
        filters = [{"ids": {"values": [doc_id]}}]
        if not include_internal:
            filters.append(_visibility_filter())
        found = self._search({"query": {"bool": {"filter": filters}}, "size": 1})
        hits = found["hits"]["hits"]
        return hits[0]["_source"] if hits else None

    def document(self, doc_id: str, include_internal: bool = False, query: str | None = None,
                 cross_language: bool = False) -> DocumentView | None:
        source = self._source(doc_id, include_internal)
        if source is None:
            return None
        marks = None
        if query:
            try:
                request = SearchRequest(query, cross_language=cross_language, include_internal=include_internal)
                ready = prepare(request, self.project_spellings(), self._visible_projects(include_internal), self.crosslang)
                marks = highlight_terms(ready.group)
            except QueryError:
                marks = None
        views = []
        for p in sorted(source.get("passages", []), key=lambda p: p.get("seq", 0)):
            text = p.get("text", "")
            spans = match_spans(text, p.get("plang", "und"), marks.for_text(text)) if marks else []
            views.append(PassageView(p.get("page") or None, p.get("plang", "und"), text, [list(s) for s in spans]))
        hit = _hit_from_source(source, 0.0, {}, "", [])
        return DocumentView(hit.id, hit.title, hit.path, hit.format, hit.type, hit.lang, hit.langs, hit.year, hit.date,
                            hit.projects, hit.visibility, views)

    def similar(self, doc_id: str, limit: int = 5, include_internal: bool = False) -> list[Hit]:
        """Documents sharing the most distinctive words of ``doc_id`` (``more_like_this`` on the passages)."""
        doc = self.document(doc_id, include_internal)
        if doc is None:
            return []
        text = doc.title + "\n" + doc.text[:20000]
        fields = [P + mapping.NEUTRAL] + ([P + mapping.LANG_FIELDS[doc.lang]] if doc.lang in mapping.LANG_FIELDS else [])
        mlt = {"more_like_this": {"fields": fields, "like": text, "min_term_freq": 1, "min_doc_freq": 1,
                                  "max_query_terms": 20, "min_word_length": 3, "minimum_should_match": "1",
                                  "stop_words": sorted(FUNCTION_WORDS)}}
        filters = [f for f in [_visibility(include_internal)] if f]
        body = {"query": {"bool": {"must": [nested(mlt, inner_hits={"name": "best", "size": 1,
                                                                    "_source": ["passages.seq", "passages.page", "passages.plang", "passages.text"]})],
                                   "filter": filters, "must_not": [{"ids": {"values": [doc_id]}}]}},
                "size": limit, "_source": {"excludes": ["passages"]}}
        found = self._search(body)
        return [self._hit(h, None, SIMILAR_SNIPPET) for h in found["hits"]["hits"]]

    def stats(self, include_internal: bool = False) -> Stats:
        filters = [f for f in [_visibility(include_internal)] if f]
        terms = lambda field: {"terms": {"field": field, "size": FACET_SIZE}}  # noqa: E731
        body = {"size": 0, "track_total_hits": True, "query": {"bool": {"filter": filters}}, "aggs": {
            "year": {"terms": {"field": "year", "size": FACET_SIZE, "missing": 0},
                     "aggs": {"main": terms("doc_lang"), "project": terms("projects")}},
            "lang": terms("plangs"), "main_lang": terms("doc_lang"), "project": terms("projects"), "type": terms("type"),
            "passages": {"nested": {"path": "passages"}},
        }}
        found = self._search(body)
        aggs = found["aggregations"]
        out = Stats(documents=found["hits"]["total"]["value"], passages=aggs["passages"]["doc_count"])
        out.lang = _named(aggs["lang"])
        out.project = _named(aggs["project"])
        out.type = _named(aggs["type"])
        out.main_lang = _named(aggs["main_lang"])
        for b in aggs["year"]["buckets"]:
            year = str(b["key"]) if b["key"] else "unknown"
            out.year[year] = b["doc_count"]
            out.year_lang[year] = {s["key"]: s["doc_count"] for s in b["main"]["buckets"]}
            projects = {s["key"]: s["doc_count"] for s in b["project"]["buckets"]}
            if projects:
                out.year_project[year] = projects
        out.year = dict(sorted(out.year.items()))
        return out


def _suggestable(group: tree.Group) -> dict[str, str]:
    """The query's words worth correcting (4 letters or more), each with its folded form."""
    from archive.textutil import fold

    return {w: fold(w.lower()) for w in dict.fromkeys(tree.words_of(group)) if len(w) >= tree.SUGGEST_MIN}


def _word_counts_agg(words: list[str], include_internal: bool) -> dict:
    """An aggregation counting, for each word, the documents the requester may see that hold it,
    whatever the query (a ``global`` aggregation)."""
    # A word is known when it finds a passage as the query would look it up (stemmed in the
    # language fields: "enfant" is not unknown because only "enfants" is written).
    per_word = {f"w{i}": {"filter": word_query(w, None) or {"term": {P + mapping.NEUTRAL: w}},
                          "aggs": {"docs": {"reverse_nested": {}}}}
                for i, w in enumerate(words)}
    visible = _visibility(include_internal) or {"match_all": {}}
    return {"_words": {"global": {}, "aggs": {"visible": {"filter": visible, "aggs": {
        "p": {"nested": {"path": "passages"}, "aggs": per_word}}}}}}


def _word_counts(found: dict, words: list[str]) -> dict[str, int]:
    p = found["aggregations"]["_words"]["visible"]["p"]
    return {w: p[f"w{i}"]["docs"]["doc_count"] for i, w in enumerate(words)}


def _named(agg: dict) -> dict[str, int]:
    pairs = [(str(b["key"]), b["doc_count"]) for b in agg["buckets"] if b["doc_count"]]
    return dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))


def _visibility_filter() -> dict:
    return {"term": {"visibility": "public"}}


def _visibility(include_internal: bool) -> dict | None:
    return None if include_internal else _visibility_filter()


def _request_filters(filters: list[FilterValue], include_internal: bool, answering: dict) -> tuple[list[dict], dict[str, dict]]:
    """(filters that always apply, {facet name: its filter}); values of one filter are alternatives.
    The language filter keeps documents with an ``answering`` passage in one of the languages."""
    always = [f for f in [_visibility(include_internal)] if f]
    by_name: dict[str, list[str]] = {}
    for f in filters:
        by_name.setdefault(f.name, []).append(f.value)
    facets = {}
    for name, values in by_name.items():
        if name == "lang":
            facets[name] = nested({"bool": {"filter": [{"terms": {P + "plang": values}}, answering]}})
        elif name in FACET_FILTERS:
            field = FACET_FIELDS[name]
            facets[name] = {"terms": {field: [int(v) for v in values] if name == "year" else values}}
        elif name == "from":
            always.append({"range": {"date": {"gte": max(values)}}})
        elif name == "to":
            always.append({"range": {"date": {"lte": min(values)}}})
        else:
            raise QueryError(f"unknown filter {name!r}")
    return always, facets


def _facet_aggs(facet_filters: dict[str, dict], answering: dict) -> dict:
    """Each facet counted with every filter but its own (the post_filter narrows the hits only).
    A document counts under each language its answering passages are in (nested, then back to
    the documents with ``reverse_nested``)."""
    aggs = {}
    for name, field in FACET_FIELDS.items():
        others = [q for other, q in facet_filters.items() if other != name]
        if name == "lang":
            inner = {"p": {"nested": {"path": "passages"}, "aggs": {"a": {"filter": answering, "aggs": {
                "v": {"terms": {"field": P + "plang", "size": FACET_SIZE}, "aggs": {"docs": {"reverse_nested": {}}}}}}}}}
        else:
            inner = {"v": {"terms": {"field": field, "size": FACET_SIZE}}}
        aggs[name] = {"filter": {"bool": {"filter": others}} if others else {"match_all": {}}, "aggs": inner}
    return aggs


def _facets(aggs: dict) -> dict[str, dict[str, int]]:
    out = {}
    for name in ("year", "lang", "project", "type"):
        if name == "lang" and name in aggs:
            buckets = aggs[name]["p"]["a"]["v"]["buckets"]
            counts = _named({"buckets": [{"key": b["key"], "doc_count": b["docs"]["doc_count"]} for b in buckets]})
        else:
            counts = _named(aggs[name]["v"]) if name in aggs else {}
        if name == "year":
            counts = dict(sorted(counts.items(), reverse=True))
        out[name] = counts
    return out


def _hit_from_source(s: dict, score: float, passage: dict, snippet: str, highlights: list) -> Hit:
    return Hit(
        id=s["doc_id"],
        title=s.get("title", ""),
        path=s.get("path", ""),
        format=s.get("format", ""),
        type=s.get("type") or "other",
        lang=s.get("doc_lang") or "und",
        langs=s.get("langs") or {},
        year=s.get("year") or None,
        date=s.get("date") or None,
        projects=list(s.get("projects") or []),
        score=round(score, 4),
        page=passage.get("page") or None,
        passage_lang=passage.get("plang", "und"),
        snippet=snippet,
        highlights=highlights,
        visibility=s.get("visibility", "public"),
    )
