"""Property-based tests: whatever the bytes or the query, a result or a typed error, never a crash or a hang."""

from __future__ import annotations

import io
import signal
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.errors import ArchiveError
from archive.model import Document
from archive.options import ExtractOptions
from archive.pipeline import extract_file
from indexer.errors import QueryError
from indexer.contract import SearchRequest, SearchResponse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

EXTENSIONS = [".txt", ".md", ".html", ".pdf", ".docx"]
#: Seconds one extraction may take before the test calls it a hang (the
#: hypothesis deadline only reports slowness once the call has returned).
HANG_SECONDS = 20
OPTIONS = ExtractOptions(ocr="never", timeout=0)  # OCR would make each PDF example take seconds
COMMON = settings(deadline=10_000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def examples(n: int) -> settings:
    return settings(COMMON, max_examples=n)


class Hang(Exception):
    pass


@contextmanager
def hang_guard(seconds: int = HANG_SECONDS):
    def expire(signum, frame):
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def extract_bytes(folder: Path, data: bytes, suffix: str) -> list[Document] | ArchiveError:
    path = folder / f"sample{suffix}"
    path.write_bytes(data)
    try:
        with hang_guard():
            docs = extract_file(path, OPTIONS)
    except ArchiveError as exc:
        assert str(exc).strip(), "an ArchiveError must carry a reason"
        return exc
    assert isinstance(docs, list) and all(isinstance(d, Document) for d in docs)
    for doc in docs:
        assert doc.id and doc.path == str(path)
        assert all(isinstance(p.text, str) and p.text.strip() for p in doc.passages)
    return docs


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("properties")
    # Warm up every extractor and the language models, so the first example is not judged slow.
    import hostile_files

    for fmt in ("txt", "md", "html", "pdf", "docx"):
        extract_bytes(folder, hostile_files.good_document(fmt, "en", "zqwarmup"), "." + fmt)
    return folder


@pytest.fixture(scope="module")
def valid_files() -> dict[str, bytes]:
    import hostile_files

    return {"." + fmt: hostile_files.good_document(fmt, lang, "zqseed", 0) for fmt, lang in
            (("pdf", "fr"), ("docx", "nl"), ("html", "en"), ("txt", "fr"), ("md", "nl"))}


@examples(60)
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(EXTENSIONS))
def test_arbitrary_bytes_give_documents_or_an_archive_error(scratch, data, suffix):
    extract_bytes(scratch, data, suffix)


@examples(60)
@given(text=st.text(max_size=2000), suffix=st.sampled_from(EXTENSIONS), encoding=st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_arbitrary_text_gives_documents_or_an_archive_error(scratch, text, suffix, encoding):
    extract_bytes(scratch, text.encode(encoding, "surrogatepass"), suffix)


@examples(60)
@given(suffix=st.sampled_from(EXTENSIONS), edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=20),
       cut=st.one_of(st.none(), st.floats(0, 1)))
def test_damaged_valid_files_give_documents_or_an_archive_error(scratch, valid_files, suffix, edits, cut):
    """Valid files with bytes overwritten and maybe cut short: the damage parsers really meet."""
    data = bytearray(valid_files[suffix])
    for where, value in edits:
        data[min(int(where * len(data)), len(data) - 1)] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    extract_bytes(scratch, bytes(data), suffix)


MARKUP = st.lists(st.one_of(
    st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<html>", "<body>", "<title>", "</title>", "<article>", "<script>", "</script>",
                     "<!--", "-->", "<![CDATA[", "]]>", '<meta charset="', "utf-16", "x-unknown", '">', "<?xml ", "&amp;", "&#0;",
                     "&#x110000;", "&nbsp;", "<br/>", "<table><tr><td>", "<h1>", "<meta name=\"date\" content=\"", "2019-13-45"]),
    st.text(max_size=40)), max_size=60).map("".join)


@examples(80)
@given(markup=MARKUP, suffix=st.sampled_from([".html", ".md", ".txt"]))
def test_arbitrary_markup_gives_documents_or_an_archive_error(scratch, markup, suffix):
    extract_bytes(scratch, markup.encode("utf-8", "surrogatepass"), suffix)


