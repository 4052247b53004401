"""`archive ingest` with stderr on a real pseudo-terminal: a bar with files done, rate and time left,
whatever size the terminal says it has (``script`` and ``docker run -t`` make terminals that say
0 columns and 0 rows), and nothing with --quiet. The plain lines for a log are tested in
test_first_hour_ingest.py."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = 5
#: The bar's last state, left on screen: "extracting: 100%|█████| 5/5 files,  6.85 files/s, 00:00 left".
FINAL = re.compile(rf"extracting: 100%\|█+\| {FILES}/{FILES} files, +\d+\.\d\d files/s, 00:00 left")
#: A state before the end, once a file is done: the rate and the time left are figures, not "?".
DURING = re.compile(rf"extracting: +\d+%\|[^|]*\| [1-{FILES}]/{FILES} files, +\d+\.\d\d files/s, \d\d:\d\d left")


def write_notes(folder: Path) -> Path:
    folder.mkdir()
    for n in range(1, FILES + 1):
        (folder / f"note-{n}.txt").write_text(
            f"Note {n} sur la traite des enfants\n\nBruxelles, le {n} mars 2021. L'équipe a formé les tuteurs "
            f"à reconnaître les signes de la traite des enfants.\n", encoding="utf-8")
    return folder


def ingest_on_a_terminal(tmp_path: Path, rows: int, columns: int, *options: str) -> tuple[str, str]:
    """(what the terminal received on stderr, stdout) of a real ingest of ``FILES`` notes."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    command = [sys.executable, "-m", "search.cli", "ingest", str(write_notes(tmp_path / "notes")),
               "--index", str(tmp_path / "index"), "-j", "1", *options]
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    received = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the process closed its end
                break
            if not chunk:
                break
            received += chunk
        stdout, _ = process.communicate(timeout=60)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, (received, stdout)
    # The terminal turns "\n" into "\r\n" on its way out.
    return received.decode("utf-8"), stdout.decode("utf-8")


@pytest.mark.parametrize("rows, columns, width", [
    (0, 0, 79),     # a terminal that does not know its size: a bar of 80 columns
    (0, 100, 99),   # knows its width only (`stty cols 100` under script)
    (24, 100, 99),  # a window of 100 columns: the bar fills it but the last column
])
def test_a_terminal_shows_a_bar_with_files_done_rate_and_time_left(tmp_path, rows, columns, width):
    shown, stdout = ingest_on_a_terminal(tmp_path, rows, columns)
    assert stdout.startswith(f"{FILES} added, 0 updated")
    assert shown.endswith("\r\n"), repr(shown)  # the last state stays, on its own line
    states = [state for state in shown.removesuffix("\r\n").split("\r") if state]
    assert FINAL.fullmatch(states[-1]), states
    assert len(states[-1]) == width, states[-1]
    assert all(len(state) <= width for state in states), states
    # The first state is drawn before any file is done; the last is the end, whatever the machine's speed.
    assert states[0].startswith("extracting:   0%|") and f" 0/{FILES} files" in states[0]
    assert all(DURING.fullmatch(state) for state in states[1:]), states


@pytest.mark.parametrize("rows, columns", [(0, 0), (24, 100)])
def test_quiet_shows_nothing_on_a_terminal(tmp_path, rows, columns):
    shown, stdout = ingest_on_a_terminal(tmp_path, rows, columns, "--quiet")
    assert shown == ""
    assert stdout.startswith(f"{FILES} added, 0 updated")
