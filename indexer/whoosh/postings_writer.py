"""Whoosh's segment writing with less work per posting (``whoosh-reloaded`` 2.7.5).

Writing a segment handles every posting (a word of a passage in one field: about 250 per
passage) four times in pure Python: into the sorting pool, then, sorted, with the length of
its document in its field, into the posting block. Three of those steps did more than the
posting needs, and are replaced here by code that keeps the same state and writes the same
bytes (``tests/test_speed_paths.py`` compares whole indexes written both ways):

- the field length was unpacked from the column file for every posting: :class:`Lengths`
  reads each field's column once into a list;
- ``W3PostingsWriter.add_posting`` and ``PostingPool.add`` checked the type of each value
  with ``assert isinstance`` (five to seven calls per posting): the values come from the
  schema's fields, whose types are fixed (and ``array`` still refuses a wrong one).

:func:`indexer.whoosh.files.check` refuses a Whoosh whose structures differ.
"""

from __future__ import annotations


class Lengths:
    """A segment's field lengths for writing its postings, each field's column read once.
    The values are the per-document reader's: None for a length of 0 (stored as byte 0)."""

    def __init__(self, reader):
        self._reader = reader
        self._fields: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._fields.get(fieldname, self)
        if lengths is self:
            from whoosh.codec import whoosh3

            column = self._reader._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
            to_length = whoosh3.byte_to_length
            lengths = self._fields[fieldname] = None if column is None else [to_length(b) if b else None for b in column]
        return default if lengths is None else lengths[docnum]


def _with_lengths(add_postings):
    from whoosh.codec import whoosh3

    def wrapper(self, schema, lengths, items):
        if type(lengths) is whoosh3.W3PerDocReader:
            lengths = Lengths(lengths)
        return add_postings(self, schema, lengths, items)

    wrapper.archive_patched = True
    return wrapper


def add_posting(self, id_, weight, vbytes, length=None):
    """``W3PostingsWriter.add_posting`` without its type assertions."""
    if len(self._ids) >= self._blocklimit:
        self._write_block()
    self._ids.append(id_)
    self._weights.append(weight)
    if weight > self._maxweight:
        self._maxweight = weight
    if vbytes:
        self._values.append(vbytes)
    if length:
        minlength = self._minlength
        if minlength is None or length < minlength:
            self._minlength = length
        if length > self._maxlength:
            self._maxlength = length


add_posting.archive_patched = True

#: PostingPool.add's estimate of a posting's size in memory, besides its field name, text and value.
_POSTING_OVERHEAD = 28 + 4 * 5 + 21 + 26 + 18 + 16 + 21


def pool_add(self, item):
    """``PostingPool.add`` (item: fieldname, text bytes, docnum, weight, value bytes) without its
    type assertions; the same size estimate decides when a run is saved to disk."""
    self.fieldnames.add(item[0])
    self.currentsize += _POSTING_OVERHEAD + len(item[0]) + len(item[1]) * 2 + len(item[4] or "")
    if self.currentsize > self.limit:
        self.save()
    self.current.append(item)


pool_add.archive_patched = True


def apply() -> None:
    from whoosh.codec import whoosh3
    from whoosh.codec.base import FieldWriter
    from whoosh.writing import PostingPool

    if not getattr(FieldWriter.add_postings, "archive_patched", False):
        FieldWriter.add_postings = _with_lengths(FieldWriter.add_postings)
    whoosh3.W3PostingsWriter.add_posting = add_posting
    PostingPool.add = pool_add


def problems() -> list[str]:
    """What of Whoosh's structures the replacements rely on is missing (empty: all there)."""
    import inspect

    from whoosh.codec import whoosh3
    from whoosh.codec.base import FieldWriter
    from whoosh.writing import PostingPool

    found = []
    if not all(hasattr(whoosh3, name) for name in ("_lenfield", "LENGTHS_COLUMN", "byte_to_length")):
        found.append("whoosh3._lenfield, LENGTHS_COLUMN, byte_to_length")
    if list(inspect.signature(FieldWriter.add_postings).parameters) != ["self", "schema", "lengths", "items"]:
        found.append("FieldWriter.add_postings(schema, lengths, items)")
    writer = whoosh3.W3PostingsWriter
    if not {"_write_block", "_new_block"} <= set(vars(writer)) or \
            "_maxweight" not in writer._new_block.__code__.co_names or "_minlength" not in writer._new_block.__code__.co_names:
        found.append("W3PostingsWriter._new_block (_ids, _weights, _values, _minlength, _maxlength, _maxweight)")
    if not getattr(PostingPool.add, "archive_patched", False) and \
            not {"fieldnames", "currentsize", "limit", "save", "current"} <= set(PostingPool.add.__code__.co_names):
        found.append("PostingPool.add")
    return found
