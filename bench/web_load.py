"""Load test of the search page: N concurrent clients for S seconds; prints requests/s, latency and errors.

    python bench/web_load.py --index DIR --clients 8 --seconds 20
    python bench/web_load.py --url http://127.0.0.1:8000 --queries "traite" "kinderhandel" --seconds 10

Without --url it starts `archive serve --index DIR` in a child process on a free
port (so the clients do not share the server's interpreter) and stops it at the
end. Each client sends one request at a time: the search page (HTML) with a
query from the mix, now and then with a filter, a second page or date sorting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import httpx

#: FR/NL/EN words, phrases, operators, a misspelling (the suggestion path) and the empty query (browsing).
QUERIES = [
    "traite des enfants", "kinderhandel", "child trafficking", "enfants", "exploitation", "slachtoffers",
    '"traite des enfants"', "formation OR opleiding", "protect*", "ECPAT", "rapport annuel", "voogden",
    "tourism", "sporting events", "uitbuiting online", "victimes", "enfnats", "",
]
VARIANTS = [{}, {}, {}, {"lang": "fr"}, {"lang": "nl"}, {"page": "2"}, {"sort": "date"}, {"type": "report"}]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(index: Path, extra: list[str]):
    port = free_port()
    command = [sys.executable, "-c", "import sys; from search.cli import main; sys.exit(main())",
               "serve", "--index", str(index), "--port", str(port), *extra]
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if child.poll() is not None:
                raise SystemExit(f"the server exited with status {child.returncode}")
            try:
                httpx.get(url + "/static/style.css", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start within 60 s")
                time.sleep(0.1)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()


async def client(url: str, queries: list[str], deadline: float, seed: int, results: list, headers: dict) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=headers) as http:
        while time.monotonic() < deadline:
            params = {"q": rng.choice(queries), **rng.choice(VARIANTS)}
            started = time.perf_counter()
            try:
                response = await http.get("/", params=params)
                status = response.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            results.append((time.perf_counter() - started, status))


async def run(url: str, clients: int, seconds: float, queries: list[str], warmup: float, headers: dict) -> list:
    if warmup:
        await asyncio.gather(*(client(url, queries, time.monotonic() + warmup, 1000 + i, [], headers) for i in range(clients)))
    results: list = []
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(client(url, queries, deadline, i, results, headers) for i in range(clients)))
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="Index folder; a server is started on it (unless --url).")
    parser.add_argument("--url", help="An already running site, e.g. http://127.0.0.1:8000.")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0, help="Seconds of unmeasured requests first (fills caches).")
    parser.add_argument("--url-queries", "--queries", dest="queries", nargs="+", help="Queries to mix (default: a built-in FR/NL/EN mix).")
    parser.add_argument("--workers", type=int, default=1, help="Server processes, for the server this script starts.")
    parser.add_argument("--token", default=os.environ.get("ARCHIVE_STAFF_TOKEN"), help="Bearer token, for a --staff server.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    if not args.url and not args.index:
        parser.error("give --index DIR (to start a server) or --url URL")
    queries = args.queries or QUERIES
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}

    if args.url:
        results = asyncio.run(run(args.url.rstrip("/"), args.clients, args.seconds, queries, args.warmup, headers))
    else:
        extra = ["--workers", str(args.workers)] + (["--staff"] if args.token else [])
        with local_server(args.index, extra) as url:
            results = asyncio.run(run(url, args.clients, args.seconds, queries, args.warmup, headers))

    latencies = [seconds for seconds, status in results if status == 200]
    statuses = Counter(str(status) for _, status in results)
    errors = sum(n for status, n in statuses.items() if status != "200")
    figures = {
        "clients": args.clients,
        "workers": args.workers if not args.url else None,
        "seconds": args.seconds,
        "requests": len(results),
        "requests_per_second": round(len(results) / args.seconds, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
        "errors": errors,
        "statuses": dict(statuses),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{figures['requests']} requests in {args.seconds:g} s from {args.clients} clients: "
          f"{figures['requests_per_second']} requests/s")
    print(f"latency p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, mean {figures['mean_ms']} ms")
    print(f"errors: {errors}" + (f" ({', '.join(f'{s}: {n}' for s, n in statuses.items() if s != '200')})" if errors else ""))


if __name__ == "__main__":
    main()
