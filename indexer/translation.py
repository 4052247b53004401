"""Rewrites of the query tree that every engine shares: function words, project names and
translations added as alternatives (cross-language search).

A word of the query that a glossary, a dictionary or the project vocabulary explains
becomes a :class:`Translated` node: the word itself or any of its alternatives
satisfies it, each alternative weighted below the word the user typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.textutil import fold

from . import query as tree
from .analysis import stop_words

FUNCTION_WORDS = stop_words("fr") | stop_words("nl") | stop_words("en")


def is_function_word(word: str) -> bool:
    return fold(word.lower()) in FUNCTION_WORDS


@dataclass
class Translation:
    """What a word or phrase of the query also stands for in the other languages."""

    nodes: list[tuple[object, float]]  # (query node, weight)
    label: str


@dataclass(frozen=True)
class ProjectMention:
    """The documents of a project whose name the query spells."""

    project: str


def mention_projects(group: tree.Group, spellings, visible: set[str] | None = None) -> tuple[tree.Group, list[str]]:
    """The query with each run of plain words that spells a project's name (see
    :mod:`indexer.projects`) also matching that project's documents, and each run of
    ``title:`` words that spells one also matching the titles that spell it another way
    ("title:declic" finds "(Dé)clic"); and the ids found.
    ``visible``: the projects the requester may see (None: all)."""
    clauses = list(group.clauses)
    found = []
    for field in (None, "title"):
        rows = [i for i, c in enumerate(group.clauses) if c.occur != tree.MUST_NOT and _plain(c.node, field)]
        words, owner = [], []
        for i in rows:
            node = group.clauses[i].node
            for w in (node.words if isinstance(node, tree.Phrase) else (node.text,)):
                words.append(w)
                owner.append(i)
        for start, n, pid in spellings.find(words):
            if visible is not None and pid not in visible:
                continue
            found.append(pid)
            if field is None:
                nodes = [(ProjectMention(pid), 1.0)]
            else:
                nodes = [(node, 1.0) for name in spellings.spelled.get(pid, ()) if (node := _spelled(name, field))]
            translation = Translation(nodes, f"project {spellings.names.get(pid, pid)}")
            for i in dict.fromkeys(owner[start:start + n]):
                c = clauses[i]
                if not is_function_clause(c.node):
                    clauses[i] = tree.Clause(c.occur, Translated(c.node, translation))
    return (tree.Group(tuple(clauses)) if found else group), found


_WORDS = re.compile(r"\w+")


def _spelled(name: str, field: str):
    """A project's name as a query node in ``field`` (None when it has no word)."""
    words = tuple(_WORDS.findall(name))
    if not words:
        return None
    return tree.Term(words[0], field) if len(words) == 1 else tree.Phrase(words, field)


def simplify(group: tree.Group) -> tree.Group:
    """Words written with inner punctuation that hold one content word ("l'oubli") become that word."""
    clauses = []
    for c in group.clauses:
        node = c.node
        if isinstance(node, tree.Phrase) and not node.quoted:
            kept = [w for w in node.words if not is_function_word(w)]
            if len(kept) == 1:
                node = tree.Term(kept[0], node.field)
        clauses.append(tree.Clause(c.occur, node))
    return tree.Group(tuple(clauses))


def _plain(node, field: str | None = None) -> bool:
    """A word (or words joined by punctuation) as typed, in ``field`` (None: every text field)."""
    if isinstance(node, tree.Term):
        return node.field == field and not node.prefix and not node.fuzzy
    return isinstance(node, tree.Phrase) and not node.quoted and node.field == field


@dataclass(frozen=True)
class Translated:
    """A query word (or words) together with its translations (cross-language search)."""

    original: object
    translation: Translation


def is_function_clause(node) -> bool:
    if isinstance(node, tree.Term):
        return not node.field and not node.prefix and not node.fuzzy and is_function_word(node.text)
    if isinstance(node, tree.Phrase) and not node.quoted:
        return all(is_function_word(w) for w in node.words)
    return False


@dataclass
class Prepared:
    """A request made ready for an engine: the parsed text (for its notices), the tree to run
    (project names and translations added), the line saying what was added, and the request
    with its project filter values resolved to ids."""

    parsed: tree.Parsed
    group: tree.Group
    expanded: str | None
    request: object


def prepare(request, spellings, visible: set[str] | None, crosslang) -> Prepared:
    """What every engine does to a request before translating it: parse the text, add the
    projects it names (only those in ``visible``, None: all), the translations when
    ``request.cross_language``, and resolve ``--project`` names (an unknown one is an error)."""
    import dataclasses

    parsed = tree.parse(request.query)
    group, _ = mention_projects(simplify(parsed.query), spellings, visible)
    expanded = None
    if request.cross_language and crosslang.available:
        group, expanded = crosslang.translate(group, request.query)
    if request.projects:
        request = dataclasses.replace(request, projects=tuple(spellings.resolve(p, visible) for p in request.projects))
    return Prepared(parsed, group, expanded, request)
