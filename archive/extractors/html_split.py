"""Pages that hold several articles: a news listing, a page of press releases.

Precision matters more than recall here: splitting a single article into
pieces is much worse than indexing a listing as one document. So a split
needs at least two *substantial* articles - a heading and MIN_ARTICLE_CHARS of
their own text - of comparable size, and, when the page has no <article>
elements to say so, a date on each item and no sign that the page is one
article.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree, html as lxml_html

from . import html_meta
from .html_text import normalize

#: An article needs this many characters outside links and headings; the
#: teasers around a main article (a linked headline and a line or two) have less.
MIN_ARTICLE_CHARS = 200
#: A main article this many times longer than the next one is a single-article
#: page with teasers around it.
MAX_ARTICLE_RATIO = 6
#: The date of an item must be written this close to its start.
DATE_WINDOW = 400
HEADINGS = ("h1", "h2", "h3", "h4")
ITEM_TAGS = ("div", "li", "section")
#: Zones whose class says "links to other pages".
_TEASER_ZONE = re.compile(r"related|suggest|recommend|trending|teaser|more|next|popular|most-read|also|comment", re.I)
#: Reader comments are often <article>s with a heading and a date of their own.
_COMMENT = re.compile(r"comment|reply|reaction|reactie", re.I)
_NOT_CONTENT = {"nav", "aside", "footer", "header"}


@dataclass
class Article:
    heading: str
    element: object
    chars: int
    has_h1: bool = False


def find_articles(tree, page_type: str = "") -> list[Article]:
    """The articles of a multi-article page, in page order; [] for a single-article page."""
    articles = _comparable(_article_elements(tree))
    if articles or page_type == "article":
        return articles
    return _comparable(_listing_items(tree)) or _comparable(_dated_sections(tree))


def _in_content(el) -> bool:
    if _COMMENT.search(el.get("class") or ""):
        return False
    return not any(a.tag in _NOT_CONTENT or _TEASER_ZONE.search(a.get("class") or "") for a in el.iterancestors())


def _heading(el):
    return next(el.iter(*HEADINGS), None)


def _make(el, heading_el) -> Article | None:
    chars = own_chars(el)
    if chars < MIN_ARTICLE_CHARS:
        return None
    return Article(normalize(heading_el.text_content()), el, chars, next(el.iter("h1"), None) is not None)


def _article_elements(tree) -> list[Article]:
    found = []
    for el in tree.iter("article"):
        if any(a.tag == "article" for a in el.iterancestors()) or not _in_content(el):
            continue
        heading = _heading(el)
        article = _make(el, heading) if heading is not None else None
        if article:
            found.append(article)
    # The only article with the page's <h1> is the page's main article.
    with_h1 = [a for a in found if a.has_h1]
    if len(with_h1) == 1 and with_h1[0].chars == max(a.chars for a in found):
        return []
    return found


def _dated(el) -> bool:
    if next(el.iter("time"), None) is not None:
        return True
    return html_meta.find_date(normalize(" ".join(el.itertext()))[:DATE_WINDOW]) is not None


def _listing_items(tree) -> list[Article]:
    """Sibling blocks sharing a tag and class, each with a heading, text and a date."""
    best: list[Article] = []
    for parent in tree.iter(*ITEM_TAGS, "ul", "ol", "main", "body"):
        groups: dict[tuple, list] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag in ITEM_TAGS:
                groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
        if not any(len(members) > 1 for members in groups.values()) or not _in_content(parent):
            continue
        for members in groups.values():
            if len(members) < 2:
                continue
            items = []
            for el in members:
                heading = _heading(el)
                article = _make(el, heading) if heading is not None and _dated(el) else None
                if article:
                    items.append(article)
            # An item holding an <h1> is the page's main content, not one of a list.
            if len(items) >= 2 and len(items) > len(best) and not any(a.has_h1 for a in items):
                best = items
    return best


def _dated_sections(tree) -> list[Article]:
    """Runs of heading + paragraphs directly under one parent, each run dated."""
    best: list[Article] = []
    for parent in tree.iter("div", "section", "main", "body"):
        children = [c for c in parent if isinstance(c.tag, str)]
        levels = {c.tag for c in children if c.tag in HEADINGS[1:]}
        if not levels or not _in_content(parent):
            continue
        level = min(levels)  # split on the highest heading level present
        sections, current = [], None
        for child in children:
            if child.tag == level:
                current = lxml_html.Element("div")
                sections.append((child, current))
            if current is not None:
                current.append(copy.deepcopy(child))
        items = [a for a in (_make(sec, heading) for heading, sec in sections if _dated(sec)) if a]
        if len(items) >= 2 and len(items) == len(sections) and len(items) > len(best):
            best = items
    return best


def _comparable(articles: list[Article]) -> list[Article]:
    """Keep the list only if there are two or more and none dwarfs the rest."""
    if len(articles) < 2:
        return []
    sizes = sorted((a.chars for a in articles), reverse=True)
    return articles if sizes[0] <= MAX_ARTICLE_RATIO * sizes[1] else []


def own_chars(element) -> int:
    """Characters of text outside links and headings: what a teaser lacks."""
    total = inside = 0
    for event, el in etree.iterwalk(element, events=("start", "end")):
        marked = el.tag in ("a", *HEADINGS)
        if event == "start":
            inside += marked
            if not inside and el.text:
                total += len(el.text.strip())
        else:
            inside -= marked
            if el is not element and not inside and el.tail:
                total += len(el.tail.strip())
    return total
