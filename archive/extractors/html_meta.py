"""What an HTML page says about itself: title, publication date, author, type, language.

Read from the parsed tree *before* boilerplate is removed, because the best
evidence (meta tags, JSON-LD, breadcrumbs) lives in the parts that are cut.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from lxml import etree

from ..dates import find_date, parse_date

#: Meta names/properties holding the publication date, most trusted first.
DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "datepublished", "article.published", "pdate", "ptime", "published_time", "publication_date",
    "publish_date", "publish-date", "pubdate", "parsely-pub-date", "sailthru.date",
    "dcterms.issued", "dc.date.issued", "dc.date", "dcterms.date", "dcterms.created",
    "dc.date.created", "citation_publication_date", "citation_date", "date",
)
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author",
               "sailthru.author", "byl", "citation_author")
TITLE_KEYS = ("og:title", "twitter:title", "dc.title", "parsely-title")
SITE_KEYS = ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher")

ARTICLE_LD_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle",
                    "analysisnewsarticle", "opinionnewsarticle", "backgroundnewsarticle",
                    "scholarlyarticle", "techarticle", "liveblogposting"}
PRESS_RELEASE = re.compile(r"communiqu[ée]s? de presse|persberichte?n?|perscommuniqu[ée]|press[ -]releases?", re.I)
PRESS_RELEASE_URL = re.compile(r"press[-_]?release|communique|persbericht|perscommunique", re.I)

#: Separators between a headline and the site name in <title>. Not ":" -
#: French titles write " : " inside the headline itself.
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—·•]|::|\|\|)\s+")
#: A trailing title segment this short (words) reads as a site or section name.
SITE_SUFFIX_MAX_WORDS = 4


@dataclass
class PageMeta:
    title: str = ""
    date: dt.date | None = None
    author: str = ""
    type: str = ""
    lang: str = ""
    description: str = ""
    site_names: list[str] = field(default_factory=list)


def squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _meta_map(tree) -> dict[str, list[str]]:
    """Meta tag values by every key they carry (one tag may say property, name and itemprop)."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        value = (meta.get("content") or "").strip()
        if not value:
            continue
        keys = " ".join(meta.get(attr) or "" for attr in ("property", "name", "http-equiv")).split()
        keys += (meta.get("itemprop") or "").split()
        for key in dict.fromkeys(k.lower() for k in keys):
            found.setdefault(key, []).append(value)
    return found


def _json_ld(tree) -> list[dict]:
    """Every JSON-LD object on the page, flattening lists and ``@graph``."""
    objects: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue  # broken JSON-LD is common; the meta tags usually say the same
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                objects.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))
    return objects


def _ld_types(obj: dict) -> set[str]:
    kind = obj.get("@type") or []
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _ld_names(value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip() and not name.startswith("http"):
            names.append(squash(name))
    return names


def clean_title(raw: str, site_names: list[str] = (), headline: str = "") -> str:
    """Drop " | Site name" (and " - Section | Site") tails from a <title>-like string."""
    title = squash(raw)
    headline = squash(headline)
    # The page's own <h1> is the cleanest form when the title merely extends it.
    if headline and len(headline) >= 0.4 * len(title) and title.lower().startswith(headline.lower()):
        return headline
    sites = {squash(s).lower() for s in site_names if s}
    cuts = [m.start() for m in _TITLE_SEPARATORS.finditer(title)]
    end = len(title)
    for cut in reversed(cuts):
        tail, head = title[cut:end], title[:cut]
        tail = _TITLE_SEPARATORS.sub("", tail, count=1).strip()
        tail_words, head_words = len(tail.split()), len(head.split())
        short_tail = tail_words <= SITE_SUFFIX_MAX_WORDS and head_words >= 3 and head_words > tail_words
        if tail.lower() in sites or short_tail:
            end = cut
        else:
            break
    return title[:end].strip()


def _first_h1(tree) -> str:
    for h1 in tree.iter("h1"):
        text = squash(h1.text_content())
        if text:
            return text
    return ""


def _time_date(tree) -> dt.date | None:
    """A <time> that marks publication, else the first one inside the main article."""
    times = list(tree.iter("time"))
    marked = [t for t in times if t.get("pubdate") is not None or (t.get("itemprop") or "").lower() == "datepublished"]
    scope = [t for t in times if any(a.tag in ("article", "main") for a in t.iterancestors())]
    for candidate in marked + scope:
        date = parse_date(candidate.get("datetime") or candidate.text_content())
        if date:
            return date
    return None


_URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?:/|$)")


def _url_date(metas: dict[str, list[str]], tree) -> dt.date | None:
    """News URLs often carry the publication date: /2019/11/18/..."""
    for url in _page_urls(metas, tree):
        match = _URL_DATE.search(url)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                continue
    return None


_DATE_CLASS = re.compile(r"date|time|byline|published|posted|datum|meta", re.I)


def _visible_date(tree) -> dt.date | None:
    """A date in a byline-like element ("Publié le 6 novembre 2019") of the main article if known."""
    scope = next(tree.iter("article", "main"), None)
    scope = tree if scope is None else scope
    for el in scope.iter("span", "div", "p", "time", "small", "li"):
        if _DATE_CLASS.search((el.get("class") or "") + " " + (el.get("id") or "")):
            text = el.text_content()
            if len(text) < 200:
                date = find_date(text)
                if date:
                    return date
    return None


