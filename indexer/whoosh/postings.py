"""Posting lists as NumPy arrays: read from Whoosh's files, and a cache of the long ones.

Reading a term's postings through Whoosh's matchers costs a Python call per
posting. :func:`leaf_postings` reads the ``whoosh3`` codec's blocks directly
(one unpickling per block of 128), which is several times faster; but a word
found in a fifth of the passages still costs tens of milliseconds, and queries
are full of such words ("les", "van", "the", and the neutral field keeps them).

So, once a segment is written, the posting lists of its frequent terms — those
in at least :data:`HOT_SHARE` of its passages — are also saved as flat arrays
(``DIR/postings/SEGMENT.*``): passage numbers and term frequencies, read back
memory-mapped. Whoosh segments never change once written (deletions are kept
apart, and applied when reading), so a segment's arrays stay valid until a
merge replaces the segment; :func:`update` then writes the new segment's
arrays and removes those of segments that are gone. A term that is not in the
arrays is read from Whoosh's own files; the result is the same either way.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, _lenfield
from whoosh.reading import TermNotFound

POSTINGS_DIR = "postings"
#: Terms in at least this share of a segment's passages get arrays of their own.
HOT_SHARE = 0.02
HOT_MIN = 256  # ... and in at least this many
FORMAT = 2  # bump when the files below change (or the fields saved)

NO_IDS = np.zeros(0, dtype=np.int64)
NO_WEIGHTS = np.zeros(0, dtype=np.float64)


# -- reading Whoosh's files ---------------------------------------------------


def deleted(reader) -> np.ndarray:
    """A segment's deleted passage numbers, sorted."""
    if not reader.has_deletions():
        return NO_IDS
    return np.array(sorted(reader.deleted_docs_set), dtype=np.int64)


def length_bytes(reader, field: str, count: int) -> np.ndarray:
    """One segment's field-length bytes for ``field`` (Whoosh's one-byte encoding; zeros where none)."""
    out = np.zeros(count, dtype=np.uint8)
    if not count:
        return out
    # The whoosh3 codec's length column, read whole (files.check() made sure it is there).
    column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    raw = column._dbfile.get(column._basepos, min(column._count, count)) if column is not None else b""
    out[:len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    return out


def leaf_postings(reader, field: str, btext: bytes, positions: bool = False):
    """One segment's postings of a term as (ids, weights, encoded positions or None), deleted
    passages included; None if the term is not in the segment."""
    if not reader.doc_count_all():
        return None  # an empty index has an EmptyReader, with no segment files
    terms = reader._terms  # a segment of the whoosh3 codec: files.check() made sure of it
    try:
        info = terms.term_info(field, btext)
    except (KeyError, TermNotFound):
        return None
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        return (np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64),
                list(values) if positions else None)
    postfile = terms._postfile
    id_parts, weight_parts, values = [], [], []
    for count, (raw_ids, raw_weights, raw_values) in _blocks(postfile, info.extent()[0]):
        id_parts.append(np.cumsum(np.asarray(raw_ids, dtype=np.int64)))  # stored as deltas
        if raw_weights is None:
            weight_parts.append(np.ones(count))
        elif isinstance(raw_weights, float):
            weight_parts.append(np.full(count, raw_weights))
        else:
            weight_parts.append(np.asarray(raw_weights, dtype=np.float64))
        if positions:
            values.extend(raw_values)
    return np.concatenate(id_parts), np.concatenate(weight_parts), (values if positions else None)


_BLOCK_LENGTH = struct.Struct("!i")


def _blocks(postfile, offset: int):
    """Each block of the posting list at ``offset``: (number of postings, (ids, weights, values)).

    The layout of ``W3PostingsWriter``: a magic tag, then per block its length
    (negative for the last), a pickled info tuple and the pickled, possibly
    compressed, data tuple. Read here with ``get`` (random access), not through
    the file's position as Whoosh's matcher does, which costs several Python
    calls per block.
    """
    if postfile.get(offset, len(WHOOSH3_HEADER_MAGIC)) != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no posting list at offset {offset}")
    pos = offset + len(WHOOSH3_HEADER_MAGIC)
    while True:
        (length,) = _BLOCK_LENGTH.unpack(postfile.get(pos, _BLOCK_LENGTH.size))
        block = postfile.get(pos + _BLOCK_LENGTH.size, abs(length))
        stream = io.BytesIO(block)
        count, _, _, compression, _, _ = pickle.load(stream)
        data = block[stream.tell():]
        yield count, pickle.loads(zlib.decompress(data) if compression else data)
        if length < 0:
            return
        pos += _BLOCK_LENGTH.size + abs(length)


