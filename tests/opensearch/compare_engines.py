"""The same queries through Whoosh and OpenSearch on the bundled corpus: totals and first document.

    ARCHIVE_OPENSEARCH_URL=http://127.0.0.1:9200 [ARCHIVE_OPENSEARCH_VERIFY=0] \\
        .venv/bin/python tests/opensearch/compare_engines.py [--corpus corpus] [--generic]

Ingests the corpus into a temporary Whoosh index and into the OpenSearch alias
``archive-compare`` (rebuilt), then prints one row per query; differing rows are marked.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

QUERIES = [
    "traite des enfants", "enfant", "mensenhandel", "kinderhandel", "child trafficking", "exploitation sexuelle",
    "tourisme sexuel", '"Je dis STOP"', "declic", "Make-IT-Safe", "voyageurs", "evenements", "slachtoffers",
    "enfan*", "exploitaton~", "title:rapport", "kinderhandel OR mensenhandel", "enfants -tourisme",
    "prévention AND internet", "code of conduct hotels", "droits de l'enfant", "ALERT", "", "lang:nl",
    "year:2019 enfants", "uitbuiting van jongeren via internet",
]
REPEAT = 5
#: For a generated corpus (bench/make_corpus.py: public EU, Belgian and Canadian texts).
GENERIC = [
    "protection des données", "données personnelles", "gegevensbescherming", "data protection", "personal data",
    "règlement", "commission européenne", "gemeente", "environmental impact", "enfants", "kinderen", "children",
    "droits fondamentaux", "\"European Union\"", "verordening OR richtlijn", "protect*", "regulaton~",
    "title:rapport", "zonage -urbanisme", "Communiqué de presse", "jaarverslag", "lang:nl", "",
    "traite des enfants", "ALERT", "year:2019 report",
]


def run(engine_name: str, corpus: Path, index_dir: Path, queries: list[str]) -> tuple[dict, float]:
    os.environ["ARCHIVE_ENGINE"] = engine_name
    from indexer.contract import SearchRequest
    from indexer.engines import open_engine
    from indexer.sync import SyncOptions, sync

    started = time.monotonic()
    sync([corpus], index_dir, SyncOptions(jobs=2))
    ingest = time.monotonic() - started
    engine = open_engine(index_dir)
    out = {}
    for q in queries:
        times = []
        for _ in range(REPEAT):  # the first run warms caches; the median is reported
            t = time.monotonic()
            r = engine.search(SearchRequest(q, per_page=10))
            times.append((time.monotonic() - t) * 1000)
        ms = statistics.median(times)
        first = r.hits[0] if r.hits else None
        out[q] = (r.total, first.title[:40] if first else "-", first.page if first else None,
                  [h.id for h in r.hits[:5]], r.suggestion, ms)
    engine.close()
    return out, ingest


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--generic", action="store_true", help="queries for a corpus made by bench/make_corpus.py")
    args = ap.parse_args()
    queries = GENERIC if args.generic else QUERIES
    os.environ.setdefault("ARCHIVE_OPENSEARCH_INDEX", "archive-compare")
    with tempfile.TemporaryDirectory() as tmp:
        whoosh, w_ingest = run("whoosh", args.corpus.resolve(), Path(tmp) / "whoosh", queries)
        opensearch, o_ingest = run("opensearch", args.corpus.resolve(), Path(tmp) / "opensearch", queries)
    print(f"ingest: whoosh {w_ingest:.1f} s, opensearch {o_ingest:.1f} s")
    same_total = same_first = 0
    print("| query | total W / OS | first document W | first document OS | top-5 overlap | ms W / OS |")
    print("|---|---|---|---|---|---|")
    for q in queries:
        w, o = whoosh[q], opensearch[q]
        same_total += w[0] == o[0]
        same_first += w[3][:1] == o[3][:1]
        overlap = len(set(w[3]) & set(o[3]))
        mark = "" if (w[0] == o[0] and w[3][:1] == o[3][:1]) else " **≠**"
        first_w = f"{w[1]} (p. {w[2]})" if w[2] else w[1]
        first_o = f"{o[1]} (p. {o[2]})" if o[2] else o[1]
        print(f"| `{q or '(empty)'}`{mark} | {w[0]} / {o[0]} | {first_w} | {first_o} | {overlap}/{min(5, len(w[3]))} | {w[5]:.0f} / {o[5]:.0f} |")
    print(f"\nsame total: {same_total}/{len(queries)}; same first document: {same_first}/{len(queries)}")
    for name, found in (("whoosh", whoosh), ("opensearch", opensearch)):
        ms = sorted(v[5] for v in found.values())
        print(f"{name}: median of the per-query medians {statistics.median(ms):.0f} ms, slowest {ms[-1]:.0f} ms")


if __name__ == "__main__":
    main()
