"""The `archive` command as users run it: exit codes, messages, output formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from search.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_every_command_has_help():
    for name, command in main.commands.items():
        assert command.help, name
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_extract_json_shape(corpus):
    result = run("extract", corpus / "fr_traite_2019.txt", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"id", "path", "format", "title", "date", "year", "type", "projects", "lang", "langs", "visibility", "passages", "text"}
    assert data["date"] == "2019-11-06" and data["year"] == 2019 and data["lang"] == "fr"
    assert data["projects"] == ["alert"]  # found through corpus/projects.toml beside the file
    assert data["passages"][0]["page"] is None and data["passages"][0]["lang"] == "fr"


def test_extract_error_names_file_and_reason(tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04garbage")
    result = run("extract", bad)
    assert result.exit_code == 1
    assert str(bad) in result.output and "corrupted .docx" in result.output
    assert "Traceback" not in result.output
    verbose = run("--verbose", "extract", bad)
    assert verbose.exit_code == 1 and verbose.exception is not None  # the traceback is shown, not swallowed


def test_detect_reads_lines_in_order():
    result = run("detect", input="Les enfants jouent dans le jardin de l'école.\nDe kinderen spelen in de tuin van de school.\nThe children are playing in the school garden.\n\n")
    assert result.exit_code == 0
    assert result.output.split("\n")[:4] == ["fr", "nl", "en", "und"]


def test_ingest_search_show_stats_remove(corpus, tmp_path):
    index = tmp_path / "ix"
    result = run("ingest", corpus, "--index", index, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "6 added, 0 updated, 0 unchanged, 0 removed, 0 failed" in result.output
    again = run("ingest", corpus, "--index", index)
    assert "0 added, 0 updated, 6 unchanged" in again.output

    data = json.loads(run("search", "enfants", "--index", index, "--format", "json").output)
    assert set(data) >= {"query", "total", "page", "hits", "facets", "suggestion"}
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "path", "type", "lang", "langs", "year", "date", "projects", "score", "page", "snippet", "highlights"}
    assert all(hit["snippet"][s:e].lower().startswith("enfant") for s, e in hit["highlights"])
    assert set(data["facets"]) == {"year", "lang", "project", "type"}

    lines = run("search", "", "--index", index, "--format", "jsonl", "--year", "2019").output.strip().split("\n")
    assert len(lines) == 2 and all(json.loads(line)["year"] == 2019 for line in lines)
    rows = list(csv.DictReader(io.StringIO(run("search", "kinderhandel", "--index", index, "--format", "csv").output)))
    assert len(rows) == 1 and rows[0]["lang"] == "nl"
    text = run("search", "kinderhandle", "--index", index).output
    assert "No results" in text and "Did you mean: kinderhandel" in text

    shown = json.loads(run("show", hit["id"], "--index", index, "--format", "json").output)
    assert shown["id"] == hit["id"] and "enfants" in shown["text"]
    stats = json.loads(run("stats", "--index", index, "--format", "json").output)
    assert stats["documents"] == 6 and stats["year"]["2019"] == 2
    assert run("similar", hit["id"], "--index", index).exit_code == 0
    assert run("remove", hit["id"], "--index", index).output.startswith("1 document removed until the next ingest")
    assert run("show", hit["id"], "--index", index).exit_code == 1


def test_ingest_exit_status_when_a_file_fails(corpus, tmp_path):
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04garbage")
    result = run("ingest", corpus, "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert "1 failed" in result.output and "broken.docx: corrupted .docx" in result.output


def test_search_without_index_is_a_clear_error(tmp_path):
    result = run("search", "x", "--index", tmp_path / "nothing")
    assert result.exit_code == 1 and "no index at" in result.output and "Traceback" not in result.output


def test_search_path_imports_no_heavy_libraries(built_index):
    _, index = built_index
    code = (
        "import sys; from search.cli import main\n"
        "try:\n    main(['search', 'enfants', '--index', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pdfminer', 'trafilatura', 'bs4', 'langdetect', 'wordfreq', 'dateparser', 'fastapi', 'starlette', 'uvicorn',\n"
        "                      'docx', 'lxml', 'pydantic', 'archive.extractors', 'archive.language', 'archive.pipeline',\n"
        "                      'importlib.metadata', 'urllib.request', 'http.client', 'email', 'ssl',\n"
        "                      'asyncio', 'whoosh.qparser', 'whoosh.multiproc', 'whoosh.lang.morph_en',\n"
        "                      'numpy.ma', 'tempfile', 'lzma')\n"
        "         if getattr(sys.modules.get(m), '__file__', None)]  # a stand-in (search/fastimport.py) has no file\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(index)], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


def test_csv_cells_cannot_become_spreadsheet_formulas(tmp_path):
    from search.output import write_csv
    from indexer.contract import Hit, SearchResponse

    hit = Hit(id="x", title="=HYPERLINK(\"http://evil\")", path="/p", format="text", type="other", lang="en", langs={}, year=None,
              date=None, projects=[], score=1.0, page=None, passage_lang="en", snippet="@SUM(A1)", highlights=[])
    stream = io.StringIO()
    write_csv(SearchResponse("q", 1, 1, 10, [hit]), stream)
    row = list(csv.DictReader(io.StringIO(stream.getvalue())))[0]
    assert row["title"].startswith("'=") and row["snippet"] == "'@SUM(A1)" and row["score"] == "1.0"
