"""Fixes to Whoosh 2.7 (``whoosh-reloaded`` 2.7.5), applied when the index is opened.

Writing a segment goes faster by :mod:`indexer.whoosh.postings_writer`.

Opening a segment file from a compound segment wraps a memory-mapped view in
``BufferFile``, whose ``__init__`` builds ``BytesIO(view)``: a full copy. A
searcher opens every file of every segment, so opening an index read all of it
into memory (at 20,000 documents: 1.3 GB resident and about a second, before
the first query). :class:`ViewFile` reads the view in place instead.
"""

from __future__ import annotations

import os

import whoosh
from whoosh.filedb import structfile

from ..errors import EngineFailure


class ViewFile:
    """A read-only, seekable file over a buffer, without copying the buffer."""

    def __init__(self, buf):
        self._view = memoryview(buf)
        if self._view.format != "B" or self._view.ndim != 1:
            self._view = self._view.cast("B")
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def peek(self, size: int = 0) -> bytes:
        # The unpickler reads ahead through peek: one call per pickle instead of one per field.
        return self._view[self._pos:self._pos + max(size, 4096)].tobytes()

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        out = bytearray()
        while size is None or size < 0 or len(out) < size:
            byte = self.read(1)
            if not byte:
                break
            out += byte
            if byte == b"\n":
                break
        return bytes(out)

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # the view belongs to the storage, which closes the map


def _buffer_file_init(self, buf, name=None, onclose=None):
    self._buf = buf
    self._name = name
    self.file = ViewFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def apply() -> None:
    from . import postings_writer

    check()
    structfile.BufferFile.__init__ = _buffer_file_init
    postings_writer.apply()


def check() -> None:
    """Fail at start-up, loudly, if the Whoosh installed is not the one whose private structures
    the archive reads (the zero-copy file, the postings and length readers of the whoosh3
    codec); never degrade quietly per query."""
    import inspect

    from whoosh.codec import whoosh3
    from whoosh.reading import SegmentReader

    problems = []
    if list(inspect.signature(structfile.BufferFile.__init__).parameters) != ["self", "buf", "name", "onclose"]:
        problems.append("BufferFile.__init__(buf, name, onclose)")
    if not hasattr(whoosh3.W3TermsReader, "term_info") or "postfile" not in inspect.signature(whoosh3.W3TermsReader.__init__).parameters:
        problems.append("W3TermsReader(..., postfile)")
    if not hasattr(whoosh3.W3PerDocReader, "_cached_reader"):
        problems.append("W3PerDocReader._cached_reader")
    from .merging import problems as merging_problems
    from .postings_writer import problems as writing_problems

    problems.extend(writing_problems())
    problems.extend(merging_problems())
    # The code's names, not its source: reading and tokenising reading.py cost every start a few ms.
    if "_terms" not in SegmentReader.__init__.__code__.co_names:
        problems.append("SegmentReader._terms")
    if problems:
        raise EngineFailure(f"the installed Whoosh ({whoosh.versionstring()}) lacks what the archive reads: "
                            f"{', '.join(problems)}; install the pinned version (whoosh-reloaded==2.7.5)")
