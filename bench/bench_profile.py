"""Where the time goes, for bench/run.py: cProfile's top functions, and the time split into named stages.

cProfile records caller/callee pairs, not whole stacks, so it cannot say how
much of the Whoosh analysis ran under ``add_document`` and how much under a
snippet. The stages therefore come from a second, sampling pass: a thread
looks at the main thread's stack every millisecond and files the sample
under the first stage in the list whose function is on the stack (outermost
rules first where stages nest). cProfile's own list of top functions (self
time) is kept beside it for the details.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (stage, file fragment, function names or None for any): checked in this order against the whole stack.
INGEST_STAGES = (
    ("Whoosh segment writing and merging (commit)", "indexer/sync.py", {"commit"}),
    ("facet table (end of ingest)", "indexer/facet_table.py", None),
    ("language detection", "archive/language.py", None),
    ("metadata: dates, projects, type", "archive/metadata.py", None),
    ("metadata: dates, projects, type", "archive/dates.py", None),
    ("Whoosh analysis (tokenise, fold, stem)", "whoosh/analysis/", None),
    ("Whoosh analysis (tokenise, fold, stem)", "indexer/analysis.py", None),
    ("Whoosh add_document (postings pool, stored fields)", "whoosh/writing.py", {"add_document"}),
    ("extraction: PDF (pdfminer + layout)", "archive/extractors/pdf.py", {"extract"}),
    ("extraction: HTML", "archive/extractors/html.py", {"extract"}),
    ("extraction: plain text", "archive/extractors/text.py", {"extract"}),
    ("hashing, extraction cache, manifest", "archive/pipeline.py", {"file_hash", "put", "get", "_store"}),
    ("hashing, extraction cache, manifest", "indexer/store.py", None),
    ("planning (walk, stat)", "indexer/sync.py", {"_plan"}),
)

QUERY_STAGES = (
    # First match wins, in this order, anywhere on the stack.
    ("suggestions (fuzzy walk of the lexicon)", "search/engine.py", {"suggest", "_has_unknown_words"}),
    ("snippets (re-analysis, best window)", "search/snippets.py", None),
    ("hits: stored fields", "search/engine.py", {"_hit"}),
    ("near-phrase check (stored text of the best passages)", "search/vectorized.py", {"phrase_check"}),
    ("facet counting", "search/facets.py", None),
    ("filter masks (cached)", "search/engine.py", {"_mask"}),
    ("reading postings (saved arrays, Whoosh blocks)", "indexer/postings.py", None),
    ("matching and BM25F scoring (arrays)", "search/vectorized.py", None),
    ("top documents: ranking, grouping", "search/engine.py", {"_top"}),
    ("query parsing", "search/engine.py", {"parse"}),
    ("highlight terms (expanding the query's terms)", "search/engine.py", {"_terms"}),
    ("Whoosh term lookups (hash tables)", "whoosh/filedb/filetables.py", None),
)


class Sampler:
    """Samples the calling thread's stack from a background thread."""

    def __init__(self, stages, interval: float = 0.001):
        self.stages = stages
        self.interval = interval
        self.counts: Counter[str] = Counter()
        self.samples = 0
        self._target = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _stage(self, frame) -> str:
        codes = []
        while frame is not None:
            codes.append((frame.f_code.co_filename, frame.f_code.co_name))
            frame = frame.f_back
        for stage, fragment, names in self.stages:
            for filename, name in codes:
                if fragment in filename and (names is None or name in names):
                    return stage
        return "other"

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            frame = sys._current_frames().get(self._target)
            if frame is not None:
                self.counts[self._stage(frame)] += 1
                self.samples += 1

    def __enter__(self):
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(self.interval)  # let the sampler in as often as it asks
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._switch)

    def shares(self) -> list[tuple[str, float]]:
        total = max(1, self.samples)
        return [(stage, 100.0 * n / total) for stage, n in self.counts.most_common()]


def top_functions(profiler: cProfile.Profile, count: int = 15) -> tuple[list[tuple[str, float, float, int]], float]:
    """(function, self seconds, cumulative seconds, calls) by self time, and the profile's total."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append((_label(filename, line, name), tottime, cumtime, calls))
    rows.sort(key=lambda r: -r[1])
    return rows[:count], stats.total_tt


def _label(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name
    short = re.sub(r".*/site-packages/", "", filename).replace(str(ROOT) + "/", "")
    short = re.sub(r".*/lib/python3\.\d+/", "", short)
    return f"{short}:{line} {name}"


def profile(work: Callable[[], object], stages) -> dict:
    """Run ``work`` twice: under cProfile (top functions), then under the sampler (stages)."""
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    work()
    profiler.disable()
    profiled = time.perf_counter() - started
    top, total = top_functions(profiler)
    started = time.perf_counter()
    with Sampler(stages) as sampler:
        work()
    sampled = time.perf_counter() - started
    return {"top": top, "total": total, "profiled_seconds": profiled, "sampled_seconds": sampled,
            "stages": sampler.shares(), "samples": sampler.samples}


def markdown(result: dict, title: str) -> str:
    lines = [f"**{title}** — stages ({result['samples']:,} stack samples over {result['sampled_seconds']:.1f} s without the profiler):", "",
             "| stage | share of time |", "|---|---:|"]
    lines += [f"| {stage} | {share:.1f} % |" for stage, share in result["stages"]]
    lines += ["", f"Top functions by self time (cProfile, {result['total']:.1f} s profiled; the profiler slows Python calls down):", "",
              "| function | self s | cumulative s | calls |", "|---|---:|---:|---:|"]
    lines += [f"| `{name}` | {tt:.2f} | {ct:.2f} | {calls:,} |" for name, tt, ct, calls in result["top"]]
    return "\n".join(lines)