@examples(40)
@given(xml=st.text(max_size=500), member=st.sampled_from(["word/document.xml", "[Content_Types].xml", "_rels/.rels", "docProps/core.xml"]))
def test_docx_with_arbitrary_parts_gives_documents_or_an_archive_error(scratch, valid_files, xml, member):
    source = zipfile.ZipFile(io.BytesIO(valid_files[".docx"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item.filename, xml.encode("utf-8", "surrogatepass") if item.filename == member else source.read(item))
    extract_bytes(scratch, out.getvalue(), ".docx")


# --- the query parser -------------------------------------------------------------

SYNTAX = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "(", ")", '"', "*", "?", "~", "~2", "^", "^3", "title:", "year:", "lang:",
          "project:", "type:", "date:", "path:", "doc_id:", "plang:", "text:", "[", "]", "{", "}", "TO", ":", "'", "-", "+", "\\",
          "enfants", "traite", "kinderhandel", "2019", "é", "*:*", "year:[2019 TO 2021]", "year:>2019", "date:2019", "<", ">"]


def check_query(engine, text: str, **options) -> None:
    try:
        with hang_guard():
            response = engine.search(SearchRequest(text, include_internal=True, **options))
    except QueryError as exc:
        assert str(exc).strip()
        return
    assert isinstance(response, SearchResponse)
    assert response.total >= len(response.hits) or response.page > 1
    assert len({h.id for h in response.hits}) == len(response.hits), "a document listed twice"


@settings(max_examples=150, deadline=5000, derandomize=True)
@given(text=st.text(max_size=80))
def test_arbitrary_text_as_query_gives_a_response_or_a_query_error(engine, text):
    check_query(engine, text)


@settings(max_examples=150, deadline=5000, derandomize=True)
@given(parts=st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=6)), max_size=10),
       spaces=st.lists(st.booleans(), min_size=10, max_size=10), sort=st.sampled_from(["relevance", "date"]),
       cross=st.booleans(), page=st.integers(1, 3))
def test_query_syntax_soup_gives_a_response_or_a_query_error(engine, parts, spaces, sort, cross, page):
    text = "".join(p + (" " if s else "") for p, s in zip(parts, spaces))
    check_query(engine, text, sort=sort, cross_language=cross, page=page)


_SNIPPET_WORDS = ["enfant", "enfants", "Enfants", "l'enfant", "d'Événements", "événements", "évènements", "kinderen",
                  "kind", "children's", "child", "œuvre", "Straße", "les", "the", "de", "protection", "protégés", "x²", "½"]


@settings(max_examples=300, deadline=5000, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(_SNIPPET_WORDS), st.text(min_size=1, max_size=6)), max_size=30),
       st.sampled_from(["fr", "nl", "en", "und"]), st.data())
def test_snippet_spans_are_the_index_analysers_words(words, lang, data):
    """match_spans, which analyses each distinct word once, marks exactly the words the analysers index as a query term."""
    from indexer.whoosh.analysis import analyzer_for
    from indexer.whoosh.schema import LANG_FIELDS, NEUTRAL_FIELD
    from indexer.snippets import match_spans

    text = " ".join(words)
    def tokens(analyzer):  # Whoosh reuses one Token object: copy what each one says
        return [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="index")]

    neutral = tokens(analyzer_for(None))
    stemmed = tokens(analyzer_for(lang)) if lang in LANG_FIELDS else []
    pool = [(NEUTRAL_FIELD, w) for w, _, _ in neutral] + [(LANG_FIELDS[lang], w) for w, _, _ in stemmed]
    terms = set(data.draw(st.lists(st.sampled_from(pool), max_size=4))) if pool else set()
    expected = {(s, e) for w, s, e in neutral if (NEUTRAL_FIELD, w) in terms}
    expected |= {(s, e) for w, s, e in stemmed if (LANG_FIELDS[lang], w) in terms}
    assert match_spans(text, lang, terms) == sorted(expected)
