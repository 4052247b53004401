"""Per-passage and per-document metadata as plain arrays, for fast grouping and facet counts.

Reading Whoosh columns one value at a time costs microseconds each, which
adds up to most of a query's time on broad queries. The table holds, for every
passage number, the ordinal of its document and its language, and for every
document its facet values. It is built once per index generation — at the end
of an ingest, and saved beside the index — so that neither the CLI nor the web
server pays for it on a query's path.
"""

from __future__ import annotations

import os
import pickle
from array import array
from dataclasses import dataclass
from pathlib import Path

FILE_PREFIX = "facets-"


@dataclass
class FacetTable:
    generation: int
    doc_of: array  # passage number -> document ordinal
    plang: array  # passage number -> index into langs_seen
    langs_seen: list[str]
    doc_ids: list[str]  # document ordinal -> id
    year: list[str]
    type: list[str]
    projects: list[tuple[str, ...]]
    visibility: list[str]
    quality: array  # passage number -> how much it reads as running text, 0-100
    main_lang: list[str]  # document ordinal -> its main language


def _column(reader, name: str) -> list:
    # An index without segments (nothing committed yet) has no columns at all.
    return list(reader.column_reader(name)) if reader.doc_count_all() else []


def build(reader, generation: int) -> FacetTable:
    doc_ids_col = _column(reader, "doc_id")
    ordinal: dict[str, int] = {}
    doc_of = array("i")
    first_passage: list[int] = []
    for n, doc_id in enumerate(doc_ids_col):
        o = ordinal.get(doc_id)
        if o is None:
            o = ordinal[doc_id] = len(ordinal)
            first_passage.append(n)
        doc_of.append(o)
    langs_seen: list[str] = []
    lang_code: dict[str, int] = {}
    plang = array("b")
    for value in _column(reader, "plang"):
        code = lang_code.get(value)
        if code is None:
            code = lang_code[value] = len(langs_seen)
            langs_seen.append(value)
        plang.append(code)
    years = _column(reader, "year")
    types = _column(reader, "type")
    projects = _column(reader, "projects")
    visibility = _column(reader, "visibility")
    main_langs = _column(reader, "doc_lang")
    quality = array("B", (min(100, max(0, q or 0)) for q in _column(reader, "quality")))
    return FacetTable(
        generation=generation,
        doc_of=doc_of,
        plang=plang,
        langs_seen=langs_seen,
        doc_ids=list(ordinal),
        year=[str(years[n]) for n in first_passage],
        type=[types[n] for n in first_passage],
        projects=[tuple(p for p in (projects[n] or "").split(",") if p) for n in first_passage],
        visibility=[visibility[n] for n in first_passage],
        quality=quality,
        main_lang=[main_langs[n] for n in first_passage],
    )


def save(folder: Path, table: FacetTable) -> None:
    path = folder / f"{FILE_PREFIX}{table.generation}.pickle"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    for name in os.listdir(folder):  # tables of older generations are useless
        if name.startswith(FILE_PREFIX) and name != path.name:
            try:
                os.remove(folder / name)
            except OSError:
                pass


def load(folder: Path, generation: int) -> FacetTable | None:
    try:
        with open(folder / f"{FILE_PREFIX}{generation}.pickle", "rb") as fh:
            table = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None
    return table if isinstance(table, FacetTable) and table.generation == generation else None


def for_searcher(folder: Path, searcher) -> FacetTable:
    """The table of the searcher's generation: saved by the last ingest, else built now."""
    generation = searcher.reader().generation()
    table = load(folder, generation)
    if table is None or len(table.doc_of) != searcher.reader().doc_count_all() or len(getattr(table, "main_lang", ())) != len(table.year):
        table = build(searcher.reader(), generation)
    return table
