"""HTML pages: main text without boilerplate, metadata, one document per article.

Steps: refuse what is not HTML; decode (BOM, else the declared charset unless
the bytes are provably UTF-8, else strict UTF-8, else windows-1252); parse
with lxml; read the metadata; remove boilerplate; if the page holds several
substantial articles, make one document of each, else let trafilatura find the
main text. libxml2 gives up below 256 levels of nesting: such pages are
flattened and parsed again, and as a last resort read by a streaming parser.
See docs/HTML_EXTRACTION.md for the measurements.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from pathlib import Path

import lxml.html
from lxml import etree

from ..dates import find_date, parse_date
from ..errors import ExtractionError
from ..model import Document, Passage
from ..options import ExtractOptions
from . import html_meta, html_split, html_text

#: Paragraphs are joined into passages of at most this many characters; a
#: single longer paragraph is cut at sentence ends near this size.
PASSAGE_CHARS = 1500
#: Beyond this much markup trafilatura's scoring turns slow (about 20 s for
#: 7 MB); the linear block walk does instead. Real articles are under 2 MB.
MAX_TRAFILATURA_CHARS = 5_000_000
#: ... and so it does beyond this many elements, counted as tags ("<" over two)
#: to stay cheap. The largest of the 55 test pages has 3,138 elements, 5,852 "<".
MAX_TRAFILATURA_ELEMENTS = 30_000
#: Share of control characters above which the bytes are not text at all.
MAX_CONTROL_SHARE = 0.02
SNIFF_BYTES = 8192
#: Invalid UTF-8 is still read as UTF-8 when valid non-ASCII characters
#: outnumber the invalid bytes this many times (one stray byte in a UTF-8 page).
MIN_UTF8_RATIO = 10
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"Rar!", b"7z\xbc\xaf",
                 b"\xd0\xcf\x11\xe0", b"\x00\x00\x01\x00", b"OggS", b"ID3", b"\x7fELF", b"MZ")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)"""
                       rb"""|<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)""", re.I)
#: Browsers read these labels as windows-1252, and so do pages written for them.
_CP1252_ALIASES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "windows-1252", "cp1252"}


def extract(path: Path, data: bytes, options: ExtractOptions) -> list[Document]:
    if len(data) > options.max_file_bytes:
        raise ExtractionError(f"file too large: {len(data) // 2**20} MB (limit {options.max_file_bytes // 2**20} MB)")
    data = _gunzip(data, options)
    if not data.strip():
        raise ExtractionError("empty file")
    markup = decode(data)
    if not markup.strip():
        raise ExtractionError("empty file")

    tree = _parse(markup)
    if tree is None:
        tree = _parse(_flatten(markup))
    if tree is None:
        paragraphs, title, lang = html_text.stream_paragraphs(markup)
        paragraphs = html_text.filter_paragraphs(paragraphs, title)
        meta = html_meta.PageMeta(title=html_meta.clean_title(title), lang=html_meta.html_lang_value(lang))
        return [_document(path, paragraphs, meta, options)]

    meta = html_meta.page_meta(tree)
    html_text.clean_tree(tree)
    docs = []
    for article in html_split.find_articles(tree, meta.type):
        paragraphs = html_text.block_paragraphs(article.element, html_text.SKIP_TAGS - {"header"})
        paragraphs = _drop_date_lines(html_text.filter_paragraphs(paragraphs, article.heading))
        kind = html_meta.element_type(article.heading + " " + " ".join(paragraphs[:2]))
        item = html_meta.PageMeta(title=article.heading, date=html_meta.element_date(article.element),
                                  type=kind or ("press_release" if meta.type == "press_release" else ""),
                                  lang=meta.lang)
        if paragraphs:
            docs.append(_document(path, paragraphs, item, options, part=len(docs)))
    if len(docs) >= 2:
        return docs

    small = len(markup) <= MAX_TRAFILATURA_CHARS and markup.count("<") <= 2 * MAX_TRAFILATURA_ELEMENTS
    paragraphs = html_text.trafilatura_paragraphs(tree) if small else []
    if not paragraphs:
        body = tree.find(".//body")
        paragraphs = html_text.block_paragraphs(body if body is not None else tree)
    paragraphs = html_text.filter_paragraphs(paragraphs, meta.title)
    paragraphs = html_text.add_standfirst(paragraphs, tree, meta.description)
    if not meta.date:
        meta.date = find_date(" ".join(paragraphs[:3])[:600])
    return [_document(path, paragraphs, meta, options)]


