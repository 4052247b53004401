"""The Whoosh engine behind :mod:`indexer.contract`: open once, answer many queries.

One searcher is opened with the engine and reused; ``refresh`` swaps it for a
new one only when the index has changed (checked at most once a second), so
opening the index is never on a query's path.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as q

from archive.textutil import fold

from .. import query as tree
from ..contract import DocumentView, FilterValue, Hit, PassageView, SearchRequest, SearchResponse, Stats
from ..crosslang import CrossLanguage, dictionary_loader
from ..errors import QueryError
from ..filters import FACET_FILTERS, filters_for
from ..glossary import Glossary, find_glossary
from ..projects import ProjectSpellings, vocabulary_for_index
from ..ranking import Matches
from ..snippets import make_snippet, match_spans
from ..translation import FUNCTION_WORDS, prepare
from . import facet_table, index, postings
from .evaluator import Evaluator, Unsupported
from .facets import FacetArrays, count, facet_counts
from .matching import Matcher
from .schema import LANG_FIELDS, NEUTRAL_FIELD
from .writer import writing

PHRASE_SLOP = 2  # words may stand this far apart and still count as together
PHRASE_BOOST = 2.0
# The near-phrase boost is checked on at most this many passages, best first (a
# rescoring window, as search engines do for costly clauses); see _top.
RESCORE_WINDOW = 200
#: The share of its score a passage keeps when it reads as no running text at all.
PROSE_FLOOR = 0.3
#: Below this prose score a passage is a contents page, an index or a part title (indexer/quality.py).
PROSE_PAGE = 0.5
# Words only: no quotes, parentheses, field:, wildcards, fuzziness or operators.
_PLAIN_WORDS = re.compile(r"(?!.*\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b)[^\"():*?~^\[\]{}]+")


def _serialized(method):
    """Whoosh readers share file handles and are not safe across threads: one call at a time
    (the engine's one lock; callers hold none of their own)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._call_lock:
            return method(self, *args, **kwargs)

    return wrapper


class WhooshEngine:
    """The embedded engine (:class:`indexer.contract.Engine`): one index folder, opened once,
    answering many queries."""

    #: Calls are serialised inside (Whoosh readers share file handles), so any thread may call.
    threadsafe = True
    #: Processes that write the index (None: the cores this process may use); ingest sets its --jobs.
    write_processes: int | None = None

    def __init__(self, index_dir: Path, glossary: Glossary | None = None, refresh_interval: float = 1.0,
                 dictionary_loader=None, create: bool = False, glossary_loader=None):
        """``dictionary_loader``: returns the bilingual dictionary for cross-language search (see
        :mod:`indexer.crosslang`); called on the first such search. ``create``: start a new,
        empty index there (replacing one built by another version)."""
        self.folder = Path(index_dir)
        self.ix = index.create(self.folder) if create else index.open_index(self.folder)
        self.schema = self.ix.schema
        self.crosslang = CrossLanguage(glossary, dictionary_loader, glossary_loader)
        self.refresh_interval = refresh_interval
        self._lock = threading.Lock()
        self._call_lock = threading.RLock()
        self._searcher = self.ix.searcher()
        self._arrays: FacetArrays | None = None
        self._evaluator: Evaluator | None = None
        self._dates: np.ndarray | None = None
        self._spellings: ProjectSpellings | None = None
        #: What is computed once per searcher and does not depend on the query (visible projects, stats).
        self._derived: dict = {}
        self._checked = time.monotonic()
        self._neutral = self.schema[NEUTRAL_FIELD].analyzer

    @classmethod
    def open(cls, index_dir: Path, cross_language_glossary: Path | None = None, create: bool = False) -> "WhooshEngine":
        path = find_glossary(cross_language_glossary)
        if path is not None and not os.access(path, os.R_OK):
            Glossary.load(path)  # says why it cannot be read, now rather than on the first cross-language search
        # The glossary and the dictionary are read on the first cross-language search, not here.
        return cls(index_dir, dictionary_loader=dictionary_loader(), create=create,
                   glossary_loader=(lambda: Glossary.load(path)) if path else None)

    @property
    def glossary(self) -> Glossary | None:
        return self.crosslang.glossary

    @staticmethod
    def is_current(index_dir: Path) -> bool:
        """Whether an index built by this code is in ``index_dir`` (else ingest rebuilds it)."""
        return index.is_current(Path(index_dir))

    # -- writing --------------------------------------------------------------

    def writer(self, finish: bool = True):
        """``with engine.writer() as w: w.delete_path(p); w.add(document)`` — committed when the block
        succeeds; ``finish=False`` leaves the derived data (facet table, saved postings) to a later block."""
        return _refreshing(self, writing(self.ix, self.folder, finish, self.write_processes))

    # -- searcher lifecycle ---------------------------------------------------

    def searcher(self):
        """The shared searcher, refreshed if the index changed since the last check."""
        now = time.monotonic()
        if self._searcher is None:  # closed: open again on use
            with self._lock:
                if self._searcher is None:
                    self._searcher = self.ix.searcher()
                    self._checked = now
        if now - self._checked >= self.refresh_interval:
            with self._lock:
                self._checked = now
                if not self._searcher.up_to_date():
                    # A new searcher rather than Searcher.refresh(): refresh reuses
                    # segment readers and misses deletions made since (Whoosh 2.7).
                    # The old searcher is left to the garbage collector, since
                    # another thread may still be reading from it.
                    self._searcher = self.ix.searcher()
                    self._arrays = None
                    self._evaluator = None
                    self._dates = None
                    self._spellings = None
                    self._derived = {}
        return self._searcher

    @property
    def cross_language(self) -> bool:
        return self.crosslang.available

    @property
    def generation(self) -> int:
        """The generation of the index the next call reads (a commit makes a new one): cheap, no file read
        beyond the refresh check every ``refresh_interval``."""
        generation = self.searcher().reader().generation()
        return -1 if generation is None else int(generation)

    def refresh(self) -> None:
        self._checked = 0.0
        self.searcher()

    @_serialized
    def close(self) -> None:
        """Release the index files; a later call opens them again (closing twice is harmless)."""
        with self._lock:
            searcher, self._searcher = self._searcher, None
            # Everything computed from the searcher goes with it: the index may change before reopening.
            self._evaluator = self._arrays = self._dates = self._spellings = None
            self._derived = {}
        if searcher is not None:
            searcher.close()

    def _facet_arrays(self, searcher) -> FacetArrays:
        arrays = self._arrays
        if arrays is None:
            arrays = self._arrays = FacetArrays.of(facet_table.for_searcher(self.folder, searcher))
        return arrays

    def _eval(self, searcher) -> Evaluator:
        evaluator = self._evaluator
        if evaluator is None or evaluator.searcher is not searcher:
            evaluator = self._evaluator = Evaluator(searcher, postings.load_all(self.folder, searcher.reader()))
        return evaluator

    def _mask(self, searcher, query: q.Query | None) -> np.ndarray | None:
        """Passages matching a filter query as a boolean array, cached per searcher (filters repeat a lot)."""
        if query is None:
            return None
        return self._eval(searcher).mask(query, lambda node: np.fromiter(searcher.docs_for_query(node), dtype=np.int64))

    def _matches(self, searcher, parsed: q.Query) -> tuple[Matches, Matches | None, Any]:
        """Every passage the query matches with its score; and, for a query ending in an optional
        phrase, that phrase's score where it could match, to be confirmed lazily (see _top)."""
        evaluator = self._eval(searcher)
        try:
            if type(parsed) is q.AndMaybe and type(parsed.b) is q.Phrase and parsed.boost == 1.0:
                base = evaluator.matches(parsed.a)
                parts = evaluator.phrase_parts(parsed.b)
                if parts is None:
                    return base, None, None
                bonus, words = parts
                return base, bonus, lambda ids: evaluator.phrase_check(parsed.b, words, ids)
            return evaluator.matches(parsed), None, None
        except Unsupported:
            # Prefixes, wildcards, fuzzy terms, ranges: Whoosh scores them, in one pass.
            results = searcher.search(parsed, limit=None, terms=False)
            pairs = sorted((docnum, score) for score, docnum in results.top_n)
            ids = np.array([d for d, _ in pairs], dtype=np.int64)
            return Matches(ids, np.array([s for _, s in pairs], dtype=np.float64)), None, None

    def _passage_dates(self, searcher) -> np.ndarray:
        if self._dates is None:
            reader = searcher.reader()
            values = reader.column_reader("date") if reader.doc_count_all() else []
            self._dates = np.fromiter((v or 0 for v in values), dtype=np.int64, count=reader.doc_count_all())
        return self._dates

    # -- queries --------------------------------------------------------------

    def parse_query(self, text: str) -> tree.Parsed:
        """The user's text as the archive's query tree (see :mod:`indexer.query`)."""
        return tree.parse(text)

    def project_spellings(self) -> ProjectSpellings:
        """The projects' names and aliases (from the vocabulary the index was built with) and ids."""
        spellings = self._spellings
        if spellings is None:
            vocabulary = vocabulary_for_index(self.folder)
            spellings = self._spellings = ProjectSpellings(vocabulary, self._facet_arrays(self.searcher()).projects)
        return spellings

    def _filter_mask(self, searcher, node: tree.Filter, include_internal: bool = True) -> np.ndarray:
        """The passages a ``field:value`` filter written in the query allows."""
        name, value = node.name, node.value
        if name == "year" and not value.isdigit():
            raise QueryError(f"year:{value} is not a year (write year:2019)", "query_bad_year", value=value)
        if name == "project":
            value = self.project_spellings().resolve(value, self._visible_projects(searcher, include_internal))
        return self._mask(searcher, _clause(FilterValue(name, value, value)))

    def _matcher(self, searcher, include_internal: bool = True) -> Matcher:
        return Matcher(self._eval(searcher), lambda node: self._filter_mask(searcher, node, include_internal))

    def _derive(self, searcher, key, compute):
        """``compute()``, once per searcher: for what does not depend on the query. Kept with the
        searcher it was computed for, so a value from before a refresh is never served after it."""
        derived = self._derived
        found = derived.get(key)
        if found is not None and found[0] is searcher:
            return found[1]
        value = compute()
        if self._searcher is searcher:
            self._derived[key] = (searcher, value)
        return value

    def _visible_projects(self, searcher, include_internal: bool) -> set[str] | None:
        """The projects of the documents a requester may see (None: all of them); once per searcher."""
        if include_internal:
            return None

        def compute() -> set[str]:
            public = np.flatnonzero(self._mask(searcher, _visibility(False)))
            return set(count(self._facet_arrays(searcher), "project", public))

        return self._derive(searcher, "visible_projects", compute)

    def _near_phrase(self, searcher, text: str, group: tree.Group):
        """For plain words, the passages where they could stand together (as a phrase within
        PHRASE_SLOP) with the score that adds, and the check that confirms it (see _top)."""
        if not _PLAIN_WORDS.fullmatch(text.strip()) or group.of(tree.MUST_NOT):
            return None, None
        words = [t.text for t in self._neutral(text)]
        if len(words) < 2:
            return None, None
        phrase = q.Phrase(NEUTRAL_FIELD, words, slop=PHRASE_SLOP, boost=PHRASE_BOOST)
        evaluator = self._eval(searcher)
        parts = evaluator.phrase_parts(phrase)
        if parts is None:
            return None, None
        bonus, btexts = parts
        return bonus, lambda ids: evaluator.phrase_check(phrase, btexts, ids)

    @_serialized
    def search(self, request: SearchRequest) -> SearchResponse:
        if request.page < 1 or not 1 <= request.per_page <= 1000:
            raise QueryError("page must be >= 1 and per_page between 1 and 1000")
        searcher = self.searcher()
        ready = prepare(request, self.project_spellings(), self._visible_projects(searcher, request.include_internal), self.crosslang)
        parsed, group, expanded, request = ready.parsed, ready.group, ready.expanded, ready.request
        filters = filters_for(request)
        by_name: dict[str, list[FilterValue]] = {}
        for f in filters:
            by_name.setdefault(f.name, []).append(f)

        always: list[q.Query] = [_clause(f) for name, fs in by_name.items() if name not in FACET_FILTERS for f in fs]
        visible = _visibility(request.include_internal)
        if visible is not None:
            always.append(visible)
        facet_clauses = {name: _any([_clause(f) for f in fs]) for name, fs in by_name.items() if name in FACET_FILTERS}

        arrays = self._facet_arrays(searcher)
        always_mask = self._mask(searcher, _all(always))
        per_filter = {name: self._mask(searcher, clause) for name, clause in facet_clauses.items()}
        matcher = self._matcher(searcher, request.include_internal)
        base = _prefer_prose(matcher.rank(group, arrays.doc_of, always_mask), arrays)
        # The near-phrase bonus is not lowered on contents pages: words copied from a page (a
        # contents line too) find that page (known-item right page 98.0 %, 97.5 % when lowered).
        bonus, check = self._near_phrase(searcher, request.query, group)
        found = base
        for allowed in per_filter.values():
            found = found.where(allowed)
        wanted = request.page * request.per_page
        top = _top(found, arrays.doc_of, wanted, bonus, check,
                   self._passage_dates(searcher) if request.sort == "date" else None, tie=arrays.tie_rank)
        if bonus is not None:
            top = _prose_page(top, found, bonus, check, arrays)
        total = arrays.count_docs(found.ids)
        facets = facet_counts(arrays, base.ids, per_filter) if request.facets else {}

        terms = matcher.terms
        start = (request.page - 1) * request.per_page
        hits = [self._hit(searcher, docnum, score, terms, request.snippet_chars) for docnum, score in top[start:]]
        response = SearchResponse(request.query, total, request.page, request.per_page, hits, facets, expanded=expanded,
                                  notices=[str(n) for n in parsed.notices], notice_keys=[(n.key, n.values) for n in parsed.notices])
        # Correcting is slow (a fuzzy walk of the lexicon), so only when the query has a word the
        # index does not know. Its other words may still find documents (no word is required), so
        # the correction is offered when it finds at least as many.
        if self._unknown_words(parsed.query, searcher):
            response.suggestion = self.suggest(request, better_than=max(0, total - 1))
        return response

    def _top_documents(self, searcher, query: q.Query, filter_mask: np.ndarray | None, count: int) -> list[tuple[int, float]]:
        """The best passage (number, score) of each of the first ``count`` documents matching ``query``."""
        matched, bonus, check = self._matches(searcher, query)
        arrays = self._facet_arrays(searcher)
        return _top(matched.where(filter_mask), arrays.doc_of, count, bonus, check, tie=arrays.tie_rank)

    def _hit(self, searcher, docnum: int, score: float, terms, snippet_chars: int) -> Hit:
        f = searcher.stored_fields(int(docnum))
        snippet, highlights = make_snippet(f.get(NEUTRAL_FIELD, ""), f.get("plang", "und"), terms, snippet_chars)
        return _hit_from_fields(f, score, snippet, highlights)

    # -- suggestions ----------------------------------------------------------

    @staticmethod
    def _unknown_words(group: tree.Group, searcher) -> list[str]:
        """The query's words worth correcting that no passage holds (excluded words are left as typed)."""
        reader = searcher.reader()
        # Short words are too often valid somewhere to be worth correcting.
        words = dict.fromkeys(w for w in tree.words_of(group) if len(w) >= tree.SUGGEST_MIN)
        return [w for w in words if not reader.frequency(NEUTRAL_FIELD, fold(w.lower()))]

    @_serialized
    def suggest(self, request: SearchRequest, better_than: int = 0) -> str | None:
        """A corrected query, only if it differs and finds more than ``better_than`` documents.

        Only the unknown words the query searches for are corrected, each in place in the text
        as typed, so operators, quotes, fields and excluded words stay as they were."""
        searcher = self.searcher()
        try:
            group = self.parse_query(request.query).query
        except QueryError:
            return None
        unknown = self._unknown_words(group, searcher)
        if not unknown:
            return None
        # The lexicon holds internal documents' words too: each new word must
        # occur in a document the requester may see.
        visible = self._mask(searcher, _visibility(request.include_internal))
        corrector = searcher.corrector(NEUTRAL_FIELD)
        text = request.query
        for word in unknown:
            # prefix=2: the first two letters are taken as typed, which keeps the fuzzy walk short.
            options = corrector.suggest(fold(word.lower()), limit=5, maxdist=2, prefix=2)
            choice = next((o for o in options if self._top_documents(searcher, q.Term(NEUTRAL_FIELD, o), visible, 1)), None)
            if choice:
                text = tree.replace_word(text, word, choice)
        if text.strip() == request.query.strip():
            return None
        try:
            group = self.parse_query(text).query
        except QueryError:
            return None
        arrays = self._facet_arrays(searcher)
        found = self._matcher(searcher).rank(group, arrays.doc_of, visible)
        return text if arrays.count_docs(found.ids) > better_than else None

    # -- documents ------------------------------------------------------------

    @_serialized
    def document(self, doc_id: str, include_internal: bool = False, query: str | None = None,
                 cross_language: bool = False) -> DocumentView | None:
        searcher = self.searcher()
        passages = sorted(searcher.documents(doc_id=doc_id), key=lambda f: f.get("seq", 0))
        if not passages or (not include_internal and passages[0].get("visibility") != "public"):
            return None
        terms: set[tuple[str, str]] = set()
        if query:
            try:
                request = SearchRequest(query, cross_language=cross_language, include_internal=include_internal)
                ready = prepare(request, self.project_spellings(), self._visible_projects(searcher, include_internal),
                                self.crosslang)
                terms = self._matcher(searcher).terms_of(ready.group)
            except QueryError:
                terms = set()
        hit = _hit_from_fields(passages[0], 0.0, "", [])
        views = []
        for p in passages:
            text = p.get(NEUTRAL_FIELD, "")
            spans = match_spans(text, p.get("plang", "und"), terms) if terms else []
            views.append(PassageView(p.get("page") or None, p.get("plang", "und"), text, [list(span) for span in spans]))
        return DocumentView(hit.id, hit.title, hit.path, hit.format, hit.type, hit.lang, hit.langs, hit.year, hit.date,
                            hit.projects, hit.visibility, views)

    @_serialized
    def source(self, doc_id: str, include_internal: bool = False) -> tuple[str, str] | None:
        """The (path, format) of the file ``doc_id`` came from: one stored passage read, not every one."""
        fields = self.searcher().document(doc_id=doc_id)
        if not fields or (not include_internal and fields.get("visibility") != "public"):
            return None
        return fields.get("path", ""), fields.get("format", "")

    @_serialized
    def similar(self, doc_id: str, limit: int = 5, include_internal: bool = False,
                document: DocumentView | None = None) -> list[Hit]:
        """Documents that share the most distinctive words of ``doc_id`` (more like this); ``document``:
        its view when the caller has it already (it is then not read again)."""
        searcher = self.searcher()
        doc = document if document is not None and document.id == doc_id else self.document(doc_id, include_internal)
        if doc is not None and not include_internal and doc.visibility != "public":
            return []
        if doc is None:
            return []
        text = doc.title + "\n" + doc.text[:20000]
        # Distinctive words in their stemmed form (so "enfant" meets "enfants") and as written.
        fields = [f for f in (LANG_FIELDS.get(doc.lang), NEUTRAL_FIELD) if f]
        terms = set()
        for field in fields:
            for word, _ in searcher.key_terms_from_text(field, text, numterms=20):
                if len(word) > 2 and not word.isdigit() and word not in FUNCTION_WORDS:
                    terms.add((field, word))
        if not terms:
            return []
        query = q.Or([q.Term(field, word) for field, word in sorted(terms)])
        exclude = q.Term("doc_id", doc_id)
        filt = _all([c for c in (_visibility(include_internal), q.Not(exclude)) if c is not None])
        top = self._top_documents(searcher, query, self._mask(searcher, filt), limit)
        return [self._hit(searcher, docnum, score, terms, 160) for docnum, score in top]

    @_serialized
    def stats(self, include_internal: bool = False) -> Stats:
        """Documents per year, language, project and type, and per year by main language and by project,
        counted on the facet arrays (no stored field is read); once per searcher (the index's generation)."""
        searcher = self.searcher()
        stats = self._derive(searcher, ("stats", include_internal), lambda: self._count_stats(searcher, include_internal))
        return copy.deepcopy(stats)  # the caller's to change

    def _count_stats(self, searcher, include_internal: bool) -> Stats:
        arrays = self._facet_arrays(searcher)
        live = self._eval(searcher).live
        docs = np.zeros(arrays.documents, dtype=bool)
        docs[arrays.doc_of[live]] = True
        if not include_internal:
            docs &= arrays.public
        passages = np.flatnonzero(live & docs[arrays.doc_of])
        out = Stats(documents=int(docs.sum()), passages=len(passages))
        out.lang = count(arrays, "lang", passages)
        out.project = count(arrays, "project", passages)
        out.type = count(arrays, "type", passages)
        # Years as the page names them: "unknown" for a document without one.
        year_names = [y if y != "0" else "unknown" for y in arrays.years]
        year_codes = {name: i for i, name in enumerate(dict.fromkeys(year_names))}
        names = list(year_codes)
        year_of = np.array([year_codes[y] for y in year_names], dtype=np.int64)[arrays.year] if len(arrays.year) \
            else np.zeros(0, dtype=np.int64)
        chosen_years = year_of[docs]
        out.year = {names[i]: int(c) for i, c in enumerate(np.bincount(chosen_years, minlength=len(names))) if c}
        out.year = dict(sorted(out.year.items()))
        main = np.bincount(arrays.main_lang[docs], minlength=len(arrays.main_langs))
        out.main_lang = dict(sorted(((arrays.main_langs[i], int(c)) for i, c in enumerate(main) if c),
                                    key=lambda kv: (-kv[1], kv[0])))
        out.year_lang = _crossed(chosen_years, names, arrays.main_lang[docs], arrays.main_langs)
        kept = docs[arrays.pair_doc]
        out.year_project = _crossed(year_of[arrays.pair_doc[kept]], names, arrays.pair_project[kept], arrays.projects)
        return out


def _crossed(rows: np.ndarray, row_names: list[str], columns: np.ndarray, column_names: list[str]) -> dict[str, dict[str, int]]:
    """How often each (row, column) pair occurs, as {row: {column: count}}; rows and, within a row,
    columns in the order they first occur (the order of the documents, as counting one by one gives)."""
    width = max(len(column_names), 1)
    keys = rows * width + columns
    pairs, first, counts = np.unique(keys, return_index=True, return_counts=True)
    out: dict[str, dict[str, int]] = {}
    for i in np.argsort(first, kind="stable"):
        row, column = divmod(int(pairs[i]), width)
        out.setdefault(row_names[row], {})[column_names[column]] = int(counts[i])
    return out


def _top(found: Matches, doc_of: np.ndarray, count: int, bonus: Matches | None = None, check=None,
         dates: np.ndarray | None = None, tie: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The best passage (number, score) of each of the first ``count`` documents, best first
    (or newest first when ``dates`` is given); ties go to the lower ``tie`` (per passage: the rank
    of its document's id), then to the lower passage number.

    ``bonus`` holds, for passages where an optional phrase could match, the score it adds if
    it does; ``check(ids)`` says where it does. Checking is the costly part, so passages are
    checked in order of the score they could reach, and checking stops as soon as no passage
    left could reach the ``count``-th document's score — then the result is exactly that of
    checking every passage — or after ``RESCORE_WINDOW`` passages, beyond which the boost is
    not given (a query of common words whose phrase is rare).
    """
    ids, scores = found.ids, found.scores.copy()
    if not len(ids) or count < 1:
        return []
    ties = tie[ids] if tie is not None else ids
    extra = np.zeros(len(ids))
    if bonus is not None and len(bonus):
        _, mine, theirs = np.intersect1d(ids, bonus.ids, assume_unique=True, return_indices=True)
        extra[mine] = bonus.scores[theirs]
    pending = extra > 0

    def settle(rows: np.ndarray) -> None:
        rows = rows[pending[rows]]
        if len(rows):
            scores[rows] += extra[rows] * check(ids[rows])
            pending[rows] = False

    if dates is not None:
        # Newest documents first; the best passage of each is then chosen on its full score.
        order = np.lexsort((ids, ties, -scores, -dates[ids]))
        _, first = np.unique(doc_of[ids[order]], return_index=True)
        chosen_docs = doc_of[ids[order[np.sort(first)[:count]]]]
        rows = np.flatnonzero(np.isin(doc_of[ids], chosen_docs))
        settle(rows)
        rank = rows[np.lexsort((ids[rows], ties[rows], -scores[rows]))]
        best = {}
        for row in rank:
            best.setdefault(int(doc_of[ids[row]]), row)
        return [(int(ids[best[int(d)]]), float(scores[best[int(d)]])) for d in chosen_docs]

    if pending.any():
        upper = scores + extra
        order = np.lexsort((ids, ties, -upper))
        window = min(len(order), max(RESCORE_WINDOW, 4 * count))
        done, step = 0, max(4 * count, 64)
        while done < window:
            settle(order[done:min(done + step, window)])
            done = min(done + step, window)
            if done >= window:
                break
            threshold = _kth_document_score(order[:done], ids, scores, doc_of, count, ties)
            if threshold is not None and upper[order[done]] < threshold:
                break  # no passage left could reach the first `count` documents
            step *= 2
    rank = np.lexsort((ids, ties, -scores))
    _, first = np.unique(doc_of[ids[rank]], return_index=True)
    rows = rank[np.sort(first)[:count]]
    return [(int(ids[r]), float(scores[r])) for r in rows]




def _prose_page(top: list[tuple[int, float]], found: Matches, bonus: Matches, check, arrays: FacetArrays) -> list[tuple[int, float]]:
    """The page shown for a document whose best passage is a contents page (or an index): a page
    of running text of the same document where the query's words stand together, when there is
    one (a heading typed as a query finds the section, not its line in the contents; the
    near-phrase bonus, not lowered on contents pages, had put that line first). The document's
    rank and score are unchanged; words that stand together on a contents page only still find it."""
    out = []
    for passage, score in top:
        if arrays.quality[passage] >= PROSE_PAGE:
            out.append((passage, score))
            continue
        doc = arrays.doc_of[passage]
        mine = bonus.ids[(arrays.doc_of[bonus.ids] == doc) & (arrays.quality[bonus.ids] >= PROSE_PAGE)]
        mine = mine[np.isin(mine, found.ids)]
        confirmed = mine[check(mine).astype(bool)] if len(mine) else mine
        if not len(confirmed):
            out.append((passage, score))
            continue
        rows = np.searchsorted(found.ids, confirmed)
        out.append((int(confirmed[int(np.argmax(found.scores[rows]))]), score))
    return out


def _prefer_prose(found: Matches, arrays: FacetArrays) -> Matches:
    """Scores lowered on passages that do not read as running text (contents pages, part
    titles, indexes), in documents of several passages, so that the page shown is one that
    talks about the topic (see indexer/quality.py)."""
    if not len(found):
        return found
    several = arrays.passages_per_doc[arrays.doc_of[found.ids]] > 1
    factor = np.where(several, PROSE_FLOOR + (1.0 - PROSE_FLOOR) * arrays.quality[found.ids], 1.0)
    return Matches(found.ids, found.scores * factor)


def _kth_document_score(rows: np.ndarray, ids, scores, doc_of, k: int, ties) -> float | None:
    """The score of the k-th best document counting only passages ``rows``; None if fewer documents."""
    rank = rows[np.lexsort((ids[rows], ties[rows], -scores[rows]))]
    _, first = np.unique(doc_of[ids[rank]], return_index=True)
    if len(first) < k:
        return None
    return float(scores[rank[np.sort(first)[k - 1]]])


def _inc(counter: dict, key: str) -> None:
    counter[key] = counter.get(key, 0) + 1


def _clause(f: FilterValue) -> q.Query:
    """A filter value as the Whoosh query over the field that holds it."""
    if f.name == "lang":
        return q.Term("plang", f.value)
    if f.name == "year":
        return q.Term("year", int(f.value))
    if f.name == "project":
        return q.Term("projects", f.value)
    if f.name == "type":
        return q.Term("type", f.value)
    if f.name == "from":
        return q.NumericRange("date", _day(f.value), None)
    if f.name == "to":
        return q.NumericRange("date", 1, _day(f.value))
    raise QueryError(f"unknown filter {f.name!r}")


def _day(value: str) -> int:
    return int(dt.date.fromisoformat(value).strftime("%Y%m%d"))


def _visibility(include_internal: bool) -> q.Query | None:
    return None if include_internal else q.Term("visibility", "public")


@contextlib.contextmanager
def _refreshing(engine: "WhooshEngine", block):
    """The writer's block, after which the engine's searcher sees the committed changes."""
    with block as writer:
        yield writer
    engine.refresh()


def _any(clauses: list[q.Query]) -> q.Query:
    return clauses[0] if len(clauses) == 1 else q.Or(clauses)


def _all(clauses: list[q.Query]) -> q.Query | None:
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else q.And(clauses)


def _hit_from_fields(f: dict, score: float, snippet: str, highlights: list) -> Hit:
    date = f.get("date") or 0
    return Hit(
        id=f["doc_id"],
        title=f.get("title", ""),
        path=f.get("path", ""),
        format=f.get("format", ""),
        type=f.get("type", "other"),
        lang=f.get("doc_lang", "und"),
        langs=f.get("langs") or {},
        year=f.get("year") or None,
        date=f"{date // 10000:04d}-{date // 100 % 100:02d}-{date % 100:02d}" if date else None,
        projects=[p for p in (f.get("projects") or "").split(",") if p],
        score=round(float(score), 4),
        page=f.get("page") or None,
        passage_lang=f.get("plang", "und"),
        snippet=snippet,
        highlights=highlights,
        visibility=f.get("visibility", "public"),
    )
