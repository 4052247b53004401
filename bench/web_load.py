"""Load test of the site: N concurrent clients for S seconds; prints requests/s, latency and errors.

    python bench/web_load.py --index DIR --clients 8 --seconds 20
    python bench/web_load.py --url http://127.0.0.1:8000 --queries "traite" "kinderhandel" --seconds 10
    python bench/web_load.py --index DIR --mix site --clients 50 --seconds 60 --wrk

Without --url it starts `archive serve --index DIR` in a child process on a free
port (so the clients do not share the server's interpreter) and stops it at the
end. Each client sends one request at a time. With ``--mix page`` (the default)
every request is the search page (HTML) with a query from the mix, now and then
with a filter, a second page or date sorting. With ``--mix site`` the requests
are what readers and scripts do across the site (see ``SITE_MIX``): search pages
with queries, facet filters, dates and sorting, ``/api/search``, document pages,
``/api/documents/ID``, CSV exports and the statistics; filter values and
document ids are read from the site first, so every request should succeed.

An error is a connection error, a time-out (30 s) or a status that is not 2xx or
3xx. ``--wrk`` sends the requests with wrk (Debian package ``wrk``) instead of
Python: it costs the two-core machine far less CPU than the server it measures,
but gives no breakdown by kind of request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx

#: FR/NL/EN words, phrases, operators, a misspelling (the suggestion path) and the empty query (browsing).
QUERIES = [
    "traite des enfants", "kinderhandel", "child trafficking", "enfants", "exploitation", "slachtoffers",
    '"traite des enfants"', "formation OR opleiding", "protect*", "ECPAT", "rapport annuel", "voogden",
    "tourism", "sporting events", "uitbuiting online", "victimes", "enfnats", "",
]
VARIANTS = [{}, {}, {}, {"lang": "fr"}, {"lang": "nl"}, {"page": "2"}, {"sort": "date"}, {"type": "report"}]
#: Kinds of request in ``--mix site`` and their shares (per cent).
SITE_MIX = {
    "search page": 30,          # /?q=... now and then with a filter, a page, a sort (VARIANTS)
    "search page, facets": 15,  # /?q=...&year=..&project=..&from=.. with values the facets offer
    "api search": 15,           # /api/search with the same parameters
    "document page": 20,        # /documents/ID, half of them with ?q= (highlighted)
    "api document": 5,          # /api/documents/ID
    "csv export": 5,            # /api/search.csv?q=...
    "stats page": 5,            # /stats (charts drawn on the server)
    "api stats": 5,             # /api/stats
}
TARGETS = 4000  # distinct requests drawn for --mix site; the clients pick among them at random


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


def site_targets(url: str, queries: list[str], headers: dict, count: int = TARGETS, seed: int = 0) -> list[tuple[str, str]]:
    """``count`` (kind, path) pairs drawn by ``SITE_MIX``, with filter values and ids read from the site."""
    rng = random.Random(seed)
    everything = httpx.get(url + "/api/search", params={"per_page": 100}, headers=headers, timeout=60).json()
    ids = [hit["id"] for hit in everything["hits"]]
    facets = {name: list(values) for name, values in everything["facets"].items() if values}
    if not ids:
        raise SystemExit("the index has no public document to load the site with")
    words = [q for q in queries if q]

    def search_params(with_facets: bool) -> dict:
        params = {"q": rng.choice(queries), **rng.choice(VARIANTS)}
        if with_facets:
            for name in rng.sample(sorted(facets), k=min(len(facets), rng.choice((1, 1, 2)))):
                params[name] = rng.choice(facets[name])
            if rng.random() < 0.3:
                params["from"] = f"{rng.randint(2012, 2020)}-01-01"
        return params

    def target(kind: str) -> str:
        if kind == "search page":
            return "/?" + urlencode(search_params(False))
        if kind == "search page, facets":
            return "/?" + urlencode(search_params(True))
        if kind == "api search":
            return "/api/search?" + urlencode(search_params(rng.random() < 0.5))
        if kind == "document page":
            doc = rng.choice(ids)
            return f"/documents/{doc}" + ("?" + urlencode({"q": rng.choice(words)}) if words and rng.random() < 0.5 else "")
        if kind == "api document":
            return f"/api/documents/{rng.choice(ids)}"
        if kind == "csv export":
            return "/api/search.csv?" + urlencode({"q": rng.choice(queries)})
        return {"stats page": "/stats", "api stats": "/api/stats"}[kind]

    kinds = rng.choices(list(SITE_MIX), weights=list(SITE_MIX.values()), k=count)
    return [(kind, target(kind)) for kind in kinds]


async def client(url: str, queries: list[str], deadline: float, seed: int, results: list, headers: dict,
                 targets: list[tuple[str, str]] | None = None, by_kind: dict | None = None) -> None:
    """One reader: a request, its answer, the next request. ``results`` gets (seconds, status) pairs."""
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=headers) as http:
        while time.monotonic() < deadline:
            if targets:
                kind, path = rng.choice(targets)
                request = http.build_request("GET", path)
            else:
                kind = "search page"
                request = http.build_request("GET", "/", params={"q": rng.choice(queries), **rng.choice(VARIANTS)})
            started = time.perf_counter()
            try:
                response = await http.send(request)
                status = response.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            results.append((time.perf_counter() - started, status))
            if by_kind is not None:
                by_kind[kind].append(results[-1])


async def run(url: str, clients: int, seconds: float, queries: list[str], warmup: float, headers: dict,
              targets: list[tuple[str, str]] | None = None, by_kind: dict | None = None) -> list:
    if warmup:
        await asyncio.gather(*(client(url, queries, time.monotonic() + warmup, 1000 + i, [], headers, targets)
                               for i in range(clients)))
    results: list = []
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(client(url, queries, deadline, i, results, headers, targets, by_kind) for i in range(clients)))
    return results


WRK_SCRIPT = """
local paths = {%(paths)s}
local headers = %(headers)s
local next_seed = %(seed)d
function setup(thread)
  next_seed = next_seed + 1
  thread:set("seed", next_seed)
