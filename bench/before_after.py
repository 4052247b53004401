"""Before and after the query optimisations: the same queries on the same index, each configuration in its own process.

    python bench/before_after.py --index bench/out/index-20000-s0 --corpus bench/out/corpus-20000-s0
        [--queries 150] [--before 03f91af] [--after HEAD] [--rounds 2] [--cli-runs 10] [--write-docs] [--report-only]

The optimisations measured (see ``git show --stat c1af0a4 bdf7225``):

* A: queries evaluated on posting lists as NumPy arrays with Whoosh's BM25F
  scores (``search/vectorized.py``), facets counted with arrays, the
  near-phrase boost checked lazily (``search/engine.py``, ``RESCORE_WINDOW``);
* B: the postings of each segment's frequent terms saved as memory-mapped
  arrays (``DIR/postings/``, ``indexer/postings.py``);
* C: Whoosh's ``BufferFile`` no longer copies every compound segment into
  memory when the index is opened (``indexer/whoosh_fixes.py``), and the
  filter fields' postings are saved too.

Configurations, each run in a child process of its own (imports and memory apart):

1. ``before``: the code at ``--before``, checked out with ``git worktree add``;
2. ``A``: the code at ``--after`` with ``indexer.whoosh.postings.load_all`` returning
   no arrays and Whoosh's own ``BufferFile.__init__`` put back (the index is
   copied into memory at open, as before);
3. ``A + B``: the saved arrays of the search fields only (not of the filter
   fields, which C added), index still copied at open;
4. ``A + B + C``: the code at ``--after`` as it is.

Both ``--before`` and ``--after`` are checked out in temporary worktrees (removed
at the end), so the working tree's uncommitted edits are not measured; each child
puts its worktree first on ``sys.path`` and checks that ``archive``, ``indexer``
and ``search`` come from it.

Queries come from ``bench_search.draw_queries`` (same seed, so the same queries
for every configuration): full-page requests (facets, highlights, first page of
10, internal documents included), then the same queries filtered by the
language and year of the document they came from. Every configuration runs
``--rounds`` times, the order reversed every other round (the load drifts), and
the query times of its rounds are pooled. Per configuration: the CPU
time to open the engine, the first query, then after 10 warm-up queries per
kind the CPU (``time.process_time``) and wall percentiles, and the child's peak
RSS. CPU time leads because the machine is shared. Then ``archive search
--index DIR --format json -- QUERY`` as a whole process, alternately on the
before and after code (``python -c`` with the worktree first on ``sys.path``),
``--cli-runs`` times each, CPU from ``os.wait4``. Answers are compared: the
first-page document ids, totals and facet counts of configurations 2-4 must be
identical; against ``before`` the near-phrase rescoring window may change a few first pages.

An index without saved postings for every segment (built before B) is copied
to a temporary folder and given them, so that B can be measured; the copy is
measured for every configuration and removed at the end.

Results are kept in ``bench/out/before-after.json`` (one entry per index);
``--write-docs`` rewrites the section of ``docs/PERFORMANCE.md`` between the
``before-after`` markers from all of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "PERFORMANCE.md"
RESULTS = ROOT / "bench" / "out" / "before-after.json"
BEGIN, END = "<!-- before-after:begin -->", "<!-- before-after:end -->"
HEADING = "## Before and after the query optimisations"
ANCHOR = "## What the figures say"
WARMUP = 10
SEED = 0

CONFIGS = (
    # key, label, code (before / after), saved postings, index copied at open
    ("before", "before (`{before}`)", "before"),
    ("A", "A: arrays; no saved postings, index copied at open", "after"),
    ("A+B", "A + B: saved postings of the search fields; index copied at open", "after"),
    ("A+B+C", "A + B + C: code at `{after}`", "after"),
)
KINDS = (("full", "full page"), ("filtered", "full page, filtered (lang + year)"))


# --- the child: one configuration --------------------------------------------------


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _configure(config: str) -> None:
    """Undo C (and B) in the after code for configurations 2 and 3; call after importing the engine."""
    if config not in ("A", "A+B"):
        return
    from indexer import postings
    from indexer.whoosh.schema import FILTER_FIELDS

    if config in ("A", "A+B"):
        from whoosh.filedb import structfile

        structfile.BufferFile.__init__ = _WHOOSH_BUFFER_INIT
    if config == "A":
        postings.load_all = lambda folder, reader: [None for _ in reader.leaf_readers()]
    elif config == "A+B":
        load_all = postings.load_all

        def search_fields_only(folder, reader):
            loaded = load_all(folder, reader)
            for arrays in loaded:
                if arrays is not None:
                    arrays.spans = {key: span for key, span in arrays.spans.items() if key[0] not in FILTER_FIELDS}
            return loaded

        postings.load_all = search_fields_only


_WHOOSH_BUFFER_INIT = None


def child(spec: dict) -> dict:
    global _WHOOSH_BUFFER_INIT
    root = spec["root"]
    sys.path.insert(0, root)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    from whoosh.filedb import structfile

    _WHOOSH_BUFFER_INIT = structfile.BufferFile.__init__  # before indexer.store patches it
    from indexer.whoosh.engine import WhooshEngine
    from indexer.contract import SearchRequest

    _configure(spec["config"])
    import_cpu = time.process_time() - cpu0
    modules = {name: sys.modules[name].__file__ for name in ("archive", "indexer", "search", "indexer.whoosh.engine", "indexer.store")}
    for name, path in modules.items():
        if not Path(path).resolve().is_relative_to(Path(root).resolve()):
            raise SystemExit(f"{name} imported from {path}, not from {root}")
    copies_at_open = structfile.BufferFile.__init__ is _WHOOSH_BUFFER_INIT

    cpu, wall = time.process_time(), time.perf_counter()
    engine = WhooshEngine.open(Path(spec["index"]))
    open_cpu, open_wall = time.process_time() - cpu, time.perf_counter() - wall
    rss_open = _status_kb("VmRSS")

    def request(query: dict, kind: str):
        filtered = kind == "filtered"
        return SearchRequest(query=query["query"], langs=(query["lang"],) if filtered else (),
                             years=(query["year"],) if filtered else (), per_page=10, facets=True, include_internal=True)

    out = {"config": spec["config"], "modules": modules, "copies_at_open": copies_at_open, "import_cpu": import_cpu,
           "open_cpu": open_cpu, "open_wall": open_wall, "rss_open_mb": rss_open / 1024, "kinds": {},
           "load": [os.getloadavg()[0]]}
    warm, queries = spec["queries"][:WARMUP], spec["queries"][WARMUP:]
    for kind, _ in KINDS:
        for i, query in enumerate(warm):
            cpu, wall = time.process_time(), time.perf_counter()
            engine.search(request(query, kind))
            if kind == "full" and i == 0:
                out["first_cpu_ms"] = 1000 * (time.process_time() - cpu)
                out["first_wall_ms"] = 1000 * (time.perf_counter() - wall)
                out["rss_first_mb"] = _status_kb("VmRSS") / 1024
        cpus, walls, answers = [], [], []
        for query in queries:
            req = request(query, kind)
            cpu, wall = time.process_time(), time.perf_counter()
            response = engine.search(req)
            cpus.append(1000 * (time.process_time() - cpu))
            walls.append(1000 * (time.perf_counter() - wall))
            facets = hashlib.sha1(json.dumps(response.facets, sort_keys=True).encode()).hexdigest()[:12]
            answers.append({"ids": [hit.id for hit in response.hits], "total": response.total, "facets": facets})
        out["kinds"][kind] = {"cpu": cpus, "wall": walls, "answers": answers}
    # Pages of the memory-mapped index count in RSS too, but are the page cache's, shared and reclaimable.
    out["rss_end_anon_mb"], out["rss_end_file_mb"] = _status_kb("RssAnon") / 1024, _status_kb("RssFile") / 1024
    engine.close()
    out["load"].append(os.getloadavg()[0])
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["total_cpu"] = time.process_time()
    out["total_wall"] = time.perf_counter() - wall0
    return out


# --- the parent ----------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest rank, as bench_search.py."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))
    return ordered[k]


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout.strip()


def run_child(spec: dict, workdir: Path) -> dict:
    spec_path = workdir / f"spec-{spec['config']}.json"
    out_path = workdir / f"out-{spec['config']}.json"
    spec_path.write_text(json.dumps(spec))
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", str(spec_path), str(out_path)],
                            cwd=workdir)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"configuration {spec['config']} failed (exit {proc.returncode})")
    result = json.loads(out_path.read_text())
    result["process_cpu"] = usage.ru_utime + usage.ru_stime
    return result


CLI_CODE = ("import sys; sys.path.insert(0, sys.argv[1]); "
            "sys.argv = ['archive', 'search', '--index', sys.argv[2], '--format', 'json', '--', sys.argv[3]]; "
            "from search.cli import main; main()")
CHECK_CODE = ("import sys; sys.path.insert(0, sys.argv[1]); import json, archive, indexer, search.cli; "
              "print(json.dumps({m.__name__: m.__file__ for m in (archive, indexer, search.cli)}))")


def check_cli_imports(root: Path, workdir: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHECK_CODE, str(root)], cwd=workdir, capture_output=True, text=True, check=True)
    files = json.loads(done.stdout)
    for name, path in files.items():
        if not Path(path).resolve().is_relative_to(root.resolve()):
            raise SystemExit(f"`archive search` of {root} imports {name} from {path}")
    return files


def time_cli(roots: dict[str, Path], index: Path, queries: list[dict], runs: int, workdir: Path) -> dict:
    """Wall and CPU seconds of `archive search` processes, the codes alternating run by run."""
    got = {key: {"wall": [], "cpu": [], "totals": []} for key in roots}
    for query in queries[:runs]:
        for key, root in roots.items():
            start = time.perf_counter()
            with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
                proc = subprocess.Popen([sys.executable, "-c", CLI_CODE, str(root), str(index), query["query"]],
                                        cwd=workdir, stdout=out, stderr=err)
                _, status, usage = os.wait4(proc.pid, 0)  # the child's own CPU time
                wall = time.perf_counter() - start
                proc.returncode = os.waitstatus_to_exitcode(status)
                out.seek(0)
                err.seek(0)
                if proc.returncode != 0:
                    raise SystemExit(f"`archive search` ({key}) failed: {err.read().decode()[-400:]}")
                got[key]["totals"].append(json.loads(out.read())["total"])
            got[key]["wall"].append(wall)
            got[key]["cpu"].append(usage.ru_utime + usage.ru_stime)
    return got


def ensure_postings(index: Path, workdir: Path) -> tuple[Path, str]:
    """The index to measure: ``index`` itself when every segment has saved postings, else a copy given them."""
    from indexer import postings, store
    from indexer.whoosh.schema import FILTER_FIELDS, SEARCH_FIELDS

    ix = whoosh_index.open_index(index)
    with ix.searcher() as searcher:
        segids = [postings.segment_id(leaf) for leaf, _ in searcher.reader().leaf_readers()]
    missing = [s for s in segids if not postings._paths(index, s)[2].exists()]
    if not missing:
        return index, ""
    copy = workdir / index.name
    copy.mkdir()
    for entry in index.iterdir():
        if entry.name in ("extract-cache", postings.POSTINGS_DIR) or entry.name.endswith(".lock"):
            continue
        (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, copy / entry.name)
    ix = whoosh_index.open_index(copy)
    with ix.searcher() as searcher:
        written = postings.update(copy, searcher.reader(), [*SEARCH_FIELDS, *FILTER_FIELDS])
    note = (f"{len(missing)} of its {len(segids)} segments had no saved postings (the index was built before B): "
            f"measured on a copy given them ({written} segments written), not on the index itself")
    print(note, flush=True)
    return copy, note


def index_facts(index: Path, ingest_record: Path) -> dict:
    from indexer import engines, store
    from indexer.whoosh import index as whoosh_index

    ix = whoosh_index.open_index(index)
    with ix.searcher() as searcher:
        passages, segments = searcher.doc_count(), len(searcher.reader().leaf_readers())
    size = lambda folder: sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6 if folder.is_dir() else 0.0  # noqa: E731
    documents = None
    if ingest_record.exists():
        documents = json.loads(ingest_record.read_text()).get("documents")
    if documents is None:
        documents = len(json.loads((index / store.MANIFEST_FILE).read_text(encoding="utf-8")))
    return {"documents": documents, "passages": passages, "segments": segments,
            "whoosh_mb": size(index / "whoosh"), "postings_mb": size(index / "postings")}


def pooled(runs: list[dict]) -> dict:
    """One configuration's rounds as one: query times pooled, one-off costs the median, memory the maximum."""
    first = runs[0]
    out = {key: first[key] for key in ("config", "modules", "copies_at_open")}
    for key in ("import_cpu", "open_cpu", "open_wall", "first_cpu_ms", "first_wall_ms", "rss_open_mb", "rss_first_mb"):
        out[key] = statistics.median(r[key] for r in runs)
    for key in ("peak_rss_mb", "rss_end_anon_mb", "rss_end_file_mb"):
        out[key] = max(r[key] for r in runs)
    loads = [x for r in runs for x in r["load"]]
    out["load"] = [min(loads), max(loads)]
    out["rounds"] = len(runs)
    out["kinds"] = {kind: {"cpu": [x for r in runs for x in r["kinds"][kind]["cpu"]],
                           "wall": [x for r in runs for x in r["kinds"][kind]["wall"]],
                           "answers": first["kinds"][kind]["answers"],
                           "stable": all(r["kinds"][kind]["answers"] == first["kinds"][kind]["answers"] for r in runs)}
                    for kind in first["kinds"]}
    out["per_round"] = [{key: r[key] for key in r if key != "kinds"} | {"p50": {k: percentile(v["cpu"], 50) for k, v in r["kinds"].items()}}
                        for r in runs]
    return out


