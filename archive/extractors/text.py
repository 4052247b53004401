"""Plain text and Markdown: the first line is the title, paragraphs become passages."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ExtractionError
from ..model import Document, Passage
from ..options import ExtractOptions
from ..textutil import chunk_paragraphs, clean, decode_bytes, first_line_title, looks_binary, paragraphs

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)
# The text between two marks may not hold the mark itself, so a scan from an opening
# mark stops at the next one: a line full of unpaired marks ("*a *a *a ...") stays
# linear. (A plain ``(.+?)\1`` rescanned the rest of the line from every mark:
# 300 kB of them took more than the five-minute time limit.) Double marks first.
_MD_EMPHASIS = (
    re.compile(r"(\*\*|__)(?=\S)((?:(?!\1).)+?)(?<=\S)\1"),
    re.compile(r"([*_`])(?=\S)((?:(?!\1).)+?)(?<=\S)\1"),
)
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_MD_QUOTE = re.compile(r"^\s*>\s?", re.M)
_MD_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$", re.M)
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def strip_markdown(text: str) -> tuple[str, dict[str, str]]:
    """Markdown to plain text, keeping the words; returns front matter ``key: value`` pairs too."""
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group(1).split("\n"):
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[match.end():]
    text = _MD_RULE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_LIST.sub("", text)
    for _ in range(2):  # nested emphasis such as ***word***
        for pattern in _MD_EMPHASIS:
            text = pattern.sub(r"\2", text)
    return text, meta


def extract(path: Path, data: bytes, options: ExtractOptions) -> list[Document]:
    if not data.strip():
        raise ExtractionError("empty file")
    if looks_binary(data):
        raise ExtractionError("not a text file: looks like binary data")
    text = decode_bytes(data)[: options.max_text_chars]
    is_markdown = path.suffix.lower() in (".md", ".markdown")
    meta: dict[str, str] = {}
    if is_markdown:
        text, meta = strip_markdown(text)
    text = clean(text)
    paras = paragraphs(text)
    if not paras:
        raise ExtractionError("no text found")
    title = meta.get("title") or first_line_title(text)
    doc = Document(
        path=str(path),
        format="markdown" if is_markdown else "text",
        passages=[Passage(chunk) for chunk in chunk_paragraphs(paras)],
        title=title,
    )
    if meta.get("date"):
        doc.hints["date"] = meta["date"]
    for key in ("type", "lang", "author"):
        if meta.get(key):
            doc.hints[key] = meta[key]
    return [doc]
