"""Small text helpers shared by the extractors: decoding, cleaning, chunking, folding."""

from __future__ import annotations

import codecs
import re
import unicodedata

#: Passages are about this long: long enough to rank well, short enough to point
#: a reader to the right place.
PASSAGE_CHARS = 1500


class LazyRegex:
    """A regular expression compiled when first used, not when its module is imported: a process
    that imports a module for one function (``archive search`` reads project names through
    :mod:`archive.metadata`) does not compile the patterns of the others. After the first use its
    methods are plain attributes, as fast to call as the compiled pattern's."""

    _METHODS = ("search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split", "scanner")

    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for method in self._METHODS:
            setattr(self, method, getattr(compiled, method))
        self.pattern, self.flags, self.groups, self.groupindex = compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex
        return getattr(compiled, name)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode file bytes: BOM first, then the declared charset, then UTF-8, then cp1252.

    cp1252 is the last resort because every byte sequence decodes in it, and it
    is what Belgian office software wrote before UTF-8 (it is a superset of
    ISO-8859-1 for printable characters).
    """
    return _decoded(data, declared)[0]


def text_encoding(data: bytes, declared: str | None = None) -> str:
    """The codec :func:`decode_bytes` reads ``data`` with."""
    return _decoded(data, declared)[1]


def _decoded(data: bytes, declared: str | None) -> tuple[str, str]:
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    for name in ([_normalise_charset(declared)] if declared else []) + ["utf-8"]:
        try:
            return data.decode(name), name
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", errors="replace"), "cp1252"


def _normalise_charset(name: str) -> str:
    name = name.strip().lower()
    # Browsers read pages labelled Latin-1 as windows-1252; so do we.
    return "cp1252" if name in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"} else name


def looks_binary(data: bytes) -> bool:
    """True for data that is clearly not text (NUL bytes or mostly control bytes)."""
    head = data[:4096]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head) > 0.05


def clean(text: str) -> str:
    """Drop control and zero-width characters, unify spaces, trim each line."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines).strip()


def paragraphs(text: str) -> list[str]:
    """Split cleaned text into paragraphs on blank lines; lines inside a paragraph are joined."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        block = " ".join(line.strip() for line in block.split("\n") if line.strip())
        if block:
            out.append(block)
    return out


def chunk_paragraphs(paras: list[str], size: int = PASSAGE_CHARS) -> list[str]:
    """Group consecutive paragraphs into chunks of about ``size`` characters.

    A paragraph longer than ``size`` is cut at sentence ends so that a passage
    never becomes a wall of text with a snippet lost somewhere inside.
    """
    pieces: list[str] = []
    for para in paras:
        pieces.extend(_split_long(para, size) if len(para) > size else [para])
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for piece in pieces:
        if current and length + len(piece) > size:
            chunks.append("\n\n".join(current))
            current, length = [], 0
        current.append(piece)
        length += len(piece) + 2
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def _split_long(para: str, size: int) -> list[str]:
    sentences = re.split(r"(?<=[.!?…])\s+", para)
    out: list[str] = []
    current = ""
    for sentence in sentences:
        while len(sentence) > size:  # no sentence end at all: cut at a space
            cut = sentence.rfind(" ", 0, size)
            cut = cut if cut > size // 2 else size
            out.append((current + " " + sentence[:cut]).strip())
            current, sentence = "", sentence[cut:].strip()
        if current and len(current) + len(sentence) + 1 > size:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        out.append(current)
    return out


def fold(text: str, lower: bool = True) -> str:
    """Strip accents (é->e, œ->oe, ß->ss) and, unless told otherwise, lowercase."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded.lower() if lower else folded


def first_line_title(text: str, max_chars: int = 200) -> str:
    """The first non-empty line, if it is short enough to be a title."""
    for line in text.split("\n"):
        line = line.strip().strip("#").strip()
        if line:
            return line if len(line) <= max_chars else ""
    return ""
