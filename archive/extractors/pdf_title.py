"""A PDF's title, from the evidence the file holds.

The info dictionary's Title wins when it is a real title (see
:func:`.pdf_meta.meaningful_title`). Otherwise the title is read off the first
page that has text, the way a person would:

* the **largest text** on the page (pdfminer gives every glyph's font size,
  ``LTChar.size``); sizes within ``SIZE_TIER`` of the largest count as equal,
  and among those the first in reading order wins;
* else the first **heading-like** block (bold, capitals, or not a sentence)
  in reading order;
* never text that is not a title: a page number, a running header or footer
  (a line in the top or bottom margin of ``RUNNING_PAGES`` pages or more, or
  a piece of one: the journal name or section beside a page number), a
  printer's line ("Printed by", "Page 1/1"), a date, a file name, or a
  generic heading ("Sommaire", "Table of contents", "PARTIE I");
* a single word is a label ("verordening", "raadsvoorstel") when the page
  has more: a subject line ("Onderwerp: ...", "Objet : ...") or the next
  candidate that names it ("VERORDENING OP HET GEBRUIK ...") replaces it.

Pages read by OCR have no font sizes: their first heading-like paragraph is
taken, and OCR noise (stray symbols) disqualifies a line.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from pdfminer.layout import LTChar, LTPage, LTTextLineHorizontal

from ..metadata import plausible_title
from .pdf_layout import text_boxes
from .pdf_meta import meaningful_title
from .pdf_order import Line, merge_rows
from .pdf_text import clean_line, join_lines

#: Pages whose lines are kept as title candidates (the first with text is used).
TITLE_PAGES = 2
#: A line on at least this many pages is a running header or footer.
RUNNING_PAGES = 3
#: Font sizes within this share of the largest count as the same size
#: (a 23 pt "RAPPORT" under a 24 pt "ASSEMBLÉE NATIONALE").
SIZE_TIER = 0.1
#: Text at least this much larger than the body is a title whatever it looks like.
LARGER = 1.15
#: Text smaller than this share of the body is a footnote or a caption.
MIN_SIZE = 0.75
#: Running headers and footers sit in these top and bottom shares of the page.
MARGIN_BAND = 0.12
#: Lines of one box whose sizes differ by more than this share are separate candidates.
SAME_SIZE = 0.1

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
_LETTER = re.compile(r"[^\W\d_]")
_DIGITS = re.compile(r"\d+")
_QUOTES = "\"'“”„«»‘’‚‹›"
#: Symbols that OCR makes of specks and rules; a real title has none.
_NOISE = re.compile(r"[^\w\s.,;:!?'’‘\"“”„«»()\[\]/&%+–—-]")
#: "Onderwerp: ...", "Objet : ...": a line that names the subject.
_SUBJECT = re.compile(r"^(?:onderwerp|betreft|objet|concerne|sujet|subject|re|title|titre|titel)\s*:\s*(.*)$", re.I)


def _key(text: str) -> str:
    """A line as a running header repeats it: case, digits and spacing aside."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_DIGITS.sub("#", text).split())


@dataclass
class Candidate:
    text: str
    size: float = 0.0
    bold: bool = False
    top: float = 0.0  # for reading order when the text cannot be found in the page
    bottom: float = 0.0
    x0: float = 0.0
    x1: float = 0.0


