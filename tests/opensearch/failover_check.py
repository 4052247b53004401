"""Losing a node while clients search: every search must answer, with the same totals.

    .venv/bin/python tests/opensearch/failover_check.py --data /tmp/os --urls http://127.0.0.1:9200,... \\
        [--clients 8] [--seconds 40] [--kill-after 10] [--node 1] [--restart]

The cluster (started with ``scripts/opensearch-cluster start --nodes 3 --data DIR``) gets the
bundled corpus in the alias ``archive-failover`` (1 replica: every shard has a copy on two
nodes); CLIENTS threads share one engine and search a fixed set of queries in a loop; after
KILL_AFTER seconds node NODE is SIGKILLed (``scripts/opensearch-cluster kill-node``). Prints
searches, errors, totals that differ from the baseline, and latency before and after the kill.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

QUERIES = ["traite des enfants", "kinderhandel", "child trafficking", "exploitation sexuelle", "declic", "enfan*",
           "tourisme sexuel", "", "lang:nl", "year:2019 enfants", "voyageurs", "slachtoffers"]


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--urls", required=True)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--kill-after", type=float, default=10)
    ap.add_argument("--node", default="1", help="the node to kill (0-based), or 'primary': the one holding the primary shard")
    ap.add_argument("--restart", action="store_true", help="start the node again at the end")
    args = ap.parse_args()
    os.environ.update(ARCHIVE_ENGINE="opensearch", ARCHIVE_OPENSEARCH_URL=args.urls, ARCHIVE_OPENSEARCH_INDEX="archive-failover")
    os.environ.setdefault("ARCHIVE_OPENSEARCH_VERIFY", "0")
    from indexer.contract import SearchRequest
    from indexer.engines import open_engine
    from indexer.sync import SyncOptions, sync

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        sync([ROOT / "corpus"], index_dir, SyncOptions(jobs=2))
        engine = open_engine(index_dir)
        baseline = {q: engine.search(SearchRequest(q)).total for q in QUERIES}
        client = engine.client
        shards = client.cat.shards(index="archive-failover", format="json")
        print("shards:", [(s["shard"], s["prirep"], s["node"], s["state"]) for s in shards])
        if args.node == "primary":
            args.node = next(s["node"] for s in shards if s["prirep"] == "p").rsplit("-", 1)[-1]
        print("cluster manager:", client.cat.cluster_manager(format="json")[0]["node"])
        results: list[tuple[float, str, int | None, float, str]] = []
        lock = threading.Lock()
        start = time.monotonic()
        stop_at = start + args.seconds

        def client_loop(n: int) -> None:
            i = n
            while time.monotonic() < stop_at:
                q = QUERIES[i % len(QUERIES)]
                i += 1
                t = time.monotonic()
                try:
                    total, error = engine.search(SearchRequest(q)).total, ""
                except Exception as exc:  # noqa: BLE001 - every failure is counted
                    total, error = None, f"{type(exc).__name__}: {exc}"[:200]
                with lock:
                    results.append((t - start, q, total, time.monotonic() - t, error))

        threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(args.clients)]
        for th in threads:
            th.start()
        time.sleep(args.kill_after)
        killed_at = time.monotonic() - start
        subprocess.run([sys.executable, str(ROOT / "scripts" / "opensearch-cluster"), "kill-node", str(args.node),
                        "--data", args.data], check=True)
        print(f"node {args.node} killed at {killed_at:.1f} s")
        for th in threads:
            th.join()
        health = client.cluster.health()
        engine.close()

    errors = [r for r in results if r[4]]
    wrong = [r for r in results if r[2] is not None and r[2] != baseline[r[1]]]
    before = [r[3] * 1000 for r in results if r[0] < killed_at]
    after = [r[3] * 1000 for r in results if r[0] >= killed_at]
    window = [r[3] * 1000 for r in results if killed_at <= r[0] < killed_at + 5]
    print(f"searches: {len(results)} ({len(before)} before the kill, {len(after)} after); errors: {len(errors)}; "
          f"totals different from the baseline: {len(wrong)}")
    for label, values in (("before", before), ("after", after), ("first 5 s after", window)):
        if values:
            print(f"latency {label}: p50 {statistics.median(values):.0f} ms, p95 {pct(values, 95):.0f} ms, max {max(values):.0f} ms")
    print(f"cluster after: {health['status']}, {health['number_of_nodes']} nodes, unassigned shards {health['unassigned_shards']}")
    for r in errors[:5]:
        print("error:", r)
    if args.restart:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "opensearch-cluster"), "start-node", str(args.node),
                        "--data", args.data], check=True)
    sys.exit(1 if errors or wrong else 0)


if __name__ == "__main__":
    main()