# -- the cache of long posting lists ------------------------------------------


@dataclass
class SegmentArrays:
    """The saved posting lists of one segment's frequent terms."""

    spans: dict[tuple[str, bytes], tuple[int, int]]  # term -> slice of ids and weights
    ids: np.ndarray  # uint32, relative to the segment
    weights: np.ndarray  # float32

    def get(self, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        span = self.spans.get((field, btext))
        if span is None:
            return None
        start, end = span
        return self.ids[start:end].astype(np.int64), self.weights[start:end].astype(np.float64)


def segment_id(reader) -> str | None:
    segment = getattr(reader, "_segment", None)
    return segment.segment_id() if segment is not None else None


def _paths(folder: Path, segid: str) -> tuple[Path, Path, Path]:
    base = folder / POSTINGS_DIR / f"{segid}.v{FORMAT}"
    return base.with_suffix(base.suffix + ".ids.npy"), base.with_suffix(base.suffix + ".weights.npy"), base.with_suffix(base.suffix + ".terms")


def build_segment(reader, fields: list[str]) -> tuple[dict, np.ndarray, np.ndarray]:
    """The frequent terms' postings of one segment (deleted passages included)."""
    threshold = max(HOT_MIN, int(reader.doc_count_all() * HOT_SHARE))
    spans: dict[tuple[str, bytes], tuple[int, int]] = {}
    id_parts, weight_parts, at = [], [], 0
    for field in fields:
        if field not in reader.schema:
            continue
        for btext, info in reader.iter_field(field):
            if info.doc_frequency() < threshold:
                continue
            got = leaf_postings(reader, field, btext)
            if got is None:
                continue
            ids, weights, _ = got
            small = weights.astype(np.float32)
            if not np.array_equal(small.astype(np.float64), weights) or (len(ids) and ids[-1] >= 2**32):
                continue  # would not survive the smaller types: leave it to Whoosh's files
            spans[(field, btext)] = (at, at + len(ids))
            at += len(ids)
            id_parts.append(ids.astype(np.uint32))
            weight_parts.append(small)
    ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.uint32)
    weights = np.concatenate(weight_parts) if weight_parts else np.zeros(0, dtype=np.float32)
    return spans, ids, weights


def save_segment(folder: Path, segid: str, built: tuple[dict, np.ndarray, np.ndarray]) -> None:
    spans, ids, weights = built
    (folder / POSTINGS_DIR).mkdir(exist_ok=True)
    ids_path, weights_path, terms_path = _paths(folder, segid)
    # The term table is written last: a segment without it has no (complete) arrays.
    for path, write in ((ids_path, lambda fh: np.save(fh, ids)), (weights_path, lambda fh: np.save(fh, weights)),
                        (terms_path, lambda fh: pickle.dump(spans, fh, protocol=pickle.HIGHEST_PROTOCOL))):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, path)


def load_segment(folder: Path, segid: str) -> SegmentArrays | None:
    ids_path, weights_path, terms_path = _paths(folder, segid)
    try:
        with open(terms_path, "rb") as fh:
            spans = pickle.load(fh)
        ids = np.load(ids_path, mmap_mode="r")
        weights = np.load(weights_path, mmap_mode="r")
    except (OSError, ValueError, EOFError, pickle.UnpicklingError):
        return None
    if not isinstance(spans, dict) or len(ids) != len(weights):
        return None
    return SegmentArrays(spans, ids, weights)


def update(folder: Path, reader, fields: list[str]) -> int:
    """Write the arrays of segments that have none; remove those of segments gone. Returns how many were written."""
    wanted = {}
    for leaf, _ in reader.leaf_readers():
        segid = segment_id(leaf)
        if segid:
            wanted[segid] = leaf
    written = 0
    for segid, leaf in wanted.items():
        if not _paths(folder, segid)[2].exists():
            save_segment(folder, segid, build_segment(leaf, fields))
            written += 1
    directory = folder / POSTINGS_DIR
    if directory.is_dir():
        for name in os.listdir(directory):
            if name.split(".", 1)[0] not in wanted or f".v{FORMAT}." not in name:
                try:
                    os.remove(directory / name)
                except OSError:
                    pass
    return written


def load_all(folder: Path, reader) -> list[SegmentArrays | None]:
    """The arrays of each of the reader's segments, in its order (None where there are none)."""
    return [load_segment(folder, segid) if (segid := segment_id(leaf)) else None for leaf, _ in reader.leaf_readers()]
