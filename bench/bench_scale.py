"""Engine writes and query latency at scale: Whoosh, OpenSearch on 1 node and on 3 nodes, one run.

    python bench/bench_scale.py --docs 20000 [--seed 0] [--queries 200] [--heap 1g] [--port 9400]
                                [--data-dir /tmp/archive-scale] [--whoosh-seconds S] [--engines whoosh,os1,os3]
                                [--json OUT]

**Documents.** ``bench/make_corpus.py``'s generator (``compose``: same seed, same text pool,
document ``i`` the same whatever ``--docs``) gives each document's title, date, type,
projects, language(s) and paragraphs; they become :class:`archive.model.Document` objects
directly, passages cut by ``archive.textutil.chunk_paragraphs`` (as the text extractor cuts
them), each passage labelled with the language its section was generated in. **No file is
written or extracted**: the languages are the generator's, not detected. So the write
figures are the *engine write* alone (``engine.writer()`` blocks of ``--batch`` documents,
committed as ``archive ingest`` commits them, the last with ``finish``; CPU includes Whoosh's
sub-writer processes); extraction, which
is the same work whatever the engine (PERFORMANCE.md), is excluded. Building the documents
is not timed.

**Engines**, one after the other on the same documents:

* ``whoosh``: the embedded index in ``DATA_DIR/whoosh`` (stopped after ``--whoosh-seconds``
  of writing, if given: then its rate is reported and its queries are not run);
* ``os1``: a 1-node OpenSearch cluster (``scripts/opensearch-cluster``, heap ``--heap``),
  1 shard, 0 replicas;
* ``os3``: a 3-node cluster on the same machine, ``--os3-shards`` shards (default 3),
  1 replica: every document is written twice.

Each cluster is started before its engine and stopped after it. Write CPU is the client's
(this process) and, for OpenSearch, the nodes' JVMs (``/proc/PID/stat``).

**Queries.** Drawn as ``bench/bench_search.py`` draws them (fixed seed, from the text of
random single-language documents, a third each in French, Dutch and English; 40 % one
word, 40 % two, 20 % three), the same list for every engine. Each engine is opened once;
each kind is warmed up on 20 other queries, then timed: ``no facets`` (first page of 10,
highlighted), ``filtered`` (lang + year of the source document) and ``full page``
(facets + highlights, what the CLI and the web page ask). Highlighting stays on (the
engines have no common switch for it). CPU per query: the client's, plus for OpenSearch
the JVMs' over the batch divided by the queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_corpus  # noqa: E402
from bench_search import WARMUP, _WORD, time_kind  # noqa: E402
from eval_search import machine, percentile  # noqa: E402

CLUSTER = ROOT / "scripts" / "opensearch-cluster"
FORMATS = {"txt": "text", "html": "html", "pdf": "pdf"}
KINDS = (
    # name, facets, filtered
    ("no facets", False, False),
    ("filtered (lang + year)", False, True),
    ("full page (facets)", True, False),
)
CLK = os.sysconf("SC_CLK_TCK")


# --- documents ----------------------------------------------------------------------


class Generator:
    """Document ``i`` of the generated corpus, as the archive's model, without files."""

    def __init__(self, seed: int, data: Path):
        self.seed = seed
        self.pool = make_corpus.build_pool(data, make_corpus.OUT / "cache")
        self.projects = make_corpus.load_projects(make_corpus.DEFAULT_PROJECTS)
        self.root = f"/scale-corpus/s{seed}"

    def spec(self, number: int):
        return make_corpus.compose(number, self.seed, self.pool, self.projects)

    def document(self, number: int):
        from archive.model import Document, Passage
        from archive.pipeline import document_id
        from archive.textutil import chunk_paragraphs

        spec, content = self.spec(number)
        passages = []
        for n, (lang, paras) in enumerate(content["sections"]):
            if n == 0:
                paras = [content["dateline"], *paras]
            passages += [Passage(chunk, None, lang) for chunk in chunk_paragraphs(paras)]
        if spec.format == "pdf":
            for page, passage in enumerate(passages, 1):
                passage.page = page  # one page per chunk: the pages a PDF would give
        words = {lang: sum(len(p.split()) for p in paras) for lang, paras in content["sections"]}
        total = sum(words.values()) or 1
        path = f"{self.root}/{spec.file}"
        text = "\n\n".join(p.text for p in passages)
        return Document(
            path=path, format=FORMATS[spec.format], passages=passages, title=spec.title,
            date=dt.date.fromisoformat(spec.date), type=spec.type,
            projects=[self.projects[i][0] for i in spec.projects], lang=spec.lang,
            langs={lang: round(n / total, 3) for lang, n in words.items()}, id=document_id(path, 0),
            content_hash=hashlib.sha256(text.encode()).hexdigest())

    def batches(self, docs: int, size: int):
        for start in range(0, docs, size):
            yield [self.document(i) for i in range(start, min(docs, start + size))]


