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
* a title continues on the blocks that follow it in reading order when they
  open as the rest of a phrase: with a small letter ("ENQUETE PARLEMENTAIRE"
  / "visant à élaborer ...") or, in capitals, with a word that links a
  document's name to its subject ("RAPPORT" / "FAIT" / "AU NOM DE LA
  COMMISSION ..."), up to ``MAX_TITLE_CHARS``;
* a single word is a label ("verordening", "raadsvoorstel") when the page
  has more: a subject line ("Onderwerp: ...", "Objet : ...") or the next
  candidate that names it ("VERORDENING OP HET GEBRUIK ...") replaces it;
* the issuer's masthead is not the title: a short line that is the name of an
  institution ("ASSEMBLEE NATIONALE", "DEPARTMENT OF TRANSPORTATION",
  "Chambre des Représentants de Belgique") gives way to the next candidate
  that describes a subject (two words at least, not a reference such as
  "14 CFR Part 39" or "[Docket No. ...]"); it stays when there is none.

Pages read by OCR have no font sizes: their heading-like paragraphs are
taken in order under the same rules, and OCR noise (stray symbols)
disqualifies a line.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from pdfminer.layout import LTChar, LTPage, LTTextLineHorizontal

from ..metadata import MAX_TITLE_CHARS, plausible_title
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
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: Institutions that issue documents (accents and case aside): a short line
#: headed by one of these, or ending on one, names the issuer, not the subject.
_INSTITUTIONS = frozenset("""
    assemblee chambre senat parlement ministere gouvernement republique royaume moniteur conseil cour tribunal
    commune ville province region prefecture agence spf
    kamer senaat ministerie regering staatsblad gemeente gemeenteraad provincie koninkrijk rechtbank hof raad
    agentschap fod overheidsdienst
    parliament ministry department government congress senate assembly agency administration council court
    kingdom republic city county commonwealth gazette
""".split())
_INSTITUTION_PHRASE = re.compile(r"\b(?:journal officiel|official journal|publicatieblad|house of (?:representatives"
                                 r"|commons|lords)|service public federal|federale overheidsdienst)\b")
#: Words that carry a document's name on to its subject ("RAPPORT FAIT AU NOM DE ...",
#: "VOORSTEL TOT ...", "REPORT ON ..."): a block in capitals opening with one continues the title.
_LINKS = frozenset("""
    fait faite au aux sur visant tendant portant relatif relative relatifs relatives concernant fixant modifiant
    instituant pour par contre
    tot over houdende betreffende inzake namens ter van voor door uitgebracht tegen
    on of for to concerning regarding amending establishing by made submitted against
""".split())


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
        page = self.candidates[number]
        usable = [c for c in page if self._usable(c.text)]
        if not usable:
            return ""
        flat = " ".join(page_text.split())

        def order(c: Candidate) -> tuple[int, float]:
            at = flat.find(" ".join(c.text.split())[:25])
            return (at if at >= 0 else len(flat), -c.top)

        ranked = _ranked(usable, self.body_size[number], order)
        in_order = sorted(page, key=order)
        place = {id(c): i for i, c in enumerate(in_order)}  # candidates alike ("— —") are still distinct

        def whole(c: Candidate) -> str:
            # The blocks after it in reading order that carry it on, no larger
            # than it and not footnotes.
            body = self.body_size[number]
            after = itertools.takewhile(lambda b: MIN_SIZE * body <= b.size <= (1 + SAME_SIZE) * c.size,
                                        in_order[place[id(c)] + 1:])
            return self._continued(c.text, [b.text for b in after])

        def titled(i: int) -> str:
            best = ranked[i]
            if len(best.text.split()) == 1:
                # A label ("verordening") gives way to the subject line, or to the
                # title that names it ("VERORDENING OP HET GEBRUIK ..."); a slogan
                # next to "FACTUUR" does not. Only then may the lines after it
                # carry it on ("RAPPORT" / "FAIT AU NOM DE ...").
                label = re.compile(rf"\b{re.escape(_key(best.text).strip(_QUOTES + '.:'))}\b", re.I)
                better = _subject(page_text) or next((c.text for c in ranked[i + 1:]
                                                      if len(c.text.split()) > 1 and label.search(c.text)), "")
                if better:
                    return _tidy(better)
            return _tidy(whole(best))

        return _past_masthead(titled(i) for i in range(len(ranked)))

    def _from_text(self, text: str) -> str:
        paragraphs = [p.strip(" |") for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n", text))]
        paragraphs = [p for p in paragraphs if p]

        def titles():
            for i, para in enumerate(paragraphs[:12]):
                if self._usable(para) and not _NOISE.search(para) and _heading_like(para, bold=False):
                    label = len(para.split()) == 1 and _subject(text)
                    yield _tidy(label or self._continued(para, paragraphs[i + 1:]))

        return _past_masthead(titles())

    def _continued(self, title: str, after: list[str]) -> str:
        """``title`` with the blocks that carry it on (``after`` is what follows
        it in reading order), as long as it stays within ``MAX_TITLE_CHARS``."""
        if title.rstrip(_QUOTES + ")] ").endswith((".", "!", "?")):
            return title
        for text in after:
            if not _continues(text) or self.running(text) or _NOISE.search(text):
                break
            longer = join_lines([title, text])
            if len(_tidy(longer)) > MAX_TITLE_CHARS:
                break
            title = longer
        return title


def _continues(text: str) -> bool:
    """Whether a block reads as the rest of the phrase before it: it opens with
    a small letter, or in capitals with a linking word ("FAIT", "AU", "VAN")."""
    first = _WORD.search(text)
    if first is None or first.start() > 2:
        return False
    word = first.group(0)
    if word[0].islower():
        return True
    return word.isupper() and len(word) > 1 and word.casefold() in _LINKS


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _issuer(title: str) -> bool:
    """Whether ``title`` is the name of an institution (a masthead): at most six
    words, the longer ones capitalised, headed by or ending on an institution."""
    words = _WORD.findall(title)
    if not words or len(words) > 6 or any(w[0].islower() for w in words if len(w) > 3):
        return False
    folded = [_fold(w) for w in words]
    return (bool(set(folded[:2]) & _INSTITUTIONS) or folded[-1] in _INSTITUTIONS
            or bool(_INSTITUTION_PHRASE.search(" ".join(folded))))


def _describes(title: str) -> bool:
    """Whether ``title`` says what the document is about: two words of three
    letters or more besides acronyms, and not a bracketed reference."""
    if title[:1] in "[(" and title[-1:] in "])":
        return False
    words = [w for w in _WORD.findall(title) if len(w) >= 3]
    all_caps = all(w.isupper() for w in words)
    return sum(1 for w in words if all_caps or not w.isupper()) >= 2


def _past_masthead(titles) -> str:
    """The first of ``titles`` (best first) unless it is the issuer's name: then
    the next that describes a subject, or the issuer's name when none does."""
    masthead = ""
    for title in titles:
        if not title:
            continue
        if _issuer(title):
            masthead = masthead or title
        elif not masthead or _describes(title):
            return title
    return masthead


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


#: What may trail a title: a footnote call ("(1)", "(*)") and the comma or colon before the rest.
_TRAILING = re.compile(r"(?:\s*(?:\(\d{1,2}\)|\(\*\)|\*)|\s*[,;:])+$")


def _tidy(title: str) -> str:
    """Without enclosing quotes, a final full stop, a footnote call or a column rule."""
    title = _TRAILING.sub("", " ".join(title.split()).strip(" |"))
    if len(title) > 2 and title[0] in _QUOTES and title[-1] in _QUOTES:
        title = title[1:-1].strip()
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title