def agreement(results: dict) -> dict:
    """Per kind: configurations 2-4 identical? and how many queries give before's first page and total."""
    out = {}
    for kind, _ in KINDS:
        answers = {key: results[key]["kinds"][kind]["answers"] for key in results}
        n = len(answers["before"])
        after_keys = [k for k in answers if k != "before"]
        differ = [i for i in range(n) if len({json.dumps(answers[k][i], sort_keys=True) for k in after_keys}) > 1]
        now, then = answers["A+B+C"], answers["before"]
        out[kind] = {
            "queries": n,
            "unstable": [key for key in results if not results[key]["kinds"][kind].get("stable", True)],
            "after_configs_differ": differ,
            "same_page_and_total": sum(a["ids"] == b["ids"] and a["total"] == b["total"] for a, b in zip(now, then)),
            "same_page": sum(a["ids"] == b["ids"] for a, b in zip(now, then)),
            "same_page_set": sum(set(a["ids"]) == set(b["ids"]) for a, b in zip(now, then)),
            "same_total": sum(a["total"] == b["total"] for a, b in zip(now, then)),
            "same_facets": sum(a["facets"] == b["facets"] for a, b in zip(now, then)),
            "examples": [{"query": i, "before": then[i], "after": now[i]} for i in range(n) if then[i] != now[i]][:5],
        }
    return out


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    import platform

    import whoosh

    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    return (f"`nproc` {os.cpu_count() if not hasattr(os, 'sched_getaffinity') else len(os.sched_getaffinity(0))} "
            f"({cpu}){memory}, Python {platform.python_version()}, Whoosh {whoosh.versionstring()}, Linux {platform.release()}")