def draw_queries(gen: Generator, docs: int, count: int, seed: int) -> list[dict]:
    """bench_search.draw_queries' rules, on the generated documents' text."""
    rng = random.Random(f"bench-search/{seed}")
    by_lang: dict[str, list[int]] = {}
    for i in range(docs):
        spec, _ = gen.spec(i)
        if len(spec.langs) == 1:
            by_lang.setdefault(spec.lang, []).append(i)
    langs = sorted(by_lang)
    queries: list[dict] = []
    while len(queries) < count:
        lang = langs[len(queries) % len(langs)]
        doc = gen.document(rng.choice(by_lang[lang]))
        words = _WORD.findall(doc.text)
        size = rng.choices((1, 2, 3), weights=(0.4, 0.4, 0.2))[0]
        for _ in range(50):
            at = rng.randrange(max(1, len(words) - size))
            run = words[at:at + size]
            if len(run) == size and all(len(w) >= (4 if size == 1 else 3) for w in run):
                queries.append({"query": " ".join(run), "lang": lang, "year": doc.year, "words": size})
                break
    return queries


# --- clusters -----------------------------------------------------------------------


class Cluster:
    def __init__(self, nodes: int, port: int, data: Path, heap: str):
        self.nodes, self.port, self.data, self.heap = nodes, port, data, heap
        self.urls: list[str] = []

    def start(self) -> None:
        if self.data.exists():
            shutil.rmtree(self.data)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, str(CLUSTER), "start", "--nodes", str(self.nodes), "--port", str(self.port),
                               "--data", str(self.data), "--heap", self.heap], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"cluster start failed: {done.stderr.strip()[-800:]}")
        self.urls = done.stdout.strip().split(",")
        print(f"  {self.nodes}-node cluster up in {time.perf_counter() - started:.0f} s: {','.join(self.urls)}", flush=True)

    def stop(self) -> None:
        subprocess.run([sys.executable, str(CLUSTER), "stop", "--data", str(self.data)], capture_output=True, text=True)

    def pids(self) -> list[int]:
        out = []
        for k in range(self.nodes):
            try:
                out.append(int((self.data / f"node-{k}.pid").read_text().strip()))
            except (OSError, ValueError):
                pass
        return out

    def cpu(self) -> float:
        """User + system seconds of the node JVMs so far."""
        total = 0.0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / CLK
        return total

    def rss_mb(self) -> list[float]:
        out = []
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return out


# --- one engine ---------------------------------------------------------------------


def open_whoosh(folder: Path, create: bool):
    from indexer.engines import engine_class

    return engine_class("whoosh").open(folder, None, create=create)


def open_opensearch(folder: Path, cluster: Cluster, shards: int, replicas: int, create: bool):
    from indexer.opensearch.client import Settings
    from indexer.opensearch.engine import OpenSearchEngine

    settings = Settings(tuple(cluster.urls), None, None, None, True, "scale", shards, replicas, timeout=120.0)
    return OpenSearchEngine(folder, settings, create=create)