@dataclass
class TitleEvidence:
    """Collected page by page while a PDF is read; :meth:`choose` decides."""

    #: page number -> candidate blocks of that page (first pages only)
    candidates: dict[int, list[Candidate]] = field(default_factory=dict)
    #: page number -> the body text size of that page
    body_size: dict[int, float] = field(default_factory=dict)
    #: line key -> number of pages holding it
    line_pages: Counter = field(default_factory=Counter)

    def add_page(self, number: int, page: LTPage) -> None:
        wanted = len(self.candidates) < TITLE_PAGES
        keys: set[str] = set()
        blocks: list[Candidate] = []
        weights: Counter = Counter()
        for box in text_boxes(page):
            rows: list[tuple[Line, float, bool]] = []
            for line in box:
                if not isinstance(line, LTTextLineHorizontal):
                    continue
                chars = [c for c in line if isinstance(c, LTChar) and c.upright and c.get_text().strip()]
                text = clean_line(line.get_text())
                if not chars or not text:
                    continue
                if line.y0 > (1 - MARGIN_BAND) * page.height or line.y1 < MARGIN_BAND * page.height:
                    keys.add(_key(text))
                if wanted:
                    size = statistics.median(c.size for c in chars)
                    weights[round(size * 2) / 2] += len(chars)
                    bold = sum(1 for c in chars if _BOLD.search(c.fontname)) * 2 > len(chars)
                    rows.append((Line(line.x0, line.y0, line.x1, line.y1, text), size, bold))
            if rows:
                blocks.extend(_box_candidates(rows))
        self.line_pages.update(keys)
        if blocks:
            self.candidates[number] = _join_adjacent(blocks)
            self.body_size[number] = weights.most_common(1)[0][0]

    def running(self, text: str) -> bool:
        """Whether ``text`` is, or is part of, a line repeated on many pages."""
        key = _key(text)
        repeated = [k for k, n in self.line_pages.items() if n >= RUNNING_PAGES]
        return any(key == k or (len(key) >= 4 and key in k) for k in repeated)

    def choose(self, meta_title: str, first_page_text: dict[int, str], ocr_text: dict[int, str]) -> str:
        """The title: the info dictionary's, else the first page's evidence, else ""."""
        title = meaningful_title(meta_title)
        if title:
            return title
        for number in sorted(set(self.candidates) | set(ocr_text)):
            if number in self.candidates:
                title = self._from_layout(number, first_page_text.get(number, ""))
            else:
                title = self._from_text(ocr_text[number])
            if title:
                return title
        return ""

    def _usable(self, text: str) -> bool:
        return plausible_title(text) and not self.running(text)

    def _from_layout(self, number: int, page_text: str) -> str:
        usable = [c for c in self.candidates[number] if self._usable(c.text)]
        if not usable:
            return ""
        flat = " ".join(page_text.split())

        def order(c: Candidate) -> tuple[int, float]:
            at = flat.find(" ".join(c.text.split())[:25])
            return (at if at >= 0 else len(flat), -c.top)

        ranked = _ranked(usable, self.body_size[number], order)
        if not ranked:
            return ""
        best = ranked[0]
        if len(best.text.split()) == 1:
            # A label ("verordening") gives way to the subject line, or to the
            # title that names it ("VERORDENING OP HET GEBRUIK ..."); a slogan
            # next to "FACTUUR" does not.
            label = re.compile(rf"\b{re.escape(_key(best.text).strip(_QUOTES + '.:'))}\b", re.I)
            better = _subject(page_text) or next((c.text for c in ranked[1:]
                                                  if len(c.text.split()) > 1 and label.search(c.text)), "")
            if better:
                return _tidy(better)
        return _tidy(best.text)

    def _from_text(self, text: str) -> str:
        paragraphs = [p for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n", text)) if p]
        for para in paragraphs[:12]:
            para = para.strip(" |")
            if self._usable(para) and not _NOISE.search(para) and _heading_like(para, bold=False):
                if len(para.split()) == 1:
                    return _tidy(_subject(text) or para)
                return _tidy(para)
        return ""


def _box_candidates(rows: list[tuple[Line, float, bool]]) -> list[Candidate]:
    """One box's lines as candidates: pieces of one row put together (a raised
    apostrophe is a line of its own for pdfminer), runs of one size joined."""
    merged = merge_rows([line for line, _, _ in rows]) if len(rows) > 1 else [rows[0][0]]
    out: list[Candidate] = []
    run: list[tuple[Line, float, bool]] = []
    for row in merged:
        parts = [(size, bold) for line, size, bold in rows
                 if row.y0 <= (line.y0 + line.y1) / 2 <= row.y1] or [(0.0, False)]
        size = max(p[0] for p in parts)
        bold = sum(1 for p in parts if p[1]) * 2 > len(parts)
        if run and (abs(size - run[-1][1]) > SAME_SIZE * max(size, run[-1][1]) or bold != run[-1][2]):
            out.append(_candidate(run))
            run = []
        run.append((row, size, bold))
    out.append(_candidate(run))
    return out


def _candidate(run: list[tuple[Line, float, bool]]) -> Candidate:
    lines = [line for line, _, _ in run]
    return Candidate(join_lines(line.text for line in lines), max(size for _, size, _ in run), run[0][2],
                     max(line.y1 for line in lines), min(line.y0 for line in lines),
                     min(line.x0 for line in lines), max(line.x1 for line in lines))


def _join_adjacent(blocks: list[Candidate]) -> list[Candidate]:
    """Boxes that continue one another (a two-line title pdfminer kept apart:
    same size and weight, overlapping, the second right under the first)."""
    out: list[Candidate] = []
    for block in sorted(blocks, key=lambda c: -c.top):
        above = next((c for c in out
                      if abs(c.size - block.size) <= SAME_SIZE * c.size and c.bold == block.bold
                      and c.x0 < block.x1 and block.x0 < c.x1
                      and -0.2 * c.size <= c.bottom - block.top <= 0.8 * c.size), None)
        if above is None:
            out.append(block)
        else:
            above.text = join_lines([above.text, block.text])
            above.bottom, above.x0, above.x1 = block.bottom, min(above.x0, block.x0), max(above.x1, block.x1)
    return out




def _ranked(candidates: list[Candidate], body: float, order) -> list[Candidate]:
    """Candidates best first: text larger than the body, largest size tier
    first and in reading order within a tier; then the heading-like blocks
    in reading order."""
    out: list[Candidate] = []
    rest = sorted((c for c in candidates if c.size >= LARGER * body), key=lambda c: -c.size)
    while rest:
        top = rest[0].size
        out.extend(sorted((c for c in rest if c.size >= (1 - SIZE_TIER) * top), key=order))
        rest = [c for c in rest if c.size < (1 - SIZE_TIER) * top]
    out.extend(sorted((c for c in candidates if c.size < LARGER * body and c.size >= MIN_SIZE * body
                       and _heading_like(c.text, c.bold)), key=order))
    return out


def _heading_like(text: str, bold: bool) -> bool:
    """Bold, in capitals, or not written as a sentence."""
    letters = _LETTER.findall(text)
    if bold or (letters and sum(1 for c in letters if c.isupper()) >= 0.8 * len(letters)):
        return True
    return not text.rstrip(_QUOTES + ")] ").endswith((".", ",", ";", ":"))


def _subject(text: str) -> str:
    """The text after a "Onderwerp:" / "Objet :" label on the page, if any."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    for i, para in enumerate(paragraphs):
        match = _SUBJECT.match(para)
        if match:
            found = match.group(1).strip() or (paragraphs[i + 1] if i + 1 < len(paragraphs) else "")
            if plausible_title(found):
                return found
    return ""


def _tidy(title: str) -> str:
    """Without enclosing quotes, a final full stop or a column rule."""
    title = " ".join(title.split()).strip(" |")
    if len(title) > 2 and title[0] in _QUOTES and title[-1] in _QUOTES:
        title = title[1:-1].strip()
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title
