"""PDF extractor: one Document per file, one Passage per page that has text.

The file is parsed once: the same ``PDFDocument`` gives the info dictionary
and the pages. Each page goes through pdfminer's layout analysis; the boxes are
then ordered by column and joined into paragraphs (:mod:`.pdf_layout`) and
their text repaired (:mod:`.pdf_text`). Pages without a text layer are read by
OCR when tesseract is installed (:mod:`.pdf_ocr`).

Everything pdfminer raises (it has dozens of exception types, plus the
``KeyError``, ``struct.error`` or ``AssertionError`` of a damaged file) becomes
an :class:`ExtractionError` with a one-line reason.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser

from ..errors import ExtractionError
from ..model import Document, Passage
from ..options import ExtractOptions
from . import pdf_guard, pdf_ocr
from .pdf_layout import PageCollector, page_text
from .pdf_meta import read_info
from .pdf_text import paragraphs_from_plain_text
from .pdf_title import TITLE_PAGES, TitleEvidence

log = logging.getLogger(__name__)

pdf_guard.install()

# Magic numbers of files that end up named .pdf by mistake, for a better reason
# than "no %PDF header".
_LOOKALIKES = (
    (b"PK\x03\x04", "a ZIP archive (an Office document?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
)


def _check_header(data: bytes) -> None:
    if not data:
        raise ExtractionError("empty file (0 bytes)")
    # Readers accept the header anywhere in the first kilobyte.
    if b"%PDF-" in data[:1024]:
        return
    for magic, kind in _LOOKALIKES:
        if data.startswith(magic):
            raise ExtractionError(f"not a PDF: the file is {kind}")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")):
        raise ExtractionError("not a PDF: the file is HTML or XML")
    raise ExtractionError("not a PDF (no %PDF header)")


def _cause(exc: BaseException) -> str:
    """A short, single-line account of a pdfminer exception."""
    text = " ".join(str(exc).split())
    if not text or len(text) > 100:
        text = (text[:97] + "...") if text else type(exc).__name__
    return text


def _document(data: bytes, options: ExtractOptions) -> PDFDocument:
    return PDFDocument(PDFParser(io.BytesIO(data)), password=options.password)


_OBJ_HEADER = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")


def _with_new_trailer(data: bytes) -> bytes | None:
    """The file cut after its last complete object, with a trailer pointing at
    its catalog: a truncated download loses its trailer and cross-reference
    table first, and pdfminer then has nothing to start from. None when no
    catalog is in plain sight (it may sit in a compressed object stream)."""
    at = data.rfind(b"/Catalog")
    end = data.rfind(b"endobj")
    if at < 0 or end < at:
        return None
    window = data[max(0, at - 4096) : at]
    headers = list(_OBJ_HEADER.finditer(window))
    if not headers or b"endobj" in window[headers[-1].end() :]:
        return None
    objid, genno = int(headers[-1].group(1)), int(headers[-1].group(2))
    return data[: end + len(b"endobj")] + b"\ntrailer\n<< /Root %d %d R >>\n%%%%EOF\n" % (objid, genno)


def _open(data: bytes, options: ExtractOptions) -> tuple[PDFDocument, bool]:
    """The parsed document, and whether its trailer had to be rebuilt."""
    try:
        try:
            return _document(data, options), False
        except (PDFEncryptionError, MemoryError, RecursionError, pdf_guard.InflateLimitExceeded):
            raise
        except Exception as first:
            repaired = _with_new_trailer(data)
            if repaired is None:
                raise
            try:
                return _document(repaired, options), True
            except Exception:
                raise first from None
    except PDFPasswordIncorrect:
        if options.password:
            raise ExtractionError("encrypted: wrong password") from None
        raise ExtractionError("encrypted: a password is needed (use --password)") from None
    except PDFEncryptionError as exc:
        raise ExtractionError(f"encrypted: unsupported encryption ({_cause(exc)})") from None


class _Pages:
    """Walks the page tree lazily, so that a damaged tree still yields the
    pages before the damage and the pages after max_pages are only counted."""

    def __init__(self, doc: PDFDocument):
        self._iter = PDFPage.create_pages(doc)
        self.count = 0
        self.error: str | None = None

    def __iter__(self) -> Iterator[PDFPage]:
        while True:
            try:
                page = next(self._iter)
            except StopIteration:
                return
            except (MemoryError, RecursionError, pdf_guard.InflateLimitExceeded):
                raise
            except Exception as exc:  # any damage to the page tree
                self.error = _cause(exc)
                return
            self.count += 1
            yield page


@dataclass
class _Reading:
    passages: list[Passage] = field(default_factory=list)
    hints: dict[str, Any] = field(default_factory=dict)
    textless: list[int] = field(default_factory=list)  # pages with no text...
    with_images: list[int] = field(default_factory=list)  # ...of which these show an image
    titles: TitleEvidence = field(default_factory=TitleEvidence)


def _read(data: bytes, options: ExtractOptions) -> _Reading:
    doc, repaired = _open(data, options)
    result = _Reading(hints=read_info(doc.info))
    if repaired:
        log.warning("PDF trailer missing (truncated file?): read with a rebuilt one")
        result.hints["repaired"] = "trailer rebuilt (truncated file?)"
    rsrcmgr = PDFResourceManager(caching=True)
    device = PageCollector(rsrcmgr)
    interpreter = PDFPageInterpreter(rsrcmgr, device)
    errors: list[str] = []
    chars = 0
    # As with pdfminer's maxpages, 0 means no limit.
    max_pages = options.max_pages if options.max_pages > 0 else float("inf")
    max_chars = options.max_text_chars if options.max_text_chars > 0 else float("inf")
    pages = _Pages(doc)
    for page in pages:
        number = pages.count
        if number > max_pages or chars >= max_chars:
            result.hints["truncated"] = True
            continue  # keep walking the tree only to count the pages
        try:
            interpreter.process_page(page)
            text = page_text(device.page) if device.page is not None else ""
            if device.page is not None:
                result.titles.add_page(number, device.page)
        except (MemoryError, RecursionError, pdf_guard.InflateLimitExceeded):
            raise
        except Exception as exc:  # a damaged page should not cost the others
            log.warning("PDF page %d unreadable: %s", number, _cause(exc))
            errors.append(f"page {number}: {_cause(exc)}")
            continue
        if text:
            result.passages.append(Passage(text, page=number))
            chars += len(text)
        else:
            result.textless.append(number)
            if device.images:
                result.with_images.append(number)
    if pages.error:
        errors.append(f"page tree: {pages.error}")
    if not result.passages and not result.textless:
        raise ExtractionError(f"corrupted PDF: {errors[0]}" if errors else "corrupted PDF: no pages found")
    result.hints["pages"] = pages.count
    if errors:
        result.hints["page_errors"] = errors
    return result


def _add_ocr(data: bytes, result: _Reading, options: ExtractOptions) -> None:
    if result.passages:
        # Only some pages lack text: OCR the ones that show an image (a cover
        # scan); blank separator pages are common and not worth 10 s each.
        wanted = result.with_images
        if not wanted:
            return
        if pdf_ocr.unavailable_reason(options):
            result.hints["image_only_pages"] = wanted  # so the log can say what was not read
            return
    else:
        if "repaired" in result.hints:
            raise ExtractionError("corrupted PDF: truncated file? none of its text could be read")
        reason = pdf_ocr.unavailable_reason(options)
        if reason:
            raise ExtractionError(f"no text layer (scanned?): {reason}")
        wanted = result.textless
    try:
        texts = pdf_ocr.ocr_pages(data, wanted, options)
    except ExtractionError as exc:
        if not result.passages:
            raise
        result.hints["ocr_error"] = exc.reason  # the text layer of the other pages stands
        return
    for number, raw in texts.items():
        text = "\n\n".join(paragraphs_from_plain_text(raw))
        if text:
            result.passages.append(Passage(text, page=number))
    result.passages.sort(key=lambda p: p.page or 0)
    result.hints["ocr_pages"] = sorted(n for n, raw in texts.items() if raw.strip())
    if not result.passages:
        raise ExtractionError("no text layer (scanned?), and OCR found no text")


def extract(path: Path, data: bytes, options: ExtractOptions) -> list[Document]:
    _check_header(data)
    try:
        with pdf_guard.inflate_budget():
            result = _read(data, options)
    except ExtractionError:
        raise
    except pdf_guard.InflateLimitExceeded as exc:
        raise ExtractionError(f"decompression bomb? {exc}") from None
    except MemoryError:
        raise ExtractionError("out of memory while reading the PDF") from None
    except RecursionError:
        raise ExtractionError("corrupted PDF: objects nested too deeply") from None
    except Exception as exc:
        raise ExtractionError(f"corrupted PDF: {_cause(exc)}") from None
    _add_ocr(data, result, options)
    first = {p.page: p.text for p in result.passages[:TITLE_PAGES]}
    ocr = set(result.hints.get("ocr_pages", ()))
    title = result.titles.choose(result.hints.pop("title", ""), {n: t for n, t in first.items() if n not in ocr},
                                 {n: t for n, t in first.items() if n in ocr})
    return [Document(path=str(path), format="pdf", passages=result.passages, title=title, hints=result.hints)]
