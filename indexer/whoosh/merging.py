"""Merging segments by copying their postings instead of indexing them again.

Every commit of a long ingest adds segments (one per writing process), and Whoosh's merge policy
(``MERGE_SMALL``) joins the small ones now and then so that their number stays bounded. Whoosh
merges by reading every posting of the segments back through its sorting pool, in the ingest
process, which costs more than writing them did: in a 100,000-document write, the first merge (of
some 30,000 passages) held the ingest for over four minutes.

:func:`JOIN_SMALL` chooses the same segments as ``MERGE_SMALL`` but joins those without deleted
passages by copying: each passage's stored fields, lengths and columns one after the other (Whoosh's
own ``write_per_doc``), and each term's postings block by block, never through the sorting pool. A
term of one segment keeps its blocks, only its passage numbers shifted (the first number of each
block, which the others are deltas from, and the block's last number); a term of several segments
has its blocks decoded and consecutive small ones written as one, up to Whoosh's 128 postings a
block, so the joined segment is as compact as Whoosh's merge makes it. It holds the same terms,
postings, weights, lengths and statistics as Whoosh's merge would write (``tests/test_index_writing.py``
compares them). Segments with deleted passages are merged as Whoosh merges them.
"""

from __future__ import annotations

import heapq
import io
import pickle
import zlib
from itertools import accumulate, groupby
from operator import sub
from types import SimpleNamespace
from typing import NamedTuple

#: Whoosh's postings per block (``W3Codec(blocklimit=128)``).
BLOCK_LIMIT = 128


def JOIN_SMALL(writer, segments):
    """A merge policy (``writer.commit(mergetype=JOIN_SMALL)``): ``MERGE_SMALL``'s choice, joined
    by copying where no passage was deleted."""
    from whoosh.reading import SegmentReader

    chosen = _small_segments(segments)
    if len(chosen) < 2:
        return segments
    kept = [s for s in segments if s not in chosen]
    whole = [s for s in chosen if not s.has_deletions()]
    for segment in chosen:
        if segment.has_deletions():  # Whoosh's merge, into the segment being written
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
    if len(whole) == 1:
        kept.append(whole[0])
    elif whole:
        kept.append(join(writer, whole))
    return kept


def _small_segments(segments) -> list:
    """The segments Whoosh's ``MERGE_SMALL`` would merge (none, or two and more)."""
    from whoosh.util import fib

    total, chosen = 0, []
    for i, segment in enumerate(sorted(segments, key=lambda s: s.doc_count_all())):
        total += segment.doc_count_all()
        chosen.append(segment)
        if i > 3 and total < fib(i + 5):
            return chosen if len(chosen) > 1 else []
    return []


def join(writer, segments: list):
    """A new segment holding the passages of ``segments`` (none with deletions), in that order."""
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
    from whoosh.system import pack_ushort
    from whoosh.reading import SegmentReader
    from whoosh.writing import SegmentWriter

    storage, schema, codec = writer.storage, writer.schema, writer.codec
    segment = codec.new_segment(storage, writer.indexname)
    target = SimpleNamespace(schema=schema, docnum=0, perdocwriter=codec.per_document_writer(storage, segment))
    fieldwriter = codec.field_writer(storage, segment)
    readers = [SegmentReader(storage, schema, s) for s in segments]
    try:
        bases = []
        for reader in readers:
            bases.append(target.docnum)
            SegmentWriter.write_per_doc(target, set(schema.names()) | set(reader.indexed_field_names()), reader)
        target.perdocwriter.close()

        out, tindex, fieldmap = fieldwriter._postfile, fieldwriter._tindex, fieldwriter._fieldmap
        # Each segment's terms in (field name, text) order, as the term table wants them (fields are
        # numbered in name order here, so the order of the keys is that too).
        streams = [_terms_of(i, reader) for i, reader in enumerate(readers)]
        for (fieldname, btext), group in groupby(heapq.merge(*streams, key=lambda item: item[0]), key=lambda item: item[0]):
            parts = [(i, info) for _, i, info in group]
            start = out.tell()
            out.write(WHOOSH3_HEADER_MAGIC)
            if len(parts) == 1:  # the term of one segment: its blocks copied (shifted if need be)
                i, info = parts[0]
                _copy_postings(out, readers[i]._terms._postfile, info, bases[i], last=True)
            else:
                _write_combined(out, [(readers[i]._terms._postfile, info, bases[i]) for i, info in parts], last=True)
            merged = W3TermInfo()
            merged._weight = sum(info.weight() for _, info in parts)
            merged._df = sum(info.doc_frequency() for _, info in parts)
            merged._minlength = min(info.min_length() for _, info in parts)
            merged._maxlength = max(info.max_length() for _, info in parts)
            merged._maxweight = max(info.max_weight() for _, info in parts)
            merged._minid = parts[0][1].min_id() + bases[parts[0][0]]
            merged._maxid = parts[-1][1].max_id() + bases[parts[-1][0]]
            merged.set_extent(start, out.tell() - start)
            tindex.add(pack_ushort(fieldmap.setdefault(fieldname, len(fieldmap))) + btext, merged.to_bytes())
        fieldwriter.close()
    except BaseException:
        if not target.perdocwriter.is_closed:
            target.perdocwriter.close()
        if not fieldwriter.is_closed:
            fieldwriter.close()
        raise  # the new segment's files are referenced by no table of contents: the next commit deletes them
    finally:
        for reader in readers:
            reader.close()
    segment.set_doc_count(target.docnum)
    if writer.compound and segment.should_assemble():
        segment.create_compound_file(storage)
        segment.compound = True
    return segment


