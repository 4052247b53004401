"""What a PDF's document information dictionary says: title, author, dates.

Info strings are raw bytes in pdfminer: UTF-16 when they start with a byte
order mark, PDFDocEncoding (a Latin-1 relative) otherwise; PDF 2.0 also allows
UTF-8 with its BOM. Producers fill the title with whatever they had at hand
(the source file name, "Microsoft Word - report.docx", "untitled"), so titles
that look like that are ignored and the metadata step falls back to the text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pdfminer.psparser import PSLiteral
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from .pdf_text import repair_ligatures


def decode_pdf_string(value: Any) -> str:
    """An info value as clean text ('' for anything that is not a string)."""
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        value = value.name
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            text = value[2:].decode("utf-16-be", "replace")
        elif value.startswith(b"\xff\xfe"):  # not allowed, but written by some tools
            text = value[2:].decode("utf-16-le", "replace")
        elif value.startswith(b"\xef\xbb\xbf"):
            text = value[3:].decode("utf-8", "replace")
        else:
            text = decode_text(value)
    elif isinstance(value, str):
        text = value
    else:
        return ""
    # Drop NULs and other controls some producers leave at the end, collapse
    # the double spaces of justified-text titles, and expand ligatures
    # (PDFDocEncoding itself has "fi" and "fl" at 0x93 and 0x94).
    return repair_ligatures(" ".join("".join(c if c.isprintable() else " " for c in text).split()))


_JUNK_TITLES = re.compile(
    r"""^(?:
        (?:microsoft\s+)?(?:word|excel|powerpoint)\s*-\s*.*        # "Microsoft Word - foo.docx"
      | .*\.(?:docx?|odt|rtf|txt|pdf|tiff?|jpe?g|png|xlsx?|pptx?|indd|qxd|ps|html?|tex|dvi)
      | (?:untitled|sans\s+titre|naamloos|ohne\s+titel|no\s+title|title|titre|titel)(?:[-\s]*\d+)?
      | document\s*\d*|presentation\s*\d*|slide\s*\d+|layout\s*\d+|book\s*\d+|page\s*\d+
      | powerpoint\s+presentation|présentation\s+powerpoint
      | [\W\d_]*                                                   # no letters at all
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def meaningful_title(title: str) -> str:
    """``title`` unless it is a file name, a placeholder or too short to mean anything."""
    if len(title) < 3 or _JUNK_TITLES.match(title):
        return ""
    return title


_PDF_DATE = re.compile(r"^(?:D:)?\s*(\d{4})(\d{2})?(\d{2})?")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse_pdf_date(value: Any) -> dt.date | None:
    """The calendar date of a PDF date string ("D:20191231120000+01'00'").

    The date is kept as written (the author's local date), not moved to UTC.
    Impossible dates ("D:00000101000000Z" is common) give None.
    """
    text = decode_pdf_string(value)
    match = _ISO_DATE.match(text) or _PDF_DATE.match(text)
    if not match:
        return None
    year, month, day = (int(g) if g else 1 for g in match.groups())
    if not 1900 <= year <= dt.date.today().year + 1:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_info(info_dicts: list[dict[str, Any]]) -> dict[str, Any]:
    """Title, author and dates from pdfminer's ``PDFDocument.info``.

    pdfminer lists one dictionary per trailer, newest first; the newest
    non-empty value of each field wins. Dates are ISO strings so the hints
    stay JSON-serialisable.
    """
    found: dict[str, Any] = {}
    for info in info_dicts:
        if not isinstance(info, dict):
            continue
        for key, field in (("Title", "title"), ("Author", "author")):
            if field not in found and key in info:
                text = decode_pdf_string(info[key])
                if text:
                    found[field] = text
        for key, field in (("CreationDate", "pdf_created"), ("ModDate", "pdf_modified")):
            if field not in found and key in info:
                date = parse_pdf_date(info[key])
                if date:
                    found[field] = date.isoformat()
    return found
