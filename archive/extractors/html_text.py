"""Main text of an HTML page, as a list of paragraphs.

The cascade: remove what is boilerplate by its markup (cookie banners, share
widgets, paywall notices, visually hidden text); let trafilatura find the main
content; drop the lines that are boilerplate by their wording ("Passer la
publicité", "Lees ook: ..."). When trafilatura finds nothing, a plain walk over
the block elements gives the text; when lxml cannot build a tree at all (too
deep, broken), a streaming parser does.
"""

from __future__ import annotations

import html.parser
import logging
import re
import unicodedata

from lxml import etree

log = logging.getLogger(__name__)

#: class/id words marking boilerplate containers, matched as whole words of
#: class names split on space, "-" and "_" ("cookie__wrap", "content-paywall").
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|gdpr|cmp|didomi|onetrust|tarteaucitron|cookiebot|paywall|share|sharing"
    r"|sharebar|social|addtoany|a2a|newsletter|related|outbrain|taboola|breadcrumbs?|advert|advertisement|ads?"
    r"|sponsored|promo|savoir[-_]plus|lire[-_]aussi|lees[-_]ook|read[-_]?more|kicker|eyebrow|overline|rubrique)(?:$|[\s_-])",
    re.I,
)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:sr-only|visually-?hidden|screen-reader-(?:text|only)|element-invisible)(?:$|\s)",
                           re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|clip\s*:\s*rect\(\s*0"
                           r"|clip-path\s*:\s*inset\(\s*50%", re.I)
#: Containers never removed by the class rules, whatever their class says.
PROTECTED_TAGS = {"html", "body", "main", "article"}
#: A boilerplate-looking (or hidden) element holding more than this share of
#: the page text is probably the content itself, wrapped in an unlucky class
#: name or hidden until a script shows it.
MAX_BOILERPLATE_SHARE = 0.4
DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "canvas")

# Paragraphs that are boilerplate by their wording. Only short ones: a long
# paragraph that happens to contain "newsletter" is content. Matched against
# the lowercased paragraph: re.IGNORECASE makes these alternations ~5x slower.
SHORT_PARAGRAPH = 300
_EXACT = re.compile(
    r"^(?:advertisement|advertentie|publicité|pub|passer la publicité|skip advertisement|lire aussi|à lire aussi"
    r"|a lire aussi|lees ook|lees meer|lees verder|read more|read also|see also|voir aussi|lire la suite"
    r"|continue reading|partager|share|share this article|share this|deel dit artikel|partager cet article"
    r"|imprimer|print|tweet|facebook|twitter|linkedin|whatsapp|e-?mail|fermer|close|sluiten|menu)$"
)
_PREFIX = re.compile(r"^(?:à lire aussi|a lire aussi|lire aussi|voir aussi|lees ook|read also|read more|related"
                     r"|see also|sur le même sujet|meer over dit onderwerp)\b\s*[:»>-]")
_CONTAINS = re.compile(
    r"nous utilisons des cookies|ce site utilise des cookies|we use cookies|this (?:web)?site uses cookies"
    r"|wij gebruiken cookies|deze (?:web)?site gebruikt cookies|la suite est réservée aux abonnés"
    r"|il vous reste [\d.,]+ ?% de cet article|réservée? aux abonnés|pour lire la suite|to continue reading"
    r"|(?:inscrivez|abonnez)-vous à (?:notre|la) newsletter|sign up (?:for|to) (?:our|the) newsletter"
    r"|subscribe to (?:our|the) newsletter|schrijf je in (?:voor|op) (?:onze|de) nieuwsbrief"
    r"|do you want to be informed|already a subscriber|déjà abonné|al abonnee"
    r"|accéder en illimité|unlimited access|onbeperkt toegang|sign up (?:for|to) [^.]{0,40}newsletter"
    r"|browser version with limited support|to obtain the best experience|javascript (?:is )?disabled"
    r"|enable javascript|activez (?:le )?javascript|schakel javascript in"
)
#: "· 4 min read", "3 min de lecture", "Leestijd: 5 minuten": reading time ending a byline.
_READING_TIME = re.compile(
    r"(?:^|\s*[·•|–—-]\s*|\s+)(?:\d+\s*(?:min(?:ute)?s?|minuten)\.?\s*(?:read|de\s+lecture|lezen|leestijd|reading)"
    r"|(?:temps\s+de\s+)?lecture\s*:?\s*\d+\s*min(?:utes?)?|leestijd\s*:?\s*\d+\s*min(?:uten)?"
    r"|reading\s+time\s*:?\s*\d+\s*min(?:utes?)?)\b\.?\s*$",
    re.I,
)
#: Bylines are short; a longer paragraph is prose that may speak of minutes.
BYLINE_CHARS = 120
#: What is left of a byline once its date and reading time are gone.
_EMPTY_BYLINE = re.compile(r"^(?:published|updated|posted|publié|mis en ligne|mis à jour|gepubliceerd|bijgewerkt"
                           r"|geplaatst)?\s*(?:le|on|op)?\s*$", re.I)
