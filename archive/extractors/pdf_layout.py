"""From a PDF page to its text: layout analysis, blocks, reading order.

pdfminer's layout analysis groups characters into lines and lines into boxes.
Two of its habits are corrected here before the boxes are ordered
(:mod:`.pdf_order`):

* a line can run across the gutter between two columns when a word of the next
  column is drawn right after a line of this one and sits within
  ``char_margin`` (common with bold run-in headings next to a narrow gutter);
  one such line glues the boxes of both columns together. Gutters are found as
  vertical channels that (almost) no text crosses, lines are split where they
  jump one, and the lines are regrouped into boxes;
* rotated text (margin notes, the Federal Register's vertical imprint) comes
  out one letter per line; it is dropped when upright text dominates the page,
  and kept otherwise so that a page printed sideways is not lost.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LAParams, LTChar, LTFigure, LTPage, LTTextBoxHorizontal, LTTextLineHorizontal
from pdfminer.pdfinterp import PDFResourceManager

from .pdf_order import Block, Line, merge_rows, paragraphs, reading_order
from .pdf_text import clean_line

#: pdfminer's defaults, except: no box ordering (done in pdf_order) and text
#: inside form XObjects laid out like page text (some producers put a whole
#: page in one form; pdfminer's text converter would emit it as unbroken chars).
LAPARAMS = LAParams(line_overlap=0.5, char_margin=2.0, line_margin=0.5, word_margin=0.1, boxes_flow=None, all_texts=True)

#: Inside a line, glyphs closer than this many font sizes belong to one run of
#: text; a gap between columns is wider (word spaces stay under half an em).
INK_GAP = 0.8
#: A gutter may be crossed by this share of the lines (full-width headings,
#: running heads), and by two lines whatever the count.
GUTTER_CROSSINGS = 0.05
#: Lines must end and start this close (points) to both sides of a gutter.
GUTTER_REACH = 30.0


class PageCollector(PDFLayoutAnalyzer):
    """Runs layout analysis and keeps the analysed page.

    Unlike pdfminer's ``PDFPageAggregator`` it builds no objects for drawn
    lines and rectangles (they play no part in text order, and tables make
    thousands of them) and only counts images, which tell a scanned page from
    a blank one.
    """

    def __init__(self, rsrcmgr: PDFResourceManager, laparams: LAParams = LAPARAMS):
        super().__init__(rsrcmgr, pageno=1, laparams=laparams)
        self.page: LTPage | None = None
        self.images = 0

    def begin_page(self, page, ctm):  # type: ignore[no-untyped-def]
        self.page = None
        self.images = 0
        # A page that failed inside a form XObject leaves its figure on the
        # stack, and pdfminer would then refuse every later page.
        self._stack.clear()
        super().begin_page(page, ctm)

    def receive_layout(self, ltpage: LTPage) -> None:
        self.page = ltpage

    def render_image(self, name, stream) -> None:  # type: ignore[no-untyped-def]
        self.images += 1

    def paint_path(self, gstate, stroke, fill, evenodd, path) -> None:  # type: ignore[no-untyped-def]
        pass


def text_boxes(container: Iterable[object]) -> Iterator[LTTextBoxHorizontal]:
    for item in container:
        if isinstance(item, LTTextBoxHorizontal):
            yield item
        elif isinstance(item, LTFigure):
            yield from text_boxes(item)


class _RawLine:
    """A pdfminer line with its glyphs sorted left to right and its runs of ink."""

    __slots__ = ("line", "chars", "runs", "sideways")

    def __init__(self, line: LTTextLineHorizontal, chars: list[LTChar]):
        self.line = line
        self.chars = sorted(chars, key=lambda c: c.x0)
        self.sideways = sum(1 for c in chars if not c.upright) * 2 > len(chars)
        runs = [[self.chars[0].x0, self.chars[0].x1]]
        for before, c in zip(self.chars, self.chars[1:]):
            # The smaller font decides: a body-text line ending 9 pt before a
            # 14 pt heading is a gutter, not a word space of the heading.
            if c.x0 - runs[-1][1] > INK_GAP * min(before.size, c.size):
                runs.append([c.x0, c.x1])
            elif c.x1 > runs[-1][1]:
                runs[-1][1] = c.x1
        self.runs = runs


def _gutters(lines: list[_RawLine], width: float) -> list[tuple[float, float]]:
    """Vertical channels between columns: x ranges almost no run of ink covers,
    with runs ending just left of them and starting just right of them."""
    size = int(width) + 2
    cover = [0] * size
    for raw in lines:
        for x0, x1 in raw.runs:
            a, b = min(max(0, int(x0)), size - 1), min(max(0, int(x1) + 1), size - 1)
            cover[a] += 1
            cover[b] -= 1
    limit = max(2, int(GUTTER_CROSSINGS * len(lines)))
    gutters = []
    start = None
    running = 0
    for x in range(size):
        running += cover[x]
        if running <= limit:
            if start is None:
                start = x
        elif start is not None:
            gutters.append((float(start), float(x)))
            start = None
    ends = sorted(x1 for raw in lines for _, x1 in raw.runs)
    starts = sorted(x0 for raw in lines for x0, _ in raw.runs)

    def count_between(values: list[float], lo: float, hi: float) -> int:
        return sum(1 for v in values if lo <= v <= hi)

    return [
        (a, b)
        for a, b in gutters
        if a > 0
        and count_between(ends, a - GUTTER_REACH, a + 1) >= 3
        and count_between(starts, b - 1, b + GUTTER_REACH) >= 3
    ]


def _split(raw: _RawLine, gutters: list[tuple[float, float]], word_margin: float) -> list[LTTextLineHorizontal]:
    """The line cut at every gap between its runs that holds a gutter."""
    cuts = [
        (a + b) / 2
        for (_, left_end), (right_start, _) in zip(raw.runs, raw.runs[1:])
        for a, b in gutters
        if left_end < (a + b) / 2 < right_start
    ]
    if not cuts:
        return [raw.line]
    pieces: list[LTTextLineHorizontal] = []
    bounds = [*cuts, float("inf")]
    for i, bound in enumerate(bounds):
        low = bounds[i - 1] if i else float("-inf")
        piece = LTTextLineHorizontal(word_margin)
        for c in raw.chars:
            if low <= (c.x0 + c.x1) / 2 < bound:
                piece.add(c)
        if len(piece):
            pieces.append(piece)
    return pieces


def page_blocks(page: LTPage) -> list[Block]:
    """The page's text as blocks of cleaned, non-empty lines."""
    boxes: list[list[_RawLine]] = []
    upright = rotated = 0
    for box in text_boxes(page):
        lines = []
        for line in box:
            if not isinstance(line, LTTextLineHorizontal):
                continue
            chars = [obj for obj in line if isinstance(obj, LTChar)]
            if chars:
                raw = _RawLine(line, chars)
                if raw.sideways:
                    rotated += len(chars)
                else:
                    upright += len(chars)
                lines.append(raw)
        if lines:
            boxes.append(lines)
    if upright > rotated:
        boxes = [kept for kept in ([raw for raw in b if not raw.sideways] for b in boxes) if kept]
    all_lines = [raw for b in boxes for raw in b]
    gutters = _gutters(all_lines, page.width)
    if gutters and any(len(raw.runs) > 1 for raw in all_lines):
        split = [piece for raw in all_lines for piece in _split(raw, gutters, LAPARAMS.word_margin)]
        if len(split) > len(all_lines):
            regrouped = page.group_textlines(LAPARAMS, split)
            return _blocks([list(box) for box in regrouped])
    return _blocks([[raw.line for raw in b] for b in boxes])


def _blocks(boxes: list[list[LTTextLineHorizontal]]) -> list[Block]:
    blocks = []
    for box in boxes:
        kept = []
        for line in box:
            raw = line.get_text().rstrip("\n")
            text = clean_line(raw)
            if text:
                spaced = raw[:1].isspace() or raw[-1:].isspace()
                kept.append(Line(line.x0, line.y0, line.x1, line.y1, text, spaced))
        if kept:
            blocks.append(Block(merge_rows(kept) if len(kept) > 1 else kept))
    return blocks


def page_text(page: LTPage) -> str:
    """The page's text in reading order, paragraphs separated by blank lines."""
    blocks = page_blocks(page)
    if not blocks:
        return ""
    return "\n\n".join(paragraphs(reading_order(blocks, page.width)))
