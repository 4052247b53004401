"""Cross-language expansion: a query in one language also looks for the glossary's translations.

The glossary is a TSV file (``corpus/glossary.tsv``): a header ``en fr nl`` and
one concept per row; a cell may hold several synonyms separated by ``|``.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

from archive.textutil import fold

from .errors import QueryError

_WORD = re.compile(r"\w+")


class Glossary:
    def __init__(self, concepts: list[list[str]]):
        self.concepts = concepts
        # folded phrase (tuple of words) -> concept index; longest phrases are tried first
        self._index: dict[tuple[str, ...], int] = {}
        for i, terms in enumerate(concepts):
            for term in terms:
                words = tuple(_WORD.findall(fold(term)))
                if words:
                    self._index.setdefault(words, i)
        self._longest = max((len(k) for k in self._index), default=0)

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh, delimiter="\t"))
        except OSError as exc:
            raise QueryError(f"{path}: cannot read the glossary: {exc}") from exc
        concepts = []
        for row in rows[1:]:
            terms = [t.strip() for cell in row for t in cell.split("|") if t.strip()]
            if len(terms) > 1:
                concepts.append(terms)
        return cls(concepts)

    def expand(self, query: str) -> str:
        """The query with each glossary phrase replaced by (phrase OR "translation" ...).

        Quoted phrases and field:value parts are left as the user wrote them.
        """
        words = [(m.start(), m.end(), fold(m.group(0))) for m in _WORD.finditer(query)]
        protected = _protected_spans(query)
        out, pos, i = [], 0, 0
        while i < len(words):
            match = None
            for n in range(min(self._longest, len(words) - i), 0, -1):
                key = tuple(w[2] for w in words[i:i + n])
                if key in self._index and not any(s <= words[i][0] < e for s, e in protected):
                    match = (n, self._index[key])
                    break
            if match is None:
                i += 1
                continue
            n, concept = match
            start, end = words[i][0], words[i + n - 1][1]
            original = query[start:end]
            seen = {fold(original)}
            alternatives = []
            for term in self.concepts[concept]:
                if fold(term) not in seen:
                    seen.add(fold(term))
                    alternatives.append(f'"{term}"' if " " in term else term)
            out.append(query[pos:start])
            out.append("(" + " OR ".join([original if n == 1 else f'"{original}"', *alternatives]) + ")")
            pos = end
            i += n
        out.append(query[pos:])
        return "".join(out)


def _protected_spans(query: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in re.finditer(r'"[^"]*"', query)]
    spans += [(m.start(), m.end()) for m in re.finditer(r"\w+:\S+", query)]
    return spans


def find_glossary(explicit: Path | None = None) -> Path | None:
    """The glossary given, else ``$ARCHIVE_GLOSSARY``, else the bundled ``corpus/glossary.tsv``."""
    if explicit:
        return explicit
    env = os.environ.get("ARCHIVE_GLOSSARY")
    if env:
        return Path(env)
    bundled = Path(__file__).resolve().parent.parent / "corpus" / "glossary.tsv"
    return bundled if bundled.is_file() else None