#: Layout tables come out of trafilatura as "| | text | |".
_WORD = re.compile(r"\w")
_TABLE_EDGES = re.compile(r"^(?:\|\s*)+|(?:\s*\|)+$")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalize(text: str) -> str:
    """One paragraph's text: NFC, zero-width characters gone, whitespace collapsed."""
    # The checks are cheap and most text needs neither change: huge pages have
    # hundreds of thousands of paragraphs.
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if _ZERO_WIDTH.search(text):
        text = _ZERO_WIDTH.sub("", text)
    return " ".join(text.split())


def _fold(text: str) -> str:
    # For comparisons only: case, quotes and spacing do not tell two strings apart.
    text = normalize(text).lower()
    text = re.sub(r"[‘’‚‛`´]", "'", text)
    return re.sub(r"[“”„«»\"]", '"', text)


def _tag(el) -> str:
    return el.tag if isinstance(el.tag, str) else ""


def clean_tree(tree) -> None:
    """Remove scripts, hidden text and boilerplate containers, in place; turn layout tables into blocks."""
    for el in list(tree.iter(*DROP_TAGS, etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    _unwrap_layout_tables(tree)
    body = tree.find(".//body")
    total = _text_size(body if body is not None else tree) or 1
    doomed = []
    walker = etree.iterwalk(tree, events=("start",))
    for _, el in walker:
        tag = _tag(el)
        if not tag or tag in PROTECTED_TAGS or not el.attrib:
            continue
        if _looks_boilerplate(el) and _text_size(el) < MAX_BOILERPLATE_SHARE * total:
            doomed.append(el)
            walker.skip_subtree()  # what is inside goes with it
    for el in doomed:
        _drop(el)


#: Elements that a data table's cell does not hold but a page laid out with a table does.
_LAYOUT_CONTENT = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "article", "section", "main",
                   "div", "table"}
_TABLE_PARTS = ("table", "thead", "tbody", "tfoot", "tr", "td", "th")


def _unwrap_layout_tables(tree) -> None:
    """Pages of the table-layout era put the menu and the article in two cells of
    one table row, and trafilatura reads a table row as one line of text ("Accueil
    Qui sommes-nous ? ... | (Dé)clic : des élèves ..."). A table whose cells
    hold paragraphs, headings, blocks or other tables is layout, not data: its
    parts become <div>s, so the menu cell and the article are blocks of their
    own; and the text such a cell holds loose (between <font>s and <br>s, which
    trafilatura drops beside blocks) is wrapped in <p>s."""
    layout = [table for table in tree.iter("table")
              if any(_tag(child) in _LAYOUT_CONTENT for cell in _own(table, ("td", "th")) for child in cell)]
    if not layout:
        return
    # Without <main> or <article> to say where the content is, the cell that
    # holds the page's one <h1> is its main column (trafilatura then keeps its
    # subheadings, which it drops from anonymous blocks).
    h1s = list(tree.iter("h1"))
    main = h1s[0].getparent() if len(h1s) == 1 and next(tree.iter("main", "article"), None) is None else None
    for table in layout:
        cells = _own(table, ("td", "th"))
        for el in [table, *_own(table, _TABLE_PARTS[1:])]:
            el.tag = "main" if el is main and el.tag in ("td", "th") else "div"
            for attr in ("width", "valign", "align", "colspan", "rowspan", "height"):
                el.attrib.pop(attr, None)
        for cell in cells:
            _wrap_loose_text(cell)


def _wrap_loose_text(cell) -> None:
    """Runs of text and inline elements directly in ``cell`` put into <p>s, blocks left as they are."""
    nodes: list = [cell.text] if cell.text and cell.text.strip() else []
    cell.text = None
    for child in list(cell):
        tail, child.tail = child.tail, None
        cell.remove(child)
        nodes.append(child)
        if tail and tail.strip():
            nodes.append(tail)
    run = None
    for node in nodes:
        if not isinstance(node, str) and _tag(node) in BLOCK_TAGS - {"br", "hr"}:
            cell.append(node)
            run = None
            continue
        if run is None:
            run = etree.SubElement(cell, "p")
        if not isinstance(node, str):
            run.append(node)
        elif len(run):
            run[-1].tail = (run[-1].tail or "") + node
        else:
            run.text = (run.text or "") + node


def _own(table, tags: tuple[str, ...]) -> list:
    """The parts of ``table`` with those tags, leaving out those of nested tables."""
    return [el for el in table.iter(*tags) if next(el.iterancestors("table"), None) is table]


def _looks_boilerplate(el) -> bool:
    marks = (el.get("class") or "") + " " + (el.get("id") or "")
    return bool(el.get("hidden") is not None or el.get("role") in ("dialog", "alertdialog")
                or _HIDDEN_CLASS.search(marks) or _BOILERPLATE.search(marks)
                or _HIDDEN_STYLE.search(el.get("style") or ""))


def _text_size(el) -> int:
    return sum(len(piece.strip()) for piece in el.itertext())


def _drop(el) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def filter_paragraphs(paragraphs: list[str], title: str = "") -> list[str]:
    """Drop boilerplate paragraphs, repeats, punctuation-only lines and the title."""
    kept: list[str] = []
    folded_title = _fold(title) if title else None
    for para in paragraphs:
        para = normalize(para)
        if not _WORD.search(para):
            continue  # table rules like "| | |", lone bullets
        if "|" in para:
            para = _TABLE_EDGES.sub("", para)
        if len(para) < SHORT_PARAGRAPH:
            if len(para) < BYLINE_CHARS and _READING_TIME.search(para):
                para = _READING_TIME.sub("", para).strip(" ·•|–—-")
            if _EMPTY_BYLINE.match(para):
                continue  # "Published · 4 min read" without its date: nothing left to say
            lower = para.lower()
            if _EXACT.match(lower.strip(" .:!»>|-–—•·")) or _PREFIX.match(lower) or _CONTAINS.search(lower):
                continue
        if kept and para == kept[-1]:
            continue
        if folded_title and len(kept) < 3 and _fold(para) == folded_title:
            continue  # the title is kept apart, in Document.title
        kept.append(para)
    return kept


def trafilatura_paragraphs(tree) -> list[str]:
    """Main-content paragraphs by trafilatura (its own copy of the tree), or [].

    trafilatura deletes ``<time>`` elements with their text, which turns
    "Brussels, <time>18 October 2018</time> – ..." into "Brussels, – ...";
    so ``<time>`` tags are unwrapped first (in ``tree``), their text kept as written.
    """
    import trafilatura  # heavy import, only when an HTML file is read

    for time in list(tree.iter("time")):
        time.drop_tag()
    try:
        text = trafilatura.extract(tree, include_comments=False, include_tables=True, output_format="txt")
    except Exception as err:  # trafilatura has many internal failure modes
        log.debug("trafilatura failed: %s", err)
        return []
    return text.split("\n") if text else []


def add_standfirst(paragraphs: list[str], tree, description: str) -> list[str]:
    """Put back the visible summary under the headline, which trafilatura tends to skip.

    The meta description counts as that summary only when the page shows it
    (it is in the cleaned body text) and the extracted text does not have it.
    """
    if not description or len(description) < 40 or not paragraphs:
        return paragraphs
    wanted = _fold(description)
    if wanted in _fold(" ".join(paragraphs)):
        return paragraphs
    body = tree.find(".//body")
    if wanted in _fold((body if body is not None else tree).text_content()):
        return [normalize(description)] + paragraphs
    return paragraphs


BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
    "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td", "th", "caption", "figure", "figcaption",
    "address", "details", "summary", "hr", "br", "center", "body", "html", "title",
}
SKIP_TAGS = {"head", "nav", "aside", "footer", "header", "form", "button", "select", "option", "label",
             "script", "style", "noscript", "template", "svg", "iframe", "object", "canvas"}