def _gunzip(data: bytes, options: ExtractOptions) -> bytes:
    """Saved pages are sometimes still gzip-compressed (as served)."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(options.max_file_bytes + 1)
    except (OSError, EOFError, zlib.error):
        raise ExtractionError("not HTML: looks like binary data (broken gzip)") from None
    if len(inflated) > options.max_file_bytes:
        raise ExtractionError("file too large once decompressed")
    return inflated


def decode(data: bytes) -> str:
    """Bytes to text: BOM, then the declared charset, then strict UTF-8, then windows-1252."""
    return _check_text(_decoded(data)[0])


def encoding(data: bytes) -> str:
    """The codec :func:`decode` reads a page with."""
    return _decoded(data)[1]


def _decoded(data: bytes) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace"), name
    head = data[:SNIFF_BYTES]
    if any(head.startswith(magic) for magic in _BINARY_MAGIC):
        raise ExtractionError("not HTML: looks like binary data")
    if len(head) >= 4 and head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a BOM has a NUL in every other byte of ASCII markup.
        name = "utf-16-be" if head[0::2].count(0) > head[1::2].count(0) else "utf-16-le"
        return data.decode(name, errors="replace"), name

    declared = _DECLARED.search(head)
    label = (declared.group(1) or declared.group(2)).decode("ascii", "replace").lower() if declared else ""
    label = "cp1252" if label in _CP1252_ALIASES else label
    if label == "cp1252" and not data.isascii() and _is_utf8(data):
        # Mislabelled: windows-1252 text essentially never forms valid UTF-8
        # sequences, while UTF-8 pages declaring Latin-1 are common.
        label = "utf-8"
    for name in dict.fromkeys([label, "utf-8"] if label else ["utf-8"]):
        try:
            codecs.lookup(name)
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            continue
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    if sum(1 for ch in lenient if ord(ch) > 127) > (MIN_UTF8_RATIO + 1) * broken:
        return lenient, "utf-8"  # UTF-8 with a few stray bytes: keep the many good characters
    # cp1252 leaves five byte values undefined; anything else decodes.
    return data.decode("cp1252", errors="replace"), "cp1252"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_text(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    controls = len(_CONTROL_CHARS.findall(sample))
    if sample and controls > MAX_CONTROL_SHARE * len(sample):
        raise ExtractionError("not HTML: looks like binary data")
    return text


def _parse(markup: str):
    """An lxml tree, or ``None`` when libxml2 failed or gave up part-way."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        tree = lxml.html.document_fromstring(markup.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if any(err.type_name == "ERR_RESOURCE_LIMIT" or "depth" in err.message.lower() for err in parser.error_log):
        return None  # too deep: libxml2 silently dropped everything below level 256
    return tree


_CONTAINERS = re.compile(r"(?:\s*</?(?:div|section|article|main|table|tbody|thead|tr|td|th|ul|ol|li|dl|dd|dt"
                         r"|blockquote|center|form|fieldset|p)\b[^>]*>)+", re.I)
_INLINE = re.compile(r"</?(?:span|font|b|i|u|em|strong|small|big|sub|sup|a|abbr|label|code|mark|s|q)\b[^>]*>", re.I)


def _flatten(markup: str) -> str:
    """Markup nested too deep for libxml2, made flat: each run of container tags becomes one <p>.

    An opening <p> closes the one before, so the result is one level deep;
    nav/header/footer/aside keep their tags (and are removed later) unless they
    nest too.
    """
    return _INLINE.sub("", _CONTAINERS.sub("<p>", markup))


def _document(path: Path, paragraphs: list[str], meta, options: ExtractOptions, part: int = 0) -> Document:
    passages = [Passage(text) for text in chunk_paragraphs(paragraphs, options.max_text_chars)]
    if not passages:
        raise ExtractionError("no text found")
    hints = {key: value for key, value in (("html_lang", meta.lang), ("type", meta.type), ("author", meta.author))
             if value}
    return Document(path=str(path), format="html", passages=passages, title=meta.title, date=meta.date,
                    part=part, hints=hints)


def _drop_date_lines(paragraphs: list[str]) -> list[str]:
    """A listing item's "Le 6 novembre 2019" line is its date, already in Document.date."""
    head = [p for p in paragraphs[:3] if not (len(p) < 60 and parse_date(p))]
    return head + paragraphs[3:]


def _cut_point(text: str, size: int) -> int:
    """Where to cut an overlong paragraph: a sentence end near ``size``, else a space, else anywhere."""
    end = text.rfind(". ", size // 2, size)
    if end < 0:
        end = text.find(". ", size, size + size // 2)
    if end > 0:
        return end + 1
    space = text.rfind(" ", size // 2, size)
    return space if space > 0 else size


def chunk_paragraphs(paragraphs: list[str], max_chars: int, size: int = PASSAGE_CHARS) -> list[str]:
    """Join paragraphs into passages of about ``size`` characters, cutting overlong ones at sentence ends."""
    pieces: list[str] = []
    for para in paragraphs:
        while len(para) > 2 * size:
            cut = _cut_point(para, size)
            pieces.append(para[:cut].strip())
            para = para[cut:].strip()
        pieces.append(para)
    passages: list[str] = []
    budget = max_chars
    for piece in pieces:
        if budget <= 0:
            break
        piece = piece[:budget]
        budget -= len(piece)
        # A short passage (a heading, a one-line paragraph) also takes the next piece.
        if passages and (len(passages[-1]) + 2 + len(piece) <= size or len(passages[-1]) < size // 5):
            passages[-1] += "\n\n" + piece
        else:
            passages.append(piece)
    return [p for p in passages if p]
