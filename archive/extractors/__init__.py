"""One extractor per format, behind a small registry.

An extractor is a function ``(path, data, options) -> list[Document]``. It fills
in the text (as passages, with page numbers where the format has pages) and the
metadata the file states about itself; it raises :class:`ExtractionError` with a
short reason when the file cannot be read, never returns ``None``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import ExtractionError
from ..model import Document
from ..options import ExtractOptions

ExtractFunc = Callable[[Path, bytes, ExtractOptions], "list[Document]"]


@dataclass(frozen=True)
class Extractor:
    format: str
    extensions: tuple[str, ...]
    module: str  # imported lazily: the PDF and HTML stacks are slow to import

    def __call__(self, path: Path, data: bytes, options: ExtractOptions) -> list[Document]:
        func: ExtractFunc = importlib.import_module(self.module, __name__).extract
        return func(path, data, options)


_REGISTRY: dict[str, Extractor] = {}


def register(extractor: Extractor) -> None:
    for ext in extractor.extensions:
        _REGISTRY[ext] = extractor


register(Extractor("html", (".html", ".htm", ".xhtml"), ".html"))
register(Extractor("pdf", (".pdf",), ".pdf"))
register(Extractor("text", (".txt", ".text"), ".text"))
register(Extractor("markdown", (".md", ".markdown"), ".text"))
register(Extractor("docx", (".docx",), ".docx"))


def supported_extensions() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in _REGISTRY


def extractor_for(path: Path) -> Extractor:
    try:
        return _REGISTRY[path.suffix.lower()]
    except KeyError:
        known = ", ".join(supported_extensions())
        raise ExtractionError(f"unsupported file type {path.suffix or '(none)'!r} (supported: {known})") from None
