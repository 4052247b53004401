"""The one document model used from extraction to indexing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

#: Languages the archive recognises; ``und`` means "not enough evidence".
LANGUAGES = ("fr", "nl", "en")
UNDETERMINED = "und"

#: Document types, in the order the interface lists them.
TYPES = ("press_release", "article", "report", "other")

VISIBILITIES = ("public", "internal")


@dataclass
class Passage:
    """A page of a paged document, or a paragraph-sized chunk of any other."""

    text: str
    page: int | None = None
    lang: str = UNDETERMINED

    def to_dict(self) -> dict[str, Any]:
        return {"page": self.page, "lang": self.lang, "text": self.text}


@dataclass
class Document:
    """One publication found in a file (a file may hold several, e.g. a news page).

    Extractors fill ``path``, ``format``, ``passages`` and whatever metadata the
    file itself states (``title``, ``date``, ``hints``); the pipeline then adds
    languages, projects, type, sidecar overrides and the stable ``id``.
    """

    path: str
    format: str
    passages: list[Passage] = field(default_factory=list)
    title: str = ""
    date: dt.date | None = None
    type: str = "other"
    projects: list[str] = field(default_factory=list)
    lang: str = UNDETERMINED
    langs: dict[str, float] = field(default_factory=dict)
    visibility: str = "public"
    id: str = ""
    #: The year the document is about when it differs from its date's year
    #: ("Rapport d'activités 2019", printed in 2020), or when there is no date.
    year_override: int | None = None
    #: Position of this document within its file (0 for single-document files).
    part: int = 0
    #: SHA-256 of the source file's bytes (plus its sidecar), set by the pipeline.
    content_hash: str = ""
    #: What the file says about itself, for the metadata step: ``html_lang``,
    #: ``type`` (e.g. from og:type), ``author``, ``pages`` ...
    hints: dict[str, Any] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        if self.year_override:
            return self.year_override
        return self.date.year if self.date else None

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.passages if p.text)

    def to_dict(self, full: bool = False) -> dict[str, Any]:
        """The JSON shape of ``archive extract --format json``.

        ``full`` adds the bookkeeping fields (part, content hash, hints) that the
        extraction cache needs to rebuild the document exactly.
        """
        data = {
            "id": self.id,
            "path": self.path,
            "format": self.format,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "year": self.year,
            "type": self.type,
            "projects": list(self.projects),
            "lang": self.lang,
            "langs": dict(self.langs),
            "visibility": self.visibility,
            "passages": [p.to_dict() for p in self.passages],
            "text": self.text,
        }
        if full:
            data.update(part=self.part, content_hash=self.content_hash, hints=self.hints, year_override=self.year_override)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        date = data.get("date")
        return cls(
            path=data["path"],
            format=data["format"],
            passages=[Passage(p["text"], p.get("page"), p.get("lang", UNDETERMINED)) for p in data.get("passages", [])],
            title=data.get("title") or "",
            date=dt.date.fromisoformat(date) if date else None,
            type=data.get("type") or "other",
            projects=list(data.get("projects") or []),
            lang=data.get("lang") or UNDETERMINED,
            langs=dict(data.get("langs") or {}),
            visibility=data.get("visibility") or "public",
            id=data.get("id") or "",
            part=int(data.get("part") or 0),
            year_override=data.get("year_override"),
            content_hash=data.get("content_hash") or "",
            hints=dict(data.get("hints") or {}),
        )