def measure(args) -> dict:
    before = git("rev-parse", "--short", args.before)
    after = git("rev-parse", "--short", args.after)
    started = dt.datetime.now()
    uptime_start = uptime()
    workdir = Path(tempfile.mkdtemp(prefix="before-after-"))
    trees = {"before": workdir / f"before-{before}", "after": workdir / f"after-{after}"}
    try:
        for key, commit in (("before", before), ("after", after)):
            git("worktree", "add", "--detach", str(trees[key]), commit)
        sys.path.insert(0, str(ROOT / "bench"))
        import bench_search
        import make_corpus
        from indexer.whoosh.engine import WhooshEngine

        index, copy_note = ensure_postings(args.index.resolve(), workdir)
        facts = index_facts(index, bench_search.ingest_record(args.index))
        manifest = make_corpus.read_manifest(args.corpus)
        if manifest is None:
            raise SystemExit(f"no corpus.json in {args.corpus}")
        engine = WhooshEngine.open(index)
        queries = bench_search.draw_queries(engine, manifest, args.corpus, args.queries + WARMUP, SEED)
        engine.close()
        del engine

        rounds: dict[str, list[dict]] = {key: [] for key, _, _ in CONFIGS}
        for n in range(args.rounds):  # the order reversed every other round: load drifts
            for key, _, code in (CONFIGS if n % 2 == 0 else CONFIGS[::-1]):
                spec = {"config": key, "root": str(trees[code]), "index": str(index), "queries": queries}
                print(f"round {n + 1}, {key}: ...", end=" ", flush=True)
                r = run_child(spec, workdir)
                rounds[key].append(r)
                print(f"open {r['open_cpu']:.2f} s CPU, first query {r['first_cpu_ms']:.0f} ms, full page CPU p50 "
                      f"{percentile(r['kinds']['full']['cpu'], 50):.1f} ms, peak RSS {r['peak_rss_mb']:.0f} MB; "
                      f"modules from {r['modules']['search']}", flush=True)
        results = {key: pooled(runs) for key, runs in rounds.items()}
        cli_modules = {key: check_cli_imports(trees[key], workdir) for key in trees}
        print("archive search processes ...", flush=True)
        cli = time_cli(trees, index, queries[WARMUP:], args.cli_runs, workdir)
        cli["modules"] = cli_modules
    finally:
        for tree in trees.values():
            if tree.exists():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "index": str(args.index), "corpus": str(args.corpus), "facts": facts, "copy_note": copy_note,
        "before": before, "after": after, "queries": len(queries) - WARMUP, "warmup": WARMUP, "rounds": args.rounds,
        "started": started.isoformat(timespec="minutes"), "ended": dt.datetime.now().isoformat(timespec="minutes"),
        "uptime": [uptime_start, uptime()], "machine": machine(),
        "command": "python bench/before_after.py " + " ".join(args.argv),
        "results": results, "cli": cli, "agreement": agreement(results), "query_texts": [q["query"] for q in queries[WARMUP:]],
    }