def block_paragraphs(root, skip: set[str] = SKIP_TAGS) -> list[str]:
    """Text of the block elements under ``root``, one entry per block, without recursion."""
    paragraphs: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = normalize("".join(buf))
        if text:
            paragraphs.append(text)
        buf.clear()

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = _tag(el)
        if event == "start":
            if not tag or tag in skip:
                walker.skip_subtree()  # still gets its "end" event, where the tail is read
                continue
            if tag in BLOCK_TAGS:
                flush()
            buf.append(el.text or "")
        else:
            if tag in BLOCK_TAGS and tag not in skip:
                flush()
            if el is not root:
                buf.append(el.tail or "")
    flush()
    return paragraphs


class _StreamText(html.parser.HTMLParser):
    """Block text from an event stream: no tree, so no depth limit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.title = ""
        self.lang = ""
        self._buf: list[str] = []
        self._skip = 0
        self._in_title = False

    def _flush(self) -> None:
        text = normalize("".join(self._buf))
        if text:
            self.paragraphs.append(text)
        self._buf.clear()

    def handle_starttag(self, tag, attrs):
        if tag == "html" and not self.lang:
            self.lang = dict(attrs).get("lang") or ""
        if tag == "title":
            self._in_title = True
        elif tag in SKIP_TAGS and tag != "head":
            self._skip += 1
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in SKIP_TAGS and tag != "head":
            self._skip = max(0, self._skip - 1)
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._buf.append(data)


def stream_paragraphs(markup: str) -> tuple[list[str], str, str]:
    """(paragraphs, <title>, <html lang>) of markup no tree can be built for."""
    parser = _StreamText()
    parser.feed(markup)
    parser.close()
    parser._flush()
    return parser.paragraphs, normalize(parser.title), parser.lang