def _terms_of(i: int, reader):
    """``((field name, text), i, term info)`` for each of the reader's terms, in key order."""
    for key, info in sorted(reader._terms.items(), key=lambda item: item[0]):
        yield key, i, info


def _copy_postings(out, postfile, info, base: int, last: bool) -> None:
    """``info``'s posting blocks written to ``out`` as they are (``base`` 0, the first segment) or with
    their passage numbers plus ``base``; its last block stays marked as the last only when ``last``."""
    for raw, final in _raw_blocks(postfile, info):
        final = final and last
        if base:
            _write_block(out, [_decoded(raw, base)], final)
            continue
        out.write_int(-len(raw) if final else len(raw))
        out.write(raw)


def _raw_blocks(postfile, info):
    """Each block of ``info``'s posting list: (its bytes after the length, whether it is the last)."""
    if info.is_inlined():
        raise ValueError("inlined postings cannot be copied")
    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC

    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the unpacked length in a tuple
        length = length[0]
    # seek and read, as Whoosh's matchers do (``get`` ignores the offset of a compound file's part)
    postfile.seek(offset)
    if postfile.read(len(WHOOSH3_HEADER_MAGIC)) != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no posting list at offset {offset}")
    end = offset + length
    while postfile.tell() < end:
        size = postfile.read_int()
        yield postfile.read(abs(size)), size < 0


def _write_combined(out, parts: list, last: bool) -> None:
    """The posting lists ``parts`` (``(postfile, info, base)``, in passage order) written as one:
    consecutive small blocks joined into blocks of up to :data:`BLOCK_LIMIT` postings (as Whoosh's
    merge would block them), full blocks kept whole."""
    blocks = [_decoded(raw, base) for postfile, info, base in parts for raw, _ in _raw_blocks(postfile, info)]
    group: list = []
    size = 0
    for block in blocks:
        if group and size + block.count > BLOCK_LIMIT:
            _write_block(out, group, final=False)
            group, size = [], 0
        group.append(block)
        size += block.count
    _write_block(out, group, final=last)


class _Block(NamedTuple):
    """A decoded posting block: its passage numbers absolute, the rest as stored."""

    count: int
    ids: list[int]
    weights: object  # None (all 1.0), one float (all equal) or one per posting
    values: object  # None, bytes of fixed-size values, or a tuple
    max_weight: float
    comp: int  # zlib level, 0: not compressed
    min_length: int  # as length bytes
    max_length: int


def _decoded(raw: bytes, base: int) -> _Block:
    """A posting block's bytes (its pickled info, then its pickled and perhaps compressed data)
    decoded, ``base`` added to its passage numbers."""
    stream = io.BytesIO(raw)
    count, _last_id, max_weight, comp, min_length, max_length = pickle.load(stream)
    data = raw[stream.tell():]
    ids, weights, values = pickle.loads(zlib.decompress(data) if comp else data)
    absolute = list(accumulate(ids, initial=base))[1:]  # delta-encoded from 0
    return _Block(count, absolute, weights, values, max_weight, comp, min_length, max_length)


def _write_block(out, group: list[_Block], final: bool) -> None:
    """``group``'s blocks written as one block, as Whoosh writes a block."""
    ids = [i for b in group for i in b.ids]
    deltas = (ids[0], *map(sub, ids[1:], ids))
    if len(group) == 1:
        weights, values = group[0].weights, group[0].values
    else:
        expanded = [w for b in group for w in _weights_of(b)]
        first = expanded[0]
        weights = None if all(w == 1.0 for w in expanded) else first if all(w == first for w in expanded) else tuple(expanded)
        kinds = {type(b.values) for b in group}
        if kinds == {type(None)}:
            values = None
        elif kinds <= {bytes}:
            values = b"".join(b.values for b in group)
        else:
            values = tuple(v for b in group for v in b.values)
    comp = max(b.comp for b in group)
    data = pickle.dumps((deltas, weights, values), 2)
    if comp:
        data = zlib.compress(data, comp)
    head = pickle.dumps((sum(b.count for b in group), ids[-1], max(b.max_weight for b in group), comp,
                         min(b.min_length for b in group), max(b.max_length for b in group)), 2)
    out.write_int(-(len(head) + len(data)) if final else len(head) + len(data))
    out.write(head)
    out.write(data)


def _weights_of(block: _Block) -> list[float]:
    count, weights = block.count, block.weights
    if weights is None:
        return [1.0] * count
    if isinstance(weights, float):
        return [weights] * count
    return list(weights)


def problems() -> list[str]:
    """What of Whoosh's structures the joining relies on is missing (empty: all there)."""
    from whoosh import util
    from whoosh.codec import whoosh3
    from whoosh.writing import SegmentWriter

    found = []
    if not hasattr(whoosh3, "WHOOSH3_HEADER_MAGIC") or not hasattr(util, "fib"):
        found.append("whoosh3.WHOOSH3_HEADER_MAGIC, whoosh.util.fib")
    if "_write_block" not in vars(whoosh3.W3PostingsWriter) or \
            not {"dumps", "write_int", "compress"} <= set(whoosh3.W3PostingsWriter._write_block.__code__.co_names):
        found.append("W3PostingsWriter._write_block (pickled block info and data)")
    if not {"_tindex", "_postfile", "_fieldmap"} <= set(whoosh3.W3FieldWriter.__init__.__code__.co_names):
        found.append("W3FieldWriter (_tindex, _postfile, _fieldmap)")
    if not {"schema", "perdocwriter", "docnum"} <= set(SegmentWriter.write_per_doc.__code__.co_names):
        found.append("SegmentWriter.write_per_doc")
    return found
