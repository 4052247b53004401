"""Reading order and paragraphs for a page's text blocks.

pdfminer groups characters into lines and lines into boxes well, but its box
ordering (``boxes_flow``) clusters boxes by distance, which on side-by-side
columns whose paragraphs line up (the Belgian Staatsblad prints Dutch and
French that way) alternates between the columns paragraph by paragraph. It is
also the costliest step of its layout analysis. So boxes are left unordered
(``boxes_flow=None``) and ordered here with a recursive XY cut that prefers
columns:

1. if vertical gaps split the blocks into columns of text at least
   ``MIN_COLUMN_SHARE`` of the page wide, read the columns left to right,
   each recursively;
2. otherwise cut the blocks into horizontal bands (no block straddles the gap
   between bands) and merge neighbouring bands as long as the merged set still
   splits into columns, so that a full-width title or header separates runs of
   columns but paragraphs aligned across columns do not; order each run
   recursively;
3. a single band that does not split is read row by row, each block whole.

The minimum width keeps narrow label columns ("(12)", footnote numbers) with
the rows they label, and a piece only counts as a column when a quarter of its
lines are that long at least, so that the figures of a table are read row by
row.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterable, Sequence

from .pdf_text import join_lines


class Line:
    """A cleaned line of text. ``spaced`` says the line's glyphs began or
    ended with a space, which its box includes but its text no longer shows."""

    __slots__ = ("x0", "y0", "x1", "y1", "text", "spaced")

    def __init__(self, x0: float, y0: float, x1: float, y1: float, text: str, spaced: bool = False):
        self.x0, self.y0, self.x1, self.y1, self.text, self.spaced = x0, y0, x1, y1, text, spaced

    @property
    def height(self) -> float:
        return self.y1 - self.y0


class Block:
    """A pdfminer text box reduced to its cleaned lines, top to bottom."""

    __slots__ = ("x0", "y0", "x1", "y1", "lines")

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.x0 = min(line.x0 for line in lines)
        self.y0 = min(line.y0 for line in lines)
        self.x1 = max(line.x1 for line in lines)
        self.y1 = max(line.y1 for line in lines)


#: A column must be at least this share of the page width (a 6-column page
#: still qualifies; a column of item numbers does not).
MIN_COLUMN_SHARE = 0.12
#: Horizontal gaps narrower than this (points) do not separate columns.
MIN_GUTTER = 2.0
#: Pages with more blocks than this are read row by row without cutting.
MAX_BLOCKS = 1500


def _coverage(blocks: Iterable[Block]) -> list[list[float]]:
    """The x-intervals covered by blocks, merged across gaps under MIN_GUTTER."""
    merged: list[list[float]] = []
    for x0, x1 in sorted((b.x0, b.x1) for b in blocks):
        if merged and x0 <= merged[-1][1] + MIN_GUTTER:
            if x1 > merged[-1][1]:
                merged[-1][1] = x1
        else:
            merged.append([x0, x1])
    return merged


def _cuts(coverage: list[list[float]], min_width: float) -> list[float]:
    """x positions splitting the coverage into pieces at least min_width wide."""
    cuts: list[float] = []
    if len(coverage) < 2:
        return cuts
    start, end = coverage[0][0], coverage[-1][1]
    for left, right in zip(coverage, coverage[1:]):
        if left[1] - start >= min_width and end - right[0] >= min_width:
            cuts.append(right[0])
            start = right[0]
    return cuts


def _long_lines(block: Block, min_width: float) -> int:
    return sum(1 for line in block.lines if line.x1 - line.x0 >= min_width)


def _is_text_column(blocks: list[Block], min_width: float) -> bool:
    """Whether blocks read as a column of text rather than a table column.

    Lines of text are as long as a column is wide at the least; the cells of
    a table's columns (amounts, dates, units) are short.
    """
    lines = sum(len(b.lines) for b in blocks)
    return sum(_long_lines(b, min_width) for b in blocks) * 4 >= lines


def _columns(blocks: list[Block], min_width: float) -> list[list[Block]] | None:
    cuts = _cuts(_coverage(blocks), min_width)
    if not cuts:
        return None
    pieces: list[list[Block]] = [[] for _ in range(len(cuts) + 1)]
    for block in blocks:
        pieces[bisect_right(cuts, block.x0)].append(block)
    # A piece that is not text (a table's figures) joins its left neighbour.
    columns: list[list[Block]] = []
    for piece in pieces:
        if columns and not (_is_text_column(piece, min_width) and _is_text_column(columns[-1], min_width)):
            columns[-1].extend(piece)
        else:
            columns.append(piece)
    return columns if len(columns) > 1 else None


def _bands(blocks: Sequence[Block]) -> list[list[Block]]:
    """Blocks cut into horizontal bands, top first; no block straddles two."""
    bands: list[list[Block]] = []
    bottom = 0.0
    for block in sorted(blocks, key=lambda b: -b.y1):
        if bands and block.y1 >= bottom:
            bands[-1].append(block)
            bottom = min(bottom, block.y0)
        else:
            bands.append([block])
            bottom = block.y0
    return bands


def _runs(bands: list[list[Block]], min_width: float) -> list[list[Block]]:
    """Neighbouring bands merged while the merged set still has columns."""
    runs: list[list[Block]] = []
    for band in bands:
        if runs and _columns(runs[-1] + band, min_width):
            runs[-1].extend(band)
        else:
            runs.append(list(band))
    return runs


def merge_rows(lines: Iterable[Line]) -> list[Line]:
    """Lines that sit side by side merged into one, left to right.

    pdfminer boxes can hold "1." and its paragraph's first line as two lines at
    the same height, or a line broken around a raised apostrophe ("d", "’",
    "association"); so can the whole page when it has too many boxes to order.
    """
    rows: list[list[Line]] = []
    top = bottom = 0.0
    for line in sorted(lines, key=lambda ln: -ln.y1):
        overlap = min(top, line.y1) - max(bottom, line.y0)
        if rows and overlap >= 0.4 * min(top - bottom, line.height):
            rows[-1].append(line)
            bottom = min(bottom, line.y0)
        else:
            rows.append([line])
            top, bottom = line.y1, line.y0
    merged = []
    for row in rows:
        if len(row) == 1:
            merged.append(row[0])
            continue
        row.sort(key=lambda ln: ln.x0)
        parts = [row[0].text]
        for before, after in zip(row, row[1:]):
            # Pieces that touch are one word; pdfminer already put a space
            # inside each line where the glyphs were apart.
            if before.spaced or after.spaced or after.x0 - before.x1 > 0.15 * min(before.height, after.height):
                parts.append(" ")
            parts.append(after.text)
        merged.append(Line(row[0].x0, min(ln.y0 for ln in row), max(ln.x1 for ln in row),
                           max(ln.y1 for ln in row), "".join(parts), row[0].spaced or row[-1].spaced))
    return merged


def _block_rows(blocks: list[Block]) -> Block:
    """Blocks side by side that are not columns, read row by row: a table's
    cells, an item number and its paragraph. Each block stays whole, so a
    cell's wrapped lines, or two paragraphs a wide line keeps from being cut
    apart, are not interleaved."""
    rows: list[list[Block]] = []
    top = bottom = 0.0
    for block in sorted(blocks, key=lambda b: -b.y1):
        overlap = min(top, block.y1) - max(bottom, block.y0)
        if rows and overlap >= 0.4 * min(top - bottom, block.y1 - block.y0):
            rows[-1].append(block)
            bottom = min(bottom, block.y0)
        else:
            rows.append([block])
            top, bottom = block.y1, block.y0
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        text = " ".join(join_lines(line.text for line in b.lines) for b in row)
        lines.append(Line(row[0].x0, min(b.y0 for b in row), max(b.x1 for b in row), max(b.y1 for b in row), text))
    return Block(lines)


def _order(blocks: list[Block], min_width: float) -> list[Block]:
    if len(blocks) < 2:
        return blocks
    columns = _columns(blocks, min_width)
    if columns:
        return [b for column in columns for b in _order(column, min_width)]
    bands = _bands(blocks)
    if len(bands) == 1:
        return [_block_rows(blocks)]
    runs = _runs(bands, min_width)
    if len(runs) == 1:
        # The bands only look like columns together (a table): take them one
        # by one.
        runs = bands
    return [b for run in runs for b in _order(run, min_width)]


def reading_order(blocks: list[Block], page_width: float) -> list[Block]:
    if len(blocks) <= MAX_BLOCKS:
        try:
            return _order(blocks, MIN_COLUMN_SHARE * page_width)
        except RecursionError:
            pass
    # A page of thousands of boxes is a table or a chart: read it row by row
    # rather than spend seconds (or the stack) on cutting it.
    return [_block_rows(blocks)]


# --- paragraphs ------------------------------------------------------------


_SENTENCE_END = tuple(".!?:;")


def _continues(above: Block, below: Block) -> bool:
    """Whether ``below`` goes on with the paragraph of ``above``.

    pdfminer only puts lines aligned on the left, right or centre in one box,
    so an indented first line, or a hanging indent (footnotes, numbered
    items), splits a paragraph. The next box continues it when it starts right
    under the last line, in a font of the same size, the last line does not
    end a sentence, and either it runs to the right edge (a paragraph's last
    line usually stops short) or it is a lone line indented like a first line.
    """
    last, first = above.lines[-1], below.lines[0]
    h = last.height
    if not (
        -0.2 * h <= last.y0 - first.y1 <= 0.8 * h
        and abs(first.height - h) <= 0.25 * h
        and above.x0 < below.x1
        and below.x0 < above.x1
    ):
        return False
    if last.text.rstrip("»”’\"')]").endswith(_SENTENCE_END):
        return False
    indented_first_line = len(above.lines) == 1 and 0.5 * h <= last.x0 - below.x0 <= 6 * h
    return indented_first_line or last.x1 >= below.x1 - h


def paragraphs(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    pending: list[Line] = []
    for i, block in enumerate(blocks):
        pending.extend(block.lines)
        if i + 1 < len(blocks) and _continues(block, blocks[i + 1]):
            continue
        text = join_lines(line.text for line in pending)
        if text:
            out.append(text)
        pending = []
    return out
