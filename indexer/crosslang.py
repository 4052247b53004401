"""Cross-language search: each query word also looks for its translations in the other two languages.

Two sources, tried in this order for each run of the query's words:

1. the organisation's glossary (``corpus/glossary.tsv``): its own terms, phrases
   included, trusted (weight :data:`~indexer.glossary.GLOSSARY_WEIGHT`);
2. a general bilingual dictionary (FreeDict, :mod:`indexer.dictionary`), for every
   other word, from the language the query is written in (detected), weighted by
   the dictionary's confidence and kept below the user's own word, since a
   dictionary gives every sense of a word ("traite" is also a bank draft).

A word without a translation stays an optional word, so a query still reaches
documents in the other languages through the words that do translate.
"""

from __future__ import annotations

import logging
import threading

from . import query as tree
from .glossary import Glossary, translation_node
from .translation import Translated, Translation, is_function_word

logger = logging.getLogger(__name__)

LANGUAGES = ("fr", "nl", "en")
#: A translation from the dictionary counts this much of its confidence beside the user's word.
DICTIONARY_WEIGHT = 0.5
#: Translations kept per word and language: the first, and others this confident.
MAX_TRANSLATIONS = 3
MIN_CONFIDENCE = 0.6
#: Source languages below this probability for the query are not looked up.
MIN_LANGUAGE = 0.2


class CrossLanguage:
    """The glossary and the dictionary; the dictionary is loaded on first use (it may take seconds
    the first time on a machine, then comes from a cache)."""

    def __init__(self, glossary: Glossary | None, dictionary_loader=None, glossary_loader=None):
        """``glossary_loader``: returns the glossary, called on the first cross-language search
        (a plain search never reads it)."""
        self._glossary = glossary
        self._glossary_loader = glossary_loader if glossary is None else None
        self._loader = dictionary_loader
        self._dictionary = None
        self._lock = threading.Lock()

    @property
    def glossary(self) -> Glossary | None:
        if self._glossary_loader is not None:
            with self._lock:
                if self._glossary_loader is not None:
                    self._glossary, self._glossary_loader = self._glossary_loader(), None
        return self._glossary

    @property
    def available(self) -> bool:
        return self._glossary is not None or self._glossary_loader is not None or self._loader is not None

    def dictionary(self):
        if self._loader is None:
            return None
        with self._lock:
            if self._dictionary is None:
                try:
                    self._dictionary = self._loader()
                except Exception:  # a broken dictionary must not break searching
                    logger.exception("the bilingual dictionary could not be loaded; cross-language search uses the glossary only")
                    self._loader = None
                    return None
            return self._dictionary if self._dictionary.available() else None

    def translate(self, group: tree.Group, text: str) -> tuple[tree.Group, str | None]:
        """The query with translations added, and a line saying what was added (None: nothing)."""
        labels = []
        if self.glossary is not None:
            group, label = self.glossary.translate(group)
            if label:
                labels.append(label)
        dictionary = self.dictionary()
        if dictionary is not None:
            group, label = self._from_dictionary(group, text, dictionary)
            if label:
                labels.append(label)
        return group, ("; ".join(labels) or None)

    def _from_dictionary(self, group: tree.Group, text: str, dictionary) -> tuple[tree.Group, str | None]:
        from archive.language import probabilities  # the language models: only for this

        sources = {lang: p for lang, p in probabilities(text).items() if lang in LANGUAGES and p >= MIN_LANGUAGE}
        clauses = list(group.clauses)
        labels = []
        for i, c in enumerate(clauses):
            node = c.node
            if c.occur == tree.MUST_NOT or not isinstance(node, tree.Term) or node.field or node.prefix or node.fuzzy:
                continue
            if is_function_word(node.text):
                continue
            found: dict[str, float] = {}
            for src, p in sources.items():
                for dst in LANGUAGES:
                    if dst == src:
                        continue
                    for rank, (term, weight) in enumerate(dictionary.translate(node.text, src, dst)):
                        if rank >= MAX_TRANSLATIONS or (rank and weight < MIN_CONFIDENCE):
                            break
                        term = term.lower()
                        if term != node.text.lower():
                            found[term] = max(found.get(term, 0.0), weight * p)
            nodes = [(n, DICTIONARY_WEIGHT * w) for term, w in found.items() if (n := translation_node(term)) is not None]
            if not nodes:
                continue
            shown = ", ".join(found)
            clauses[i] = tree.Clause(c.occur, Translated(node, Translation(nodes, shown)))
            labels.append(f"{node.text} = {shown}")
        return (tree.Group(tuple(clauses)) if labels else group), ("; ".join(labels) or None)


def dictionary_loader():
    """A loader of the bilingual dictionary when its files are installed, else None (every
    engine uses it; the dictionary itself is read on the first cross-language search)."""
    from .dictionary import default_folder  # cheap: its heavy imports are made on loading

    folder = default_folder()
    if not any(folder.glob("freedict-*.index")):
        return None

    def load():
        from .dictionary import Dictionary

        return Dictionary.load(folder)

    return load