end
function init(args)
  math.randomseed(seed)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK-JSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "mean_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
"""


def _lua_string(text: str) -> str:
    """A Lua string literal: the bytes outside a safe ASCII set as ``\\ddd``."""
    safe = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/?=&%-_.,:+*~")
    return '"' + "".join(chr(b) if b in safe else f"\\{b:03d}" for b in text.encode("utf-8")) + '"'


def run_wrk(url: str, clients: int, seconds: float, targets: list[tuple[str, str]], warmup: float, headers: dict) -> dict:
    """Load with wrk (one thread: it only waits on sockets); its own figures, from the script's done()."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk); run without --wrk to use the Python clients")
    script = WRK_SCRIPT % {
        "paths": ", ".join(_lua_string(path) for _, path in targets),
        "headers": "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()) + "}",
        "seed": 0,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        def wrk(duration: float) -> dict:
            command = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(duration))}s", "--timeout", "30s", "-s", lua.name, url]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            line = next(row for row in out.splitlines() if row.startswith("WRK-JSON "))
            return json.loads(line.removeprefix("WRK-JSON "))

        if warmup:
            wrk(warmup)
        return wrk(seconds)
    finally:
        os.unlink(lua.name)


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
    parser.add_argument("--mix", choices=("page", "site"), default="page",
                        help="page: the search page only; site: search pages, API, documents, CSV, stats (SITE_MIX).")
    parser.add_argument("--wrk", action="store_true", help="Send the requests with wrk (light on CPU) instead of Python.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    if not args.url and not args.index:
        parser.error("give --index DIR (to start a server) or --url URL")
    queries = args.queries or QUERIES
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}

    load_before = os.getloadavg()
    if args.url:
        figures = measure(args.url.rstrip("/"), args, queries, headers)
    else:
        extra = ["--workers", str(args.workers)] + (["--staff"] if args.token else [])
        with local_server(args.index, extra) as url:
            figures = measure(url, args, queries, headers)
    figures["workers"] = args.workers if not args.url else None
    figures["load_before"], figures["load_after"] = load_before, os.getloadavg()
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{figures['requests']} requests in {args.seconds:g} s from {args.clients} clients ({figures['tool']}, "
          f"{args.mix} mix, {figures['documents']} documents): {figures['requests_per_second']} requests/s")
    print(f"latency p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms, mean {figures['mean_ms']} ms")
    errors = figures["errors"]
    print(f"errors: {errors}" + (f" ({', '.join(f'{s}: {n}' for s, n in figures['statuses'].items() if n)})" if errors else ""))
    for kind, row in figures.get("by_kind", {}).items():
        print(f"  {kind:<20} {row['requests']:>6} requests, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
              f"p99 {row['p99_ms']} ms, errors {row['errors']}")
    print("load average before %.2f %.2f %.2f, after %.2f %.2f %.2f" % (*figures["load_before"], *figures["load_after"]))


def measure(url: str, args, queries: list[str], headers: dict) -> dict:
    documents = httpx.get(url + "/api/stats", headers=headers, timeout=60).json()["documents"]
    targets = site_targets(url, queries, headers) if args.mix == "site" else None
    if args.wrk:
        targets = targets or [("search page", "/?" + urlencode({"q": q, **v})) for q in queries for v in VARIANTS]
        figures = wrk_figures(run_wrk(url, args.clients, args.seconds, targets, args.warmup, headers))
    else:
        by_kind: dict = defaultdict(list)
        results = asyncio.run(run(url, args.clients, args.seconds, queries, args.warmup, headers, targets, by_kind))
        figures = summarise(results, args.seconds)
        if targets:
            figures["by_kind"] = {kind: summarise(by_kind[kind], args.seconds) for kind in SITE_MIX if by_kind[kind]}
    return {"tool": "wrk" if args.wrk else "python", "mix": args.mix, "clients": args.clients, "seconds": args.seconds,
            "documents": documents, **figures}


def succeeded(status) -> bool:
    return isinstance(status, int) and 200 <= status < 400


def summarise(results: list, seconds: float) -> dict:
    """Figures from (seconds, status) pairs; latency over the requests that succeeded."""
    latencies = [took for took, status in results if succeeded(status)]
    statuses = Counter(str(status) for _, status in results)
    return {
        "requests": len(results),
        "requests_per_second": round(len(results) / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else 0.0,
        "errors": sum(1 for _, status in results if not succeeded(status)),
        "statuses": {status: n for status, n in statuses.items() if not (status.isdigit() and succeeded(int(status)))},
    }


def wrk_figures(raw: dict) -> dict:
    """wrk's latency covers every response; its errors are connection errors, time-outs and non-2xx/3xx statuses."""
    kinds = ("connect", "read", "write", "timeout", "status")
    return {
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "mean_ms": round(raw["mean_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "errors": sum(raw[k] for k in kinds),
        "statuses": {("non-2xx/3xx" if k == "status" else k): raw[k] for k in kinds},
    }


if __name__ == "__main__":
    main()