def cpu_with_children() -> float:
    """This process's CPU seconds plus its finished children's (Whoosh writes in sub-writer processes)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def write_all(engine, gen: Generator, docs: int, batch: int, cluster: Cluster | None, budget: float | None) -> dict:
    """Every document through ``engine.writer()``, ``batch`` per block; only the blocks are timed."""
    written, wall, client_cpu, jvm_cpu = 0, 0.0, 0.0, 0.0
    load = [round(os.getloadavg()[0], 1)]
    batches = (docs + batch - 1) // batch
    complete = True
    for n, documents in enumerate(gen.batches(docs, batch)):
        last = n == batches - 1
        start, start_cpu = time.perf_counter(), cpu_with_children()
        start_jvm = cluster.cpu() if cluster else 0.0
        with engine.writer(finish=last) as w:
            for document in documents:
                w.add(document)
        wall += time.perf_counter() - start
        client_cpu += cpu_with_children() - start_cpu
        jvm_cpu += (cluster.cpu() - start_jvm) if cluster else 0.0
        written += len(documents)
        if written % (10 * batch) == 0 or last:
            print(f"    {written:,} documents, {wall:.0f} s of writing ({written / wall:.1f} docs/s)", flush=True)
        if budget and wall > budget and not last:
            complete = False
            print(f"    stopped after {wall:.0f} s of writing (--whoosh-seconds {budget:.0f})", flush=True)
            break
    load.append(round(os.getloadavg()[0], 1))
    return {"documents": written, "complete": complete, "seconds": wall, "docs_per_s": written / wall if wall else 0.0,
            "client_cpu": client_cpu, "jvm_cpu": jvm_cpu, "load": load}


def time_queries(engine, queries: list[dict], warm: list[dict], cluster: Cluster | None) -> dict:
    out = {}
    for name, facets, filtered in KINDS:
        time_kind(engine, warm, [], facets, True, filtered)  # warm-up, outside the cluster's CPU and the rate
        jvm_start = cluster.cpu() if cluster else 0.0
        started = time.perf_counter()
        timed = time_kind(engine, queries, [], facets, True, filtered)
        elapsed = time.perf_counter() - started
        wall, cpu, totals = timed["wall"], timed["cpu"], timed["totals"]
        jvm_ms = 1000 * ((cluster.cpu() - jvm_start) if cluster else 0.0) / len(queries)
        out[name] = {"p50": percentile(wall, 50), "p95": percentile(wall, 95), "max": max(wall),
                     "client_cpu_p50": percentile(cpu, 50), "jvm_cpu_mean": jvm_ms,
                     "qps": len(queries) / elapsed,
                     "median_total": statistics.median(totals), "totals": totals}
        print(f"    {name}: p50 {out[name]['p50']:.1f} ms, p95 {out[name]['p95']:.1f} ms, client CPU p50 "
              f"{out[name]['client_cpu_p50']:.1f} ms" + (f", cluster CPU {jvm_ms:.1f} ms/query" if cluster else ""), flush=True)
    return out


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def run_engine(key: str, args, gen: Generator, queries: list[dict], warm: list[dict]) -> dict:
    folder = args.data_dir / f"{key}-index"
    if folder.exists():
        shutil.rmtree(folder)
    cluster = None
    result: dict = {"engine": key}
    try:
        if key == "whoosh":
            engine = open_whoosh(folder, create=True)
        else:
            nodes = 1 if key == "os1" else 3
            shards, replicas = (1, 0) if nodes == 1 else (args.os3_shards, 1)
            result.update(nodes=nodes, shards=shards, replicas=replicas, heap=args.heap)
            cluster = Cluster(nodes, args.port + (0 if nodes == 1 else 10), args.data_dir / key, args.heap)
            cluster.start()
            engine = open_opensearch(folder, cluster, shards, replicas, create=True)
        print(f"  {key}: writing {args.docs:,} documents ...", flush=True)
        budget = args.whoosh_seconds if key == "whoosh" else None
        result["write"] = write_all(engine, gen, args.docs, args.batch, cluster, budget)
        engine.close()
        if key == "whoosh":
            result["size_mb"] = dir_mb(folder)
        else:
            client = open_opensearch(folder, cluster, 1, 0, create=False).client
            stats = client.indices.stats(index="scale")["_all"]
            result["size_mb"] = stats["total"]["store"]["size_in_bytes"] / 1e6
            result["primary_mb"] = stats["primaries"]["store"]["size_in_bytes"] / 1e6
            result["lucene_docs"] = stats["primaries"]["docs"]["count"]
            client.close()
        if not result["write"]["complete"]:
            result["queries"] = None
            return result
        started = time.perf_counter()
        engine = open_whoosh(folder, create=False) if key == "whoosh" else \
            open_opensearch(folder, cluster, 1, 0, create=False)
        result["open_ms"] = 1000 * (time.perf_counter() - started)
        print(f"  {key}: {len(queries)} queries per kind ...", flush=True)
        load = [round(os.getloadavg()[0], 1)]
        result["queries"] = time_queries(engine, queries, warm, cluster)
        result["query_load"] = load + [round(os.getloadavg()[0], 1)]
        if cluster:
            result["rss_mb"] = cluster.rss_mb()
        else:
            import resource
            result["rss_mb"] = [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]
        engine.close()
    finally:
        if cluster:
            cluster.stop()
            if not args.keep:
                shutil.rmtree(cluster.data, ignore_errors=True)
        if key == "whoosh" and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return result


# --- report -------------------------------------------------------------------------


LABELS = {"whoosh": "Whoosh", "os1": "OpenSearch 1 node", "os3": "OpenSearch 3 nodes"}


def table(results: list[dict], docs: int) -> str:
    lines = [f"| {docs:,} documents | " + " | ".join(LABELS[r["engine"]] for r in results) + " |",
             "|---|" + "---:|" * len(results)]

    def row(label, fn):
        cells = []
        for r in results:
            try:
                cells.append(fn(r))
            except (KeyError, TypeError):
                cells.append("–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("layout", lambda r: "embedded" if r["engine"] == "whoosh" else
        f"{r['shards']} shard{'s' if r['shards'] > 1 else ''}, {r['replicas']} replica{'s' if r['replicas'] != 1 else ''}, heap {r['heap']}")
    row("documents written", lambda r: f"{r['write']['documents']:,}" + ("" if r["write"]["complete"] else " (stopped)"))
    row("engine write, wall", lambda r: f"{r['write']['seconds']:.0f} s")
    row("documents/s", lambda r: f"**{r['write']['docs_per_s']:.1f}**")
    row("write CPU: client / nodes", lambda r: f"{r['write']['client_cpu']:.0f} s" +
        ("" if r["engine"] == "whoosh" else f" / {r['write']['jvm_cpu']:.0f} s"))
    row("load average during the write", lambda r: f"{r['write']['load'][0]} → {r['write']['load'][1]}")
    row("index size (all copies)", lambda r: f"{r['size_mb']:.0f} MB")
    for name, _, _ in KINDS:
        row(f"{name}: p50 / p95", lambda r, n=name: f"{r['queries'][n]['p50']:.0f} / **{r['queries'][n]['p95']:.0f}** ms")
    full = KINDS[-1][0]
    row("full page: CPU per query, client + nodes", lambda r: f"{r['queries'][full]['client_cpu_p50']:.0f}" +
        ("" if r["engine"] == "whoosh" else f" + {r['queries'][full]['jvm_cpu_mean']:.0f}") + " ms")
    row("full page: median documents found", lambda r: f"{r['queries'][full]['median_total']:,.0f}")
    row("load average during the queries", lambda r: f"{r['query_load'][0]} → {r['query_load'][1]}")
    row("memory (RSS per process)", lambda r: ", ".join(f"{m:.0f}" for m in r["rss_mb"]) + " MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch", type=int, default=500, help="documents per writer block (ingest's default batch)")
    parser.add_argument("--engines", default="os1,os3,whoosh", help="comma-separated, run in this order (default os1,os3,whoosh)")
    parser.add_argument("--heap", default="1g", help="heap per OpenSearch node (default 1g)")
    parser.add_argument("--os3-shards", type=int, default=3, help="primary shards on the 3-node cluster (default 3)")
    parser.add_argument("--port", type=int, default=9400, help="HTTP port of the 1-node cluster; the 3-node one uses PORT+10.. (default 9400)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/archive-scale"), help="clusters and indexes (default /tmp/archive-scale)")
    parser.add_argument("--whoosh-seconds", type=float, help="stop writing Whoosh after this many seconds (its rate is still reported)")
    parser.add_argument("--data", type=Path, default=make_corpus.DEFAULT_DATA, help="public data (default: ../shared/data)")
    parser.add_argument("--keep", action="store_true", help="keep the indexes and cluster folders")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    if not (args.data / "langid" / "sentences").is_dir():
        print(f"no public data in {args.data}; nothing to measure")
        return 0
    keys = [k.strip() for k in args.engines.split(",") if k.strip()]
    unknown = [k for k in keys if k not in LABELS]
    if unknown:
        parser.error(f"unknown engine(s) {', '.join(unknown)}: choose among {', '.join(LABELS)}")
    args.data_dir.mkdir(parents=True, exist_ok=True)

    gen = Generator(args.seed, args.data)
    started = time.perf_counter()
    sample = [gen.document(i) for i in range(min(args.docs, 1000))]
    build_ms = 1000 * (time.perf_counter() - started) / len(sample)
    passages = statistics.mean(len(d.passages) for d in sample)
    words = statistics.mean(len(d.text.split()) for d in sample)
    print(f"{args.docs:,} documents (first 1,000: {passages:.1f} passages and {words:.0f} words each on average; "
          f"{build_ms:.2f} ms to build one)", flush=True)
    queries = draw_queries(gen, args.docs, args.queries + WARMUP, args.seed)
    warm, queries = queries[:WARMUP], queries[WARMUP:]
    load = [round(os.getloadavg()[0], 1)]
    results = []
    for key in keys:
        results.append(run_engine(key, args, gen, queries, warm))
    load.append(round(os.getloadavg()[0], 1))

    report = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(), "docs": args.docs,
              "seed": args.seed, "queries": len(queries), "passages_per_doc": passages, "words_per_doc": words,
              "load": load, "command": "python bench/bench_scale.py " + " ".join(argv if argv is not None else sys.argv[1:]),
              "results": results}
    same = None
    done = [r for r in results if r.get("queries")]
    if len(done) > 1:
        full = KINDS[-1][0]
        base = done[0]["queries"][full]["totals"]
        same = {r["engine"]: sum(a == b for a, b in zip(base, r["queries"][full]["totals"])) for r in done[1:]}
        report["same_totals_as_" + done[0]["engine"]] = same
    print()
    print(f"*{report['date']}, {report['machine']}; load average {load[0]} → {load[1]} over the run.*")
    print()
    print(table(results, args.docs))
    if same:
        print(f"\nfull-page totals equal to {LABELS[done[0]['engine']]}'s: " +
              ", ".join(f"{LABELS[k]} {n}/{len(queries)}" for k, n in same.items()))
    if args.json:
        for r in results:
            for q in (r.get("queries") or {}).values():
                q.pop("totals", None)
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
