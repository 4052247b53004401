"""The archive's query language, parsed once into a small engine-neutral tree.

    words               optional words: the more a document has, the better it ranks
    "a phrase"~N        the words in this order (within N positions with ~N)
    +word, a AND b      required
    -word, NOT word     excluded (from the whole document)
    a OR b              either
    prefix*  fuzzy~  fuzzy~1
    (group)             nested query
    title:word  exact:word (no stemming)  lang:fr  year:2019  project:alert  type:report
    -"a phrase"  title:"a phrase"  project:"Je dis STOP"  title:(a OR b)
                        a sign or a field written right before a quote or a group applies to it

Operators are upper case; ``and``, ``or`` and ``not`` in lower case are words.
What cannot be understood is never searched as a word: a dangling operator or an
empty ``field:`` is dropped with a notice, and a query left with nothing to
search for is a :class:`~indexer.errors.QueryError`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from .errors import QueryError

#: Fields a user may name, mapped to the archive's field names.
TEXT_FIELDS = {"title": "title", "text": "exact", "exact": "exact"}
FILTER_FIELDS = {"lang": "lang", "language": "lang", "year": "year", "project": "project", "projects": "project", "type": "type"}
MUST, SHOULD, MUST_NOT = "must", "should", "must_not"


@dataclass(frozen=True)
class Term:
    """One word. ``field``: None (every text field, stemmed), "title" or "exact"."""

    text: str
    field: str | None = None
    prefix: bool = False
    fuzzy: int = 0


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    field: str | None = None
    slop: int = 1
    #: False for a word with inner punctuation ("l'enfant"): its function words may be dropped.
    quoted: bool = True


@dataclass(frozen=True)
class Filter:
    """``lang:fr``, ``year:2019``, ``project:alert``, ``type:report`` written in the query."""

    name: str
    value: str


@dataclass(frozen=True)
class AnyOf:
    """``a OR b``: either; scores add up where both match."""

    children: tuple


@dataclass(frozen=True)
class Clause:
    occur: str  # MUST, SHOULD or MUST_NOT
    node: object


@dataclass(frozen=True)
class Group:
    """A list of clauses: the top of every query and each parenthesised part."""

    clauses: tuple[Clause, ...] = ()

    def of(self, occur: str) -> list:
        return [c.node for c in self.clauses if c.occur == occur]

    @property
    def everything(self) -> bool:
        """Matches every document (the empty query, ``*``, or only exclusions)."""
        return not self.of(MUST) and not self.of(SHOULD)


#: What each notice says, in English (the web page has them in French and Dutch too, as "notice_KEY").
NOTICE_TEXT = {
    "unmatched_paren": "ignored an unmatched ')'",
    "unclosed_quote": "closed an unclosed quote",
    "unclosed_paren": "closed an unclosed '('",
    "nothing_before": "ignored {operator} with nothing before it",
    "nothing_after": "ignored {operator} with nothing after it",
    "lone_sign": "ignored a lone '{sign}'",
    "empty_field": "ignored {field}: with no value after it",
    "no_letters": "ignored '{text}': no letters or digits",
    "empty_phrase": "ignored an empty phrase",
    "field_group": "ignored {field}:( ... ): write {field}:a OR {field}:b",
}


@dataclass(frozen=True)
class Notice:
    """Something the parser dropped or mended, said to the user beside the results."""

    key: str
    values: dict = field(default_factory=dict)

    def __init__(self, key: str, **values):
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "values", values)

    def __str__(self) -> str:
        return NOTICE_TEXT[self.key].format(**self.values)


@dataclass
class Parsed:
    query: Group
    notices: list[Notice] = field(default_factory=list)


_TOKEN = re.compile(
    # A sign and a field written right before a quote or a parenthesis apply to it: -"a b", title:(a b).
    r'\s*(?P<lead>[+-]?(?:[A-Za-z]+:)?)'
    r'(?:(?P<quote>"(?P<phrase>[^"]*)(?P<end>"|$)(?:~(?P<slop>\d+))?)'
    r"|(?P<open>\()|(?P<close>\))"
    r"|(?P<word>[^\s()\"]+))"
)
_WORD_CHARS = re.compile(r"\w+")
_FIELD = re.compile(r"^(?P<name>[A-Za-z]+):(?P<value>.*)$")
_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<dist>\d*)$")
OPERATORS = {"AND", "OR", "NOT"}


def parse(text: str) -> Parsed:
    """The tree of a query; raises :class:`QueryError` when nothing is left to search for."""
    notices: list[Notice] = []
    tokens = _tokens(text or "", notices)
    group, rest = _group(tokens, 0, notices, top=True)
    while rest < len(tokens):  # a closing parenthesis with no opening one
        notices.append(Notice("unmatched_paren"))
        more, rest = _group(tokens, rest + 1, notices, top=True)
        group = Group(group.clauses + more.clauses)
    stripped = (text or "").strip()
    if group.everything and stripped not in ("", "*") and not group.of(MUST_NOT):
        detail = f": {'; '.join(map(str, notices))}" if notices else ""
        raise QueryError(f"the query {stripped!r} has no words to search for{detail}", "query_no_words", query=stripped)
    return Parsed(group, notices)


def _tokens(text: str, notices: list[Notice]) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(text):
        lead = m.group("lead")
        if m.group("word"):
            word = lead + m.group("word")
            out.append(("op", word) if word in OPERATORS else ("word", word))
            continue
        if m.group("close"):
            if lead:  # "+)" or "title:)": nothing for the sign or the field to apply to
                out.append(("word", lead))
            out.append(("close", ")"))
            continue
        sign, name = (lead[0], lead[1:]) if lead[:1] in ("+", "-") else ("", lead)
        if name and name[:-1].lower() not in TEXT_FIELDS and name[:-1].lower() not in FILTER_FIELDS:
            out.append(("word", name))  # "foo:" is not a field: a word of its own
            name = ""
        lead = (sign, name[:-1].lower())
        if m.group("quote") is not None:
            if not m.group("end"):
                notices.append(Notice("unclosed_quote"))
            out.append(("phrase", m.group("phrase") + "\0" + (m.group("slop") or ""), lead))
        elif m.group("open"):
            out.append(("open", "(", lead))
    return out


def _group(tokens, i: int, notices: list[Notice], top: bool = False) -> tuple[Group, int]:
    """Clauses from ``tokens[i]`` up to a closing parenthesis (its index is returned) or the end."""
    clauses: list[Clause] = []
    pending_op: str | None = None  # "AND" / "OR" waiting for its right-hand side
    negate = False
    while i < len(tokens):
        kind, value, *lead = tokens[i]
        sign, name = lead[0] if lead else ("", "")
        if kind == "close":
            if top:
                break
            return _finish(clauses, pending_op, negate, notices), i
        if kind == "op":
            if value == "NOT":
                negate = True
            elif not clauses or pending_op:
                notices.append(Notice("nothing_before", operator=value))
            else:
                pending_op = value
            i += 1
            continue
        occur = SHOULD
        if kind == "open":
            inner, i = _group(tokens, i + 1, notices)
            if i >= len(tokens):
                notices.append(Notice("unclosed_paren"))
            node = inner if inner.clauses else None
            if node is not None and name in FILTER_FIELDS:
                notices.append(Notice("field_group", field=name))
                node = None
            elif node is not None and name:
                node = _in_field(node, TEXT_FIELDS[name])
            occur = {"+": MUST, "-": MUST_NOT}.get(sign, SHOULD)
            i += 1
        elif kind == "phrase":
            node, occur = _quoted(value, sign, name, notices)
            i += 1
        else:
            node, occur = _atom(value, notices)
            i += 1
        if node is None:
            negate = False
            continue
        if negate:
            occur, negate = MUST_NOT, False
        if pending_op == "OR" and occur != MUST_NOT and clauses and clauses[-1].occur != MUST_NOT:
            last = clauses.pop()
            children = last.node.children if isinstance(last.node, AnyOf) else (last.node,)
            clauses.append(Clause(last.occur if last.occur == MUST and occur == MUST else SHOULD, AnyOf(children + (node,))))
        elif pending_op == "AND" and occur != MUST_NOT:
            if clauses[-1].occur == SHOULD:
                clauses[-1] = Clause(MUST, clauses[-1].node)
            clauses.append(Clause(MUST, node))
        else:
            clauses.append(Clause(occur, node))
        pending_op = None
    return _finish(clauses, pending_op, negate, notices), i


def _finish(clauses, pending_op, negate, notices) -> Group:
    if pending_op:
        notices.append(Notice("nothing_after", operator=pending_op))
    if negate:
        notices.append(Notice("nothing_after", operator="NOT"))
    return Group(tuple(clauses))


def _quoted(value: str, sign: str, name: str, notices: list[Notice]) -> tuple[object | None, str]:
    """A quoted phrase, with the sign and field written before it: ``-"a b"``, ``title:"a b"``, ``project:"Je dis STOP"``."""
    words, _, slop = value.partition("\0")
    occur = {"+": MUST, "-": MUST_NOT}.get(sign, SHOULD)
    if name in FILTER_FIELDS:
        if not words.strip():
            notices.append(Notice("empty_field", field=name))
            return None, occur
        return Filter(FILTER_FIELDS[name], " ".join(words.split()).lower()), (MUST if occur == SHOULD else occur)
    return _phrase(words, TEXT_FIELDS.get(name), int(slop) + 1 if slop else 1, notices), occur


def _in_field(node, field: str):
    """A parenthesised group written after ``title:`` or ``exact:``: each of its words in that field."""
    if isinstance(node, (Term, Phrase)):
        return dataclasses.replace(node, field=field)
    if isinstance(node, AnyOf):
        return AnyOf(tuple(_in_field(c, field) for c in node.children))
    if isinstance(node, Group):
        return Group(tuple(Clause(c.occur, _in_field(c.node, field)) for c in node.clauses))
    return node  # a filter inside the group keeps its meaning


def _atom(value: str, notices: list[Notice]) -> tuple[object | None, str]:
    """One term or filter, and how it occurs (a leading + or -)."""
    occur = SHOULD
    if value[0] in "+-" and len(value) > 1:
        occur = MUST if value[0] == "+" else MUST_NOT
        value = value[1:]
    elif value in ("+", "-"):
        notices.append(Notice("lone_sign", sign=value))
        return None, SHOULD
    m = _FIELD.match(value)
    if m and (m.group("name").lower() in TEXT_FIELDS or m.group("name").lower() in FILTER_FIELDS):
        name, rest = m.group("name").lower(), m.group("value")
        if not rest:
            notices.append(Notice("empty_field", field=name))
            return None, occur
        if name in FILTER_FIELDS:
            return Filter(FILTER_FIELDS[name], rest.strip().lower()), (MUST if occur == SHOULD else occur)
        return _word(rest, TEXT_FIELDS[name], notices), occur
    return _word(value, None, notices), occur


def _word(value: str, field: str | None, notices: list[Notice]):
    prefix = value.endswith("*") and len(value.rstrip("*")) > 0
    fuzzy = 0
    m = _FUZZY.match(value)
    if m and not prefix:
        value, fuzzy = m.group("word"), max(1, min(2, int(m.group("dist") or 2)))
    words = _WORD_CHARS.findall(value)
    if not words:
        if value.strip("*~"):
            notices.append(Notice("no_letters", text=value))
        return None
    if len(words) > 1:  # "l'enfant", "Make-IT-Safe", "e-mail": its words together
        return Phrase(tuple(words), field, 1, quoted=False)
    return Term(words[0], field, prefix=prefix, fuzzy=fuzzy)


def _phrase(text: str, field: str | None, slop: int, notices: list[Notice]):
    words = _WORD_CHARS.findall(text)
    if not words:
        notices.append(Notice("empty_phrase"))
        return None
    if len(words) == 1:
        return Term(words[0], field)
    return Phrase(tuple(words), field, slop)


def words_of(node) -> list[str]:
    """Every word of a tree, in order, excluded ones left out (for spelling suggestions)."""
    if isinstance(node, Term):
        return [node.text]
    if isinstance(node, Phrase):
        return list(node.words)
    if isinstance(node, AnyOf):
        return [w for c in node.children for w in words_of(c)]
    if isinstance(node, Group):
        return [w for c in node.clauses if c.occur != MUST_NOT for w in words_of(c.node)]
    return []


#: Words shorter than this are too often valid somewhere to be worth correcting ("did you mean").
SUGGEST_MIN = 4
_EXCLUDED_BEFORE = re.compile(r"(?:^|[\s(])(?:-|NOT\s+)$")


def replace_word(text: str, word: str, new: str) -> str:
    """``text`` with ``word`` replaced by ``new`` where the query searches for it (not where it is
    excluded, ``-word`` or ``NOT word``), everything else as typed."""
    out, pos = [], 0
    for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text):
        if _EXCLUDED_BEFORE.search(text, 0, m.start()):
            continue
        out.append(text[pos:m.start()] + new)
        pos = m.end()
    return "".join(out) + text[pos:]
