"""The index schema: one Whoosh document per passage, carrying its document's metadata.

A passage is a PDF page or a paragraph-sized chunk; results are grouped back
into documents at query time (``doc_id``). Every passage carries the metadata
of its document so that filters and facets need no join.
"""

from __future__ import annotations

from whoosh import formats
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ..analysis import ANALYSIS_VERSION
from ..quality import quality_code
from .analysis import TermsOf, analyzer_for

#: Bump on any change to the fields below; with ANALYSIS_VERSION it decides rebuilds.
SCHEMA_VERSION = 4

LANG_FIELDS = {"fr": "text_fr", "nl": "text_nl", "en": "text_en"}
NEUTRAL_FIELD = "text_all"
TITLE_FIELD = "title"
#: Fields a plain query searches, with their weights in BM25F.
SEARCH_FIELDS = {TITLE_FIELD: 2.0, "text_fr": 1.0, "text_nl": 1.0, "text_en": 1.0, NEUTRAL_FIELD: 0.6}
#: Text fields that filters read (long posting lists: "public" is in nearly every passage).
FILTER_FIELDS = ("visibility", "plang", "type", "projects")


#: Positions.encode([position]) by position, for the words a passage holds once.
_ONCE: dict[int, bytes] = {}


class Text(TEXT):
    """Whoosh's TEXT field, indexing a value in one pass over its words (see
    :class:`~indexer.whoosh.analysis.TermsOf`): the same terms, frequencies, positions and
    weights as Whoosh's token-by-token path, which any other case still takes."""

    def index(self, value, **kwargs):
        terms_of = self.__dict__.get("_terms_of", False)
        if terms_of is False:
            terms_of = self._terms_of = (TermsOf.for_analyzer(self.analyzer, type(self.format) is formats.Positions)
                                         if type(self.format) in (formats.Frequency, formats.Positions) else None)
        if terms_of is None or kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        terms = terms_of.terms(terms_of.words(value))
        boost = self.format.field_boost
        if type(self.format) is formats.Frequency:
            counts: dict[str, int] = {}
            for term in terms:
                if term is not None:
                    counts[term] = counts.get(term, 0) + 1
            pack = formats.pack_uint
            return [(term.encode("utf-8"), n, float(n) * boost, pack(n)) for term, n in counts.items()]
        positions: dict[str, list[int]] = {}
        for pos, term in enumerate(terms):  # no stop filter here (TermsOf): positions are the word's rank
            if term is None:
                return super().index(value, **kwargs)
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        encode = self.format.encode
        once = _ONCE
        out = []
        for term, found in positions.items():
            if len(found) == 1:  # most words of a passage: their encoding depends on the position alone
                value = once.get(found[0])
                if value is None:
                    value = once[found[0]] = encode(found)
            else:
                value = encode(found)
            out.append((term.encode("utf-8"), len(found), float(len(found)) * boost, value))
        return out

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_terms_of", None)
        return state


def signature() -> str:
    return f"schema-{SCHEMA_VERSION}/analysis-{ANALYSIS_VERSION}"


def build_schema() -> Schema:
    neutral = analyzer_for(None)
    return Schema(
        pid=ID(stored=True, unique=True),
        doc_id=ID(stored=True, sortable=True),
        path=ID(stored=True),
        content_hash=ID(stored=True),
        part=STORED(),
        seq=STORED(),
        page=STORED(),  # 0 when the format has no pages
        plang=ID(stored=True, sortable=True),  # the passage's language
        title=Text(analyzer=neutral, stored=True, phrase=True),
        # No positions in the stemmed fields: phrases are matched on the neutral
        # field, and positions would double the cost of indexing.
        text_fr=Text(analyzer=analyzer_for("fr"), phrase=False),
        text_nl=Text(analyzer=analyzer_for("nl"), phrase=False),
        text_en=Text(analyzer=analyzer_for("en"), phrase=False),
        text_all=Text(analyzer=neutral, phrase=True, stored=True),
        # document metadata, for filters, facets and display
        format=ID(stored=True),
        doc_lang=ID(stored=True, sortable=True),
        langs=STORED(),
        year=NUMERIC(int, stored=True, sortable=True, shift_step=16),  # 0 when unknown; only matched exactly
        date=NUMERIC(int, stored=True, sortable=True, shift_step=8),  # yyyymmdd, 0 when unknown
        type=ID(stored=True, sortable=True),
        projects=KEYWORD(stored=True, commas=True, scorable=False, sortable=True),
        visibility=ID(stored=True, sortable=True),
        n_passages=STORED(),
        # how much the passage reads as running text, 0-100 (indexer/quality.py)
        quality=NUMERIC(int, sortable=True, bits=8, signed=False, shift_step=8),
    )


def passage_records(doc, quality: bool = True) -> list[dict]:
    """Index records for one :class:`archive.model.Document`, one per passage; without
    ``quality``, the process that writes them adds it (:func:`complete_record`)."""
    base = {
        "doc_id": doc.id,
        "path": doc.path,
        "content_hash": doc.content_hash,
        "part": doc.part,
        "title": doc.title,
        "format": doc.format,
        "doc_lang": doc.lang,
        "langs": dict(doc.langs),
        "year": doc.year or 0,
        "date": int(doc.date.strftime("%Y%m%d")) if doc.date else 0,
        "type": doc.type,
        "projects": ",".join(doc.projects),
        "visibility": doc.visibility,
        "n_passages": len(doc.passages),
    }
    records = []
    passages = doc.passages or []
    for seq, passage in enumerate(passages):
        text = passage.text
        # The title is indexed (not stored) with the first passage so that a title
        # word in another inflection ("enfant" / "Enfants ...") still reaches the document.
        indexed = _with_title(doc.title, text) if seq == 0 and doc.title else text
        record = dict(base, pid=f"{doc.id}:{seq}", seq=seq, page=passage.page or 0, plang=passage.lang)
        if quality:
            record["quality"] = quality_code(text)
        record[NEUTRAL_FIELD] = indexed
        record["_stored_" + NEUTRAL_FIELD] = text
        field = LANG_FIELDS.get(passage.lang)
        if field:
            record[field] = indexed
        records.append(record)
    return records


def complete_record(record: dict) -> dict:
    """A record of :func:`passage_records` with its quality, measured here if it was left out."""
    if "quality" not in record:
        record["quality"] = quality_code(record["_stored_" + NEUTRAL_FIELD])
    return record


def _with_title(title: str, text: str) -> str:
    return f"{title}\n\n{text}"


def indexed_neutral_text(stored: dict) -> str:
    """The text a passage's neutral field was indexed from, rebuilt from its stored fields
    (its word positions are those of the index, for checking phrases)."""
    text = stored.get(NEUTRAL_FIELD, "")
    title = stored.get(TITLE_FIELD)
    return _with_title(title, text) if stored.get("seq") == 0 and title else text