# --- the report ----------------------------------------------------------------------


def _ms(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def _load(text: str) -> str:
    m = re.search(r"load average: (.*)$", text)
    return m.group(1) if m else text


def _end_rss(r: dict) -> str:
    return f"{r['rss_end_anon_mb']:,.0f} / {r['rss_end_file_mb']:,.0f}" if "rss_end_anon_mb" in r else "–"


def report(run: dict) -> str:
    f, res, cli = run["facts"], run["results"], run["cli"]
    names = {key: label.format(before=run["before"], after=run["after"]) for key, label, _ in CONFIGS}
    lines = [f"### {f['documents']:,} documents",
             "",
             f"*{run['started'].replace('T', ' ')} – {run['ended'][11:]}; load averages (1, 5, 15 min) "
             f"{_load(run['uptime'][0])} at the start, {_load(run['uptime'][1])} at the end; {run['machine']}.*",
             "",
             f"Index `{run['index']}`: {f['documents']:,} documents, {f['passages']:,} passages, {f['segments']} segments, "
             f"Whoosh files {f['whoosh_mb']:,.0f} MB, saved postings (B) {f['postings_mb']:,.0f} MB. "
             f"{run['queries']} queries after {run['warmup']} warm-ups per kind, "
             f"{run.get('rounds', 1)} round(s) per configuration in alternating order, query times pooled. Command: `{run['command']}`."
             + (f" Note: {run['copy_note']}." if run["copy_note"] else ""),
             "",
             "| configuration | imports CPU s | open CPU s | first query CPU ms | full page CPU p50 ms | CPU p95 | wall p50 | wall p95 "
             "| filtered CPU p50 ms | CPU p95 | wall p50 | wall p95 | RSS after open / first query MB "
             "| peak RSS MB | RSS at end: anonymous / file-backed MB | 1-min load, min–max |",
             "|---|" + "---:|" * 15]
    for key, _, _ in CONFIGS:
        r = res[key]
        full, filt = r["kinds"]["full"], r["kinds"]["filtered"]
        lines.append(
            f"| {names[key]} | {r['import_cpu']:.2f} | {r['open_cpu']:.2f} | {_ms(r['first_cpu_ms'])} "
            f"| **{_ms(percentile(full['cpu'], 50))}** | {_ms(percentile(full['cpu'], 95))} "
            f"| {_ms(percentile(full['wall'], 50))} | {_ms(percentile(full['wall'], 95))} "
            f"| **{_ms(percentile(filt['cpu'], 50))}** | {_ms(percentile(filt['cpu'], 95))} "
            f"| {_ms(percentile(filt['wall'], 50))} | {_ms(percentile(filt['wall'], 95))} "
            f"| {r['rss_open_mb']:,.0f} / {r['rss_first_mb']:,.0f} | **{r['peak_rss_mb']:,.0f}** | {_end_rss(r)} | {r['load'][0]:.1f}–{r['load'][1]:.1f} |")
    b, a = res["before"], res["A+B+C"]
    ratio = lambda key, kind, p: percentile(b["kinds"][kind]["cpu"], p) / percentile(res[key]["kinds"][kind]["cpu"], p)  # noqa: E731
    lines += ["", "CPU p50 against before: " + "; ".join(
        f"{k}: full page {ratio(k, 'full', 50):.1f}x, filtered {ratio(k, 'filtered', 50):.1f}x"
        for k in ("A", "A+B", "A+B+C")) + f". Peak RSS: {b['peak_rss_mb']:,.0f} → {a['peak_rss_mb']:,.0f} MB."]
    med = lambda xs: statistics.median(xs)  # noqa: E731
    lines += ["",
              f"`archive search --index DIR --format json -- QUERY` as a whole process, {len(cli['before']['wall'])} runs each "
              "(different queries, before and after alternating):",
              "",
              "| code | median CPU s (user + system) | median wall s | max wall s |",
              "|---|---:|---:|---:|"]
    for key, label in (("before", names["before"]), ("after", names["A+B+C"])):
        c = cli[key]
        lines.append(f"| {label} | **{med(c['cpu']):.2f}** | {med(c['wall']):.2f} | {max(c['wall']):.2f} |")
    same = sum(x == y for x, y in zip(cli["before"]["totals"], cli["after"]["totals"]))
    lines += ["", f"CPU ratio before / after: {med(cli['before']['cpu']) / med(cli['after']['cpu']):.2f}x; "
              f"the same total in {same} of {len(cli['before']['totals'])} runs."]
    lines += ["", "Answers (first page of 10 document ids in order, total, facet counts), per kind:"]
    for kind, label in KINDS:
        g = run["agreement"][kind]
        n = g["queries"]
        same = "identical in configurations 2–4 for all" if not g["after_configs_differ"] else \
            f"**different between configurations 2–4 for {len(g['after_configs_differ'])}** of"
        if g.get("unstable"):
            same = f"**not the same from round to round in {', '.join(g['unstable'])}**; " + same
        lines.append(f"- {label}: {same} {n} queries; against before, same first page and total for "
                     f"**{g['same_page_and_total']} of {n}** (same page {g['same_page']}, same documents in another order "
                     f"{g['same_page_set'] - g['same_page']}, same total {g['same_total']}, same facet counts {g['same_facets']}).")
    return "\n".join(lines) + "\n"


METHOD = """*Written by `python bench/before_after.py --write-docs` (one entry per index, kept in
`bench/out/before-after.json`); the commentary outside the markers is not.* Each configuration runs in
its own process: **before** is the code at the commit before the optimisations; **A** is the code at
`--after` with no saved postings (`indexer.whoosh.postings.load_all` patched to return none) and Whoosh's own
`BufferFile.__init__` restored, so the index is copied into memory at open as before; **A + B** adds
the saved postings of the search fields (not of the filter fields, which C added); **A + B + C** is the
code at `--after` as it is. A and A + B also carry C's faster text folding for the phrase check (not
separable by a patch). Requests are full pages (facets, highlights, 10 per page, internal documents
included) with the same seeded queries as `bench/bench_search.py`, then the same queries filtered by
language and year. CPU time (`time.process_time()`) leads: the machine is shared and loaded, so wall
times are inflated and noisy. "First query" is the first full page after opening (it loads the facet
table and, with B, the saved arrays). Peak RSS is the child's `ru_maxrss`; it counts the pages of memory-mapped
files that the queries touched, which belong to the page cache (shared, reclaimable), hence the
anonymous / file-backed split after the last query (`/proc/self/status`)."""


def write_docs(runs: list[dict]) -> None:
    runs = sorted(runs, key=lambda r: r["facts"]["documents"])
    body = METHOD + "\n\n" + "\n".join(report(r) for r in runs)
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text:
        if ANCHOR not in text:
            raise SystemExit(f"no line {ANCHOR!r} in {DOC}: cannot place the section")
        text = text.replace(ANCHOR, f"{HEADING}\n\n{BEGIN}\n{END}\n\n{ANCHOR}", 1)
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(text[:start] + "\n" + body + text[end:], encoding="utf-8")


def print_differences(run: dict) -> None:
    texts = run.get("query_texts", [])
    for kind, _ in KINDS:
        for ex in run["agreement"][kind]["examples"]:
            text = repr(texts[ex["query"]]) if ex["query"] < len(texts) else ""
            print(f"  differs ({kind}) query {ex['query']} {text}: total {ex['before']['total']} / {ex['after']['total']}; "
                  f"first page before {ex['before']['ids']}, after {ex['after']['ids']}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        spec = json.loads(Path(argv[1]).read_text())
        Path(argv[2]).write_text(json.dumps(child(spec)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--before", default="03f91af", help="commit before the optimisations")
    parser.add_argument("--after", default="HEAD", help="commit with them (default HEAD)")
    parser.add_argument("--cli-runs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2, help="runs of every configuration, in alternating order (default 2)")
    parser.add_argument("--write-docs", action="store_true", help="rewrite the before-after section of docs/PERFORMANCE.md")
    parser.add_argument("--report-only", action="store_true", help="measure nothing: print (and write) from bench/out/before-after.json")
    args = parser.parse_args(argv)
    args.argv = argv

    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if not args.report_only:
        run = measure(args)
        stored[str(args.index)] = run
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(stored))
        print()
        print(report(run))
        print_differences(run)
    else:
        for run in stored.values():
            print(report(run))
            print_differences(run)
    if args.write_docs:
        write_docs(list(stored.values()))
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
