"""Printing search results for people (text) and for programs (json, jsonl, csv)."""

from __future__ import annotations

import csv
import json
import sys

import click

from .request import SearchResponse

CSV_FIELDS = ("id", "title", "path", "type", "lang", "year", "date", "projects", "score", "page", "snippet")


def print_response(response: SearchResponse, fmt: str, facets: bool = True) -> None:
    if fmt == "json":
        click.echo(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for hit in response.hits:
            click.echo(json.dumps(hit.to_dict(), ensure_ascii=False))
    elif fmt == "csv":
        write_csv(response, sys.stdout)
    else:
        _print_text(response, facets)


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


def _print_text(response: SearchResponse, facets: bool) -> None:
    first = (response.page - 1) * response.per_page + 1
    if not response.hits:
        click.echo(f"No results for {response.query!r}.")
    else:
        click.echo(f"{response.total} documents; showing {first}-{first + len(response.hits) - 1} (page {response.page} of {response.pages})\n")
    if response.expanded:
        click.echo(f"(searched as: {response.expanded})\n")
    for n, hit in enumerate(response.hits, first):
        click.secho(f"{n}. {hit.title or '(untitled)'}", bold=True)
        where = f", page {hit.page}" if hit.page else ""
        projects = ", ".join(hit.projects) or "-"
        click.echo(f"   {hit.date or 'no date'} · {hit.type} · {projects} · {hit.passage_lang}{where} · {hit.id}")
        click.echo(f"   {_bold_snippet(hit.snippet, hit.highlights)}")
        click.echo(f"   {hit.path}\n")
    if response.suggestion:
        click.echo(f"Did you mean: {response.suggestion}\n")
    if facets and response.facets:
        for name, counts in response.facets.items():
            if counts:
                click.echo(f"{name}: " + ", ".join(f"{k} ({v})" for k, v in counts.items()))


def print_document(doc: dict) -> None:
    click.secho(doc["title"] or "(untitled)", bold=True)
    for key in ("id", "path", "format", "date", "type", "projects", "lang", "langs", "visibility"):
        value = doc.get(key)
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