def html_lang_value(value: str | None) -> str:
    """Primary language subtag of a language tag: ``fr-BE`` -> ``fr``."""
    return re.split(r"[-_,;\s]", value.strip().lower())[0] if value and value.strip() else ""


def html_lang(tree, metas: dict[str, list[str]] | None = None) -> str:
    """Language of <html lang> (or xml:lang), else of a Content-Language meta tag."""
    root = tree.getroottree().getroot()
    value = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or root.get("xml:lang")
    if not value and metas:
        value = (metas.get("content-language") or [""])[0]
    return html_lang_value(value)


def page_meta(tree) -> PageMeta:
    metas = _meta_map(tree)
    ld = _json_ld(tree)
    ld_article = next((o for o in ld if _ld_types(o) & (ARTICLE_LD_TYPES | {"report", "pressrelease"})), {})
    meta = PageMeta(lang=html_lang(tree, metas))
    meta.site_names = [v for k in SITE_KEYS for v in metas.get(k, [])]
    meta.description = squash(next((v for k in ("og:description", "description", "twitter:description")
                                    for v in metas.get(k, [])), ""))
    title_el = tree.find(".//title")
    raw_title = title_el.text or "" if title_el is not None else ""
    meta.title = _title(tree, metas, ld_article, raw_title, meta.site_names)
    meta.date = (_meta_date(metas, ld) or _time_date(tree) or _url_date(metas, tree) or _visible_date(tree)
                 or find_date(raw_title))  # "... | DW | 23.05.2011"
    meta.author = _author(metas, ld_article)
    meta.type = page_type(tree, metas, ld, f"{meta.title} | {squash(raw_title)}")
    return meta


def _title(tree, metas: dict[str, list[str]], ld_article: dict, raw_title: str, site_names: list[str]) -> str:
    h1 = _first_h1(tree)
    raw = [v for k in TITLE_KEYS for v in metas.get(k, [])]
    if isinstance(ld_article.get("headline"), str):
        raw.append(ld_article["headline"])
    raw.append(raw_title)
    sites = {squash(s).lower() for s in site_names}
    cleaned = [t for t in (clean_title(r, site_names, h1) for r in raw) if t and t.lower() not in sites]
    # The visible <h1> wins when some metadata agrees with it (og:title is
    # sometimes a different, social-media headline); alone it may be a logo.
    if h1 and any(t.lower() == h1.lower() for t in cleaned):
        return h1
    return (cleaned or [h1])[0]


def _meta_date(metas: dict[str, list[str]], ld: list[dict]) -> dt.date | None:
    for key in DATE_KEYS:
        for value in metas.get(key, []):
            date = parse_date(value)
            if date:
                return date
    for obj in ld:
        for key in ("datePublished", "dateCreated"):
            date = parse_date(obj[key]) if isinstance(obj.get(key), str) else None
            if date:
                return date
    return None


def _author(metas: dict[str, list[str]], ld_article: dict) -> str:
    authors = [v for k in AUTHOR_KEYS for v in metas.get(k, [])
               if not v.startswith("http") and v.lower() not in ("no author", "unknown", "admin")]
    authors = authors or _ld_names(ld_article.get("author"))
    authors = [re.sub(r"^(by|par|door)\s+", "", a, flags=re.I) for a in authors]
    return ", ".join(dict.fromkeys(a for a in authors if a))


def _page_urls(metas: dict[str, list[str]], tree) -> list[str]:
    return metas.get("og:url", []) + [link.get("href") or "" for link in tree.iter("link")
                                      if (link.get("rel") or "").lower() == "canonical"]


def page_type(tree, metas: dict[str, list[str]], ld: list[dict], title: str) -> str:
    """``press_release``, ``report`` or ``article`` when the page says so, else ""."""
    kinds = set().union(*(_ld_types(o) for o in ld)) if ld else set()
    crumbs = " ".join(squash(el.text_content()) for el in tree.iter("nav", "ol", "ul", "div")
                      if "breadcrumb" in (el.get("class") or "").lower())[:500]
    if ("pressrelease" in kinds or any(PRESS_RELEASE_URL.search(u) for u in _page_urls(metas, tree))
            or PRESS_RELEASE.search(title) or PRESS_RELEASE.search(crumbs)):
        return "press_release"
    if "report" in kinds:
        return "report"
    og_type = (metas.get("og:type") or [""])[0].lower()
    if kinds & ARTICLE_LD_TYPES or og_type.startswith("article"):
        return "article"
    return ""


def element_type(text: str) -> str:
    """Type evidence in a stretch of text (the head of one article of a listing)."""
    return "press_release" if PRESS_RELEASE.search(text[:300]) else ""


def element_date(element) -> dt.date | None:
    """The date of one article of a listing: its own <time>, else a date written near its top."""
    for time in element.iter("time"):
        date = parse_date(time.get("datetime") or time.text_content())
        if date:
            return date
    text = squash(" ".join(etree.ElementTextIterator(element)))
    return find_date(text[:400])
