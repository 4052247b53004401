"""How far a long ingest has got, on stderr.

On a terminal, a bar with files done, rate and time left (tqdm), left on screen
at the end. A terminal that does not know its size (it says 0 columns and 0
rows: one made by ``script`` or ``docker run -t``, a serial console) gets a bar
of ``DEFAULT_SIZE``: tqdm sizes its bar from the terminal, and draws nothing at
all in 0 rows. Redirected to a log, a bar would be thousands of lines of carriage
returns, so a plain line is written instead, every tenth of the files or every
``LINE_SECONDS``, whichever comes first. Nothing at all when quiet.
"""

from __future__ import annotations

import math
import os
import time
from typing import TextIO

#: In a log: at most this long between two lines while files keep finishing.
LINE_SECONDS = 10.0
#: In a log: a line at least every this many files, and at most ten lines by count.
LINE_FILES = 1000
#: On a terminal that reports no size: (columns, rows) of the bar, as ``shutil.get_terminal_size`` assumes.
DEFAULT_SIZE = (80, 24)
#: The bar says in words what tqdm's default writes as ``[00:12<00:34, 5.2file/s]``.
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} files, {rate_noinv_fmt}, {remaining} left"


class Progress:
    def __init__(self, stream: TextIO, quiet: bool = False, what: str = "extracting"):
        self.stream = stream
        self.quiet = quiet
        self.what = what
        self.bar = None
        self.total = 0
        self.done = 0

    def start(self, total: int) -> None:
        if self.quiet or not total:
            return
        self.total = total
        if _is_terminal(self.stream):
            from tqdm import tqdm

            columns, rows = _terminal_size(self.stream)
            if columns and rows:
                size = {"dynamic_ncols": True}  # follows the window when it is resized
            else:  # one column short of the width, as tqdm does, so the line never wraps
                size = {"ncols": (columns or DEFAULT_SIZE[0]) - 1, "nrows": rows or DEFAULT_SIZE[1]}
            self.bar = tqdm(total=total, unit=" files", desc=self.what, file=self.stream, bar_format=BAR_FORMAT, **size)
            return
        self.every = min(LINE_FILES, max(1, math.ceil(total / 10)))
        self.started = self.last = time.monotonic()

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update(1)
            return
        if not self.total:
            return
        self.done += 1
        now = time.monotonic()
        if self.done == self.total or self.done % self.every == 0 or now - self.last >= LINE_SECONDS:
            self.last = now
            self.stream.write(self._line(now) + "\n")
            self.stream.flush()

    def _line(self, now: float) -> str:
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        line = f"{self.what}: {self.done:,}/{self.total:,} files ({self.done / self.total:.0%}), {rate:.1f} files/s"
        if self.done == self.total:
            return f"{line}, done in {_duration(elapsed)}"
        if rate:
            return f"{line}, about {_duration((self.total - self.done) / rate)} left"
        return line

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _terminal_size(stream: TextIO) -> tuple[int, int]:
    """(columns, rows) of the terminal; 0 for what it does not say or when it cannot be asked."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return 0, 0
    return max(0, size.columns), max(0, size.lines)


def _duration(seconds: float) -> str:
    if seconds < 9.95:
        return f"{seconds:.1f} s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
