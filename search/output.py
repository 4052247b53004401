"""Printing search results for people (text) and for programs (json, jsonl, csv).

People read project names ("Je dis STOP"), programs get the ids the index
stores (``je-dis-stop``) and each document's visibility.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Callable

import click

from indexer.contract import HIT_FIELDS, SearchResponse

#: A hit's fields as CSV columns: all but those a spreadsheet cannot use (nested or offsets).
CSV_FIELDS = tuple(f for f in HIT_FIELDS if f not in ("format", "langs", "passage_lang", "highlights"))
#: What the text output calls each facet; "lang" counts the documents with text in the language.
FACET_LABELS = {"year": "year", "lang": "language of the text", "project": "project", "type": "type"}


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """``1 document``, ``2 documents``."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _ids(pid: str) -> str:
    return pid


def print_response(response: SearchResponse, fmt: str, facets: bool = True, names: Callable[[str], str] | None = None) -> None:
    """``names`` turns a project id into its name in the text output."""
    if fmt == "json":
        click.echo(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for hit in response.hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
    elif fmt == "csv":
        write_csv(response, sys.stdout)
    else:
        _print_text(response, facets, names or _ids)


def write_csv(response: SearchResponse, stream) -> None:
    writer = csv.writer(stream)
    writer.writerow(CSV_FIELDS)
    for hit in response.hits:
        row = hit.to_dict()
        row["projects"] = ";".join(hit.projects)
        writer.writerow([_cell(row[f]) for f in CSV_FIELDS])


def _cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _bold_snippet(snippet: str, highlights: list[list[int]]) -> str:
    out, pos = [], 0
    for start, end in sorted(highlights):
        if start < pos:
            continue
        out.append(snippet[pos:start])
        out.append(click.style(snippet[start:end], bold=True))
        pos = end
    out.append(snippet[pos:])
    return "".join(out)


def _headline(response: SearchResponse, first: int) -> str:
    total, query = response.total, response.query
    if query and not query.startswith("similar:"):
        found = f"{count_of(total, 'document')} {'matches' if total == 1 else 'match'} {query!r}"
    else:
        found = count_of(total, "document")
    if not total:
        return f"No results for {query!r}." if query else "No documents."
    if not response.hits:
        return f"{found}, but there is no page {response.page}: the last page is {response.pages}."
    last = first + len(response.hits) - 1
    return f"{found}; showing {first}-{last} (page {response.page} of {response.pages})\n"


def _print_text(response: SearchResponse, facets: bool, names: Callable[[str], str]) -> None:
    first = (response.page - 1) * response.per_page + 1
    click.echo(_headline(response, first))
    for notice in response.notices:
        click.echo(f"(note: {notice})")
    if response.expanded:
        click.echo(f"(searched as: {response.expanded})\n")
    for n, hit in enumerate(response.hits, first):
        click.secho(f"{n}. {hit.title or '(untitled)'}", bold=True)
        where = f", page {hit.page}" if hit.page else ""
        projects = ", ".join(names(p) for p in hit.projects) or "-"
        internal = " · internal" if hit.visibility != "public" else ""
        click.echo(f"   {hit.date or 'no date'} · {hit.type} · {projects} · {hit.passage_lang}{where}{internal} · {hit.id}")
        click.echo(f"   {_bold_snippet(hit.snippet, hit.highlights)}")
        click.echo(f"   {hit.path}\n")
    if response.suggestion:
        click.echo(f"Did you mean: {response.suggestion}\n")
    if facets and response.facets:
        for name, counts in response.facets.items():
            if counts:
                label = names if name == "project" else str
                click.echo(f"{FACET_LABELS.get(name, name)}: " + ", ".join(f"{label(k)} ({v})" for k, v in counts.items()))


def print_stats(data: dict, names: Callable[[str], str] = _ids) -> None:
    click.secho(f"{count_of(data['documents'], 'document')}, {count_of(data['passages'], 'passage')}", bold=True)
    for key, label in (("year", "year"), ("lang", "language of the text"), ("main_lang", "main language"),
                       ("project", "project"), ("type", "type")):
        counts = data.get(key) or {}
        if counts:  # an archive without projects has no project line
            name = names if key == "project" else str
            click.echo(f"{label}: " + ", ".join(f"{name(k)} {v}" for k, v in counts.items()))


def print_document(doc: dict, names: Callable[[str], str] = _ids) -> None:
    click.secho(doc["title"] or "(untitled)", bold=True)
    for key in ("id", "path", "format", "date", "type", "projects", "lang", "langs", "visibility"):
        value = doc.get(key)
        if key == "projects":
            value = [names(p) for p in value or ()]
        if isinstance(value, list):
            value = ", ".join(value) or "-"
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v:.0%}" for k, v in value.items()) or "-"
        click.echo(f"  {key:<10} {value if value not in (None, '') else '-'}")
    click.echo()
    for passage in doc["passages"]:
        if passage["page"]:
            click.secho(f"--- page {passage['page']} ({passage['lang']})", dim=True)
        click.echo(passage["text"] + "\n")
