"""A ceiling on how much a PDF's streams may decompress to.

pdfminer.six inflates streams with an unbounded ``zlib.decompress`` (and
unbounded LZW and run-length decoders) and has no setting to limit them, so a
small file whose streams expand to gigabytes ("decompression bomb") would eat
all memory. pdfminer looks these decoders up as globals of
``pdfminer.pdftypes`` at call time, so :func:`install` swaps in bounded
equivalents there. The bound only applies inside :func:`inflate_budget`; other
code using pdfminer in the same process (the benchmark's raw baseline, say)
keeps unbounded decoding, at the cost of one context-variable lookup per stream.

The replacement for ``decompress_corrupted`` also removes a second trap:
pdfminer's version feeds a damaged stream to zlib one byte at a time and grows
its output with ``bytes +=``, which is quadratic, so a few damaged megabytes
take minutes. Inflating as raw deflate (skipping the zlib header and checksum)
recovers the same data in one pass (for every pdfminer user in the process:
the results are the same, only faster).
"""

from __future__ import annotations

import contextlib
import io
import zlib
from contextvars import ContextVar
from typing import Callable, Iterator

from pdfminer import lzw, pdftypes

#: Total bytes all streams of one PDF may decode to. Text-heavy PDFs of a few
#: hundred pages stay below 50 MB; images are not decoded for text extraction.
MAX_INFLATED_BYTES = 512 * 1024 * 1024


class InflateLimitExceeded(Exception):
    """Raised from inside pdfminer when the budget is spent.

    Deliberately not a ``zlib.error``: pdfminer catches those and retries.
    """


class _Budget:
    __slots__ = ("left", "limit")

    def __init__(self, limit: int):
        self.limit = limit
        self.left = limit

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise InflateLimitExceeded(f"streams expand beyond {self.limit // (1024 * 1024)} MiB")


_BUDGET: ContextVar[_Budget | None] = ContextVar("archive_pdf_inflate_budget", default=None)


@contextlib.contextmanager
def inflate_budget(limit: int | None = None) -> Iterator[None]:
    token = _BUDGET.set(_Budget(MAX_INFLATED_BYTES if limit is None else limit))
    try:
        yield
    finally:
        _BUDGET.reset(token)


class _BoundedInflater:
    """A ``zlib.decompressobj`` look-alike that charges its output to the budget."""

    def __init__(self, budget: _Budget, wbits: int = zlib.MAX_WBITS):
        self._budget = budget
        self._inflater = zlib.decompressobj(wbits)

    @property
    def eof(self) -> bool:
        return self._inflater.eof

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        room = self._budget.left + 1
        out = self._inflater.decompress(data, min(max_length, room) if max_length else room)
        self._budget.spend(len(out))
        return out

    def flush(self) -> bytes:
        return self._inflater.flush()


class _ZlibShim:
    """Stands in for the ``zlib`` module inside ``pdfminer.pdftypes``."""

    error = zlib.error
    MAX_WBITS = zlib.MAX_WBITS

    @staticmethod
    def decompress(data: bytes, wbits: int = zlib.MAX_WBITS, bufsize: int = zlib.DEF_BUF_SIZE) -> bytes:
        budget = _BUDGET.get()
        if budget is None:
            return zlib.decompress(data, wbits, bufsize)
        inflater = _BoundedInflater(budget, wbits)
        out = inflater.decompress(data)
        if not inflater.eof:
            # Keep zlib.decompress's contract: pdfminer relies on this error to
            # fall back to its salvage path for truncated streams.
            raise zlib.error("incomplete or truncated stream")
        return out

    @staticmethod
    def decompressobj(wbits: int = zlib.MAX_WBITS, *args: object) -> object:
        budget = _BUDGET.get()
        if budget is None:
            return zlib.decompressobj(wbits, *args)  # type: ignore[arg-type]
        return _BoundedInflater(budget, wbits)


def _decompress_damaged(data: bytes) -> bytes:
    """Salvage a zlib stream whose checksum is wrong or whose end is missing.

    Raises ``zlib.error`` when the damage is in the compressed data itself, as
    pdfminer's own version does (pdfminer then treats the stream as empty).
    """
    inflater = _ZlibShim.decompressobj(-zlib.MAX_WBITS)
    return inflater.decompress(data[2:])  # type: ignore[attr-defined]


def _lzw_decode(data: bytes) -> bytes:
    budget = _BUDGET.get()
    if budget is None:
        return _ORIGINALS["lzwdecode"](data)  # type: ignore[return-value]
    out = io.BytesIO()
    for chunk in lzw.LZWDecoder(io.BytesIO(data)).run():
        budget.spend(len(chunk))
        out.write(chunk)
    return out.getvalue()


def _run_length_decode(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7, 7.4.5): a length byte n, then n+1 literal bytes
    (n < 128), or one byte repeated 257-n times (n > 128); 128 ends the data."""
    budget = _BUDGET.get()
    if budget is None:
        return _ORIGINALS["rldecode"](data)  # type: ignore[return-value]
    out = bytearray()
    i, end = 0, len(data)
    while i < end:
        n = data[i]
        if n == 128:
            break
        if n < 128:
            piece = data[i + 1 : i + 2 + n]
            i += 2 + n
        else:
            piece = data[i + 1 : i + 2] * (257 - n)
            i += 2
        budget.spend(len(piece))
        out += piece
    return bytes(out)


_ORIGINALS: dict[str, Callable[..., object]] = {}


def install() -> None:
    """Swap the bounded decoders into pdfminer (idempotent)."""
    if _ORIGINALS:
        return
    replacements = {
        "zlib": _ZlibShim,
        "decompress_corrupted": _decompress_damaged,
        "lzwdecode": _lzw_decode,
        "rldecode": _run_length_decode,
    }
    for name, replacement in replacements.items():
        # Fail loudly if a pdfminer upgrade renames what we patch, rather than
        # silently running without the guard.
        _ORIGINALS[name] = getattr(pdftypes, name)
        setattr(pdftypes, name, replacement)
