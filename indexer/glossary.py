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
from indexer.analysis import indexed_forms

from . import query as tree
from .errors import QueryError

_WORD = re.compile(r"\w+")


#: How much a translation's score counts beside the word the user typed.
GLOSSARY_WEIGHT = 0.8


class Glossary:
    """Concepts, each a list of (language, term) pairs; matched on analysed forms, so that
    "enfant", "Enfants" and "l'enfant" all meet the glossary's "enfants"."""

    def __init__(self, concepts: list[list[tuple[str, str]]]):
        self.concepts = concepts
        # (language, analysed content words) -> concept index
        self._index: dict[tuple[str, tuple[str, ...]], int] = {}
        for i, terms in enumerate(concepts):
            for lang, term in terms:
                key = _key(term, lang)
                if key:
                    self._index.setdefault((lang, key), i)
        self._longest = max((len(k) for _, k in self._index), default=0)

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh, delimiter="\t"))
        except OSError as exc:
            raise QueryError(f"{path}: cannot read the glossary: {exc}") from exc
        header = [h.strip().lower() for h in rows[0]] if rows else []
        concepts = []
        for row in rows[1:]:
            terms = [(header[i] if i < len(header) else "und", t.strip())
                     for i, cell in enumerate(row) for t in cell.split("|") if t.strip()]
            if len(terms) > 1:
                concepts.append(terms)
        return cls(concepts)

    def concept_at(self, words: list[str]) -> tuple[int, int] | None:
        """The longest glossary term starting the list of content ``words``: (words used, concept)."""
        for n in range(min(self._longest, len(words)), 0, -1):
            for lang in ("fr", "nl", "en"):
                key = _key(" ".join(words[:n]), lang)
                if key and len(key) == n and (lang, key) in self._index:
                    return n, self._index[(lang, key)]
        return None

    def translate(self, group: tree.Group) -> tuple[tree.Group, str | None]:
        """The query with each glossary term joined by its translations (as alternatives that
        satisfy the same words), and a line saying what was added; unchanged when nothing matched."""
        from .translation import Translated, Translation, is_function_word

        clauses = list(group.clauses)
        # Plain words of the top level, in order, function words left out.
        rows = [i for i, c in enumerate(clauses) if c.occur != tree.MUST_NOT and isinstance(c.node, tree.Term)
                and not c.node.field and not c.node.prefix and not c.node.fuzzy and not is_function_word(c.node.text)]
        words = [clauses[i].node.text for i in rows]
        labels = []
        i = 0
        while i < len(rows):
            found = self.concept_at(words[i:])
            if found is None:
                i += 1
                continue
            n, concept = found
            used = {fold(w.lower()) for w in words[i:i + n]}
            nodes, shown = [], []
            for lang, term in self.concepts[concept]:
                if _key(term, lang) == tuple(_key(" ".join(words[i:i + n]), lang) or ()):
                    continue  # what the user typed, in another inflection
                node = translation_node(term)
                if node is not None and fold(term.lower()) not in used:
                    nodes.append((node, GLOSSARY_WEIGHT))
                    shown.append(term)
            if nodes:
                translation = Translation(nodes, ", ".join(shown))
                for row in rows[i:i + n]:
                    clauses[row] = tree.Clause(clauses[row].occur, Translated(clauses[row].node, translation))
                labels.append(f"{' '.join(words[i:i + n])} = {translation.label}")
            i += n
        if not labels:
            return group, None
        return tree.Group(tuple(clauses)), "; ".join(labels)


def _key(term: str, lang: str) -> tuple[str, ...] | None:
    """A term's content words as the analyser of ``lang`` indexes them (stop words left out)."""
    words = _WORD.findall(term)
    if not words or lang not in ("fr", "nl", "en"):
        return None
    forms = indexed_forms(words, lang)
    return tuple(forms[w] for w in words if forms[w])


def translation_node(term: str):
    """A translation as a query node: one word, or its content words together in one passage."""
    from .translation import is_function_word

    words = [w for w in _WORD.findall(term) if not is_function_word(w)]
    if not words:
        return None
    if len(words) == 1:
        return tree.Term(words[0])
    return tree.Group(tuple(tree.Clause(tree.MUST, tree.Term(w)) for w in words))


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
