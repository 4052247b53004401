"""Tables and the chart for bench/run.py: docs/PERFORMANCE.md (between markers) and docs/performance.svg.

Only the part between ``<!-- perf:begin -->`` and ``<!-- perf:end -->`` is
rewritten; the commentary around it is kept.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import platform
import re
from pathlib import Path

BEGIN, END = "<!-- perf:begin -->", "<!-- perf:end -->"


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    ram = 0.0
    cpu = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 1024 / 1024
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3

    import whoosh

    return (f"`nproc` {cores}{' (' + cpu + ')' if cpu else ''}, {ram:.0f} GB RAM, Python {platform.python_version()}, "
            f"Whoosh {whoosh.versionstring()}, SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")


def _sizes(results: dict) -> list[tuple[int, dict]]:
    return sorted((int(n), e) for n, e in results["sizes"].items())


def _f(value, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def ingest_rows(results: dict) -> list[str]:
    lines = ["| documents | --jobs | documents/s | sync s | whole process s | CPU s (all processes) | documents per CPU-second "
             "| peak RSS, largest process | load avg at end |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, e in _sizes(results):
        for jobs, i in sorted(e["ingest"].items(), key=lambda kv: int(kv[0])):
            note = f" ({i['reused']})" if i.get("reused") else ""
            lines.append(f"| {n:,}{note} | {jobs} | **{i['docs_per_s']:.1f}** | {i['sync_seconds']:.0f} | {_f(i.get('wall'), 0)} | "
                         f"{_f(i.get('cpu'), 0)} | {_f(i['documents'] / i['cpu'] if i.get('cpu') else None)} | {_f(i.get('maxrss_mb'), 0, ' MB')} | {_f(i.get('load'), 1)} |")
    return lines


def pdf_rows(results: dict) -> list[str]:
    lines = ["| documents | PDFs | pages | raw pdfminer pages/s (1 process) | pipeline pages/s --jobs 1 | --jobs 2 | "
             "per core / raw (wall) | per core / raw (CPU) | 2-core speed-up (wall) | extraction only, no index / raw (CPU) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, e in _sizes(results):
        raw = e.get("raw_pdfminer")
        if not raw or not e.get("pdf_pages"):
            continue
        pages = e["pdf_pages"]
        p = e["pdf_ingest"]
        one, two = p.get("1") or p.get(1), p.get("2") or p.get(2)
        raw_rate = pages / raw["wall"]
        r1 = pages / one["sync_seconds"]
        r2 = pages / two["sync_seconds"] if two else None
        cpu_ratio = raw["cpu"] / one["cpu"]
        lines.append(f"| {n:,} | {e['pdf_files']} | {pages} | {raw_rate:.1f} | {r1:.1f} | {_f(r2)} | **{100 * r1 / raw_rate:.0f} %** | "
                     f"{100 * cpu_ratio:.0f} % | **{_f(r2 / r1 if r2 else None, 2)}x** | {_extraction_only(e)} |")
    return lines


def _extraction_only(e: dict) -> str:
    """``archive.pipeline.extract_file`` against raw pdfminer, both timed in one process back to back."""
    only = e.get("pdf_extract_only")
    raw = e.get("raw_pdfminer_again") or e.get("raw_pdfminer")
    return f"{100 * raw['cpu'] / only['cpu']:.0f} %" if only and raw else "–"


def reingest_rows(results: dict) -> list[str]:
    lines = ["| documents | second `archive ingest`, whole process (median of 3) | of which sync | CPU s |", "|---:|---:|---:|---:|"]
    for n, e in _sizes(results):
        r = e.get("reingest")
        if r:
            lines.append(f"| {n:,} | **{r['wall']:.2f} s** | {r['sync_seconds']:.2f} s | {r['cpu']:.2f} |")
    return lines


def size_rows(results: dict) -> list[str]:
    lines = ["| documents | passages | passage text (UTF-8) | corpus files | Whoosh index | index / text | extraction cache | FTS5 table |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, e in _sizes(results):
        s = e["search"]
        ib = e["index_bytes"]
        lines.append(f"| {n:,} | {s['passages']:,} | {s['text_bytes'] / 1e6:.1f} MB | {e['corpus_bytes'] / 1e6:.1f} MB | "
                     f"{ib['whoosh'] / 1e6:.1f} MB | **{ib['whoosh'] / s['text_bytes']:.2f}** | {ib['cache'] / 1e6:.1f} MB | {s['fts5_bytes'] / 1e6:.1f} MB |")
    return lines


def query_rows(results: dict) -> list[str]:
    lines = ["| documents | query kind | archive p50 ms | archive p95 ms | archive CPU p50 ms | FTS5 p50 ms | FTS5 p95 ms | FTS5 CPU p50 ms "
             "| ratio p50 (wall) | ratio p95 (wall) | **ratio CPU p50** | median hits |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, e in _sizes(results):
        for kind, r in e["search"]["kinds"].items():
            a, f = r["archive"], r["fts5"]
            head = f"| {n:,} | {kind} | {a['p50']:.1f} | **{a['p95']:.1f}** | {a['cpu50']:.1f}"
            if f:
                lines.append(f"{head} | {f['p50']:.2f} | {f['p95']:.2f} | {f['cpu50']:.2f} | {a['p50'] / max(f['p50'], 1e-3):.0f}x | "
                             f"{a['p95'] / max(f['p95'], 1e-3):.0f}x | **{a['cpu50'] / max(f['cpu50'], 1e-3):.0f}x** | {a['hits']:.0f} |")
            else:
                lines.append(f"{head} | – | – | – | – | – | – | {a['hits']:.0f} |")
    return lines


def service_rows(results: dict) -> list[str]:
    lines = ["| documents | `archive search` process, median | p95 | CPU | page: server processes | requests/s (8 clients) | p50 ms | p95 ms | errors | server peak RSS (largest / sum) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, e in _sizes(results):
        c = e["cli"]
        for i, w in enumerate(e["web"]):
            head = f"| {n:,} | **{c['median']:.2f} s** | {c['p95']:.2f} s | {c['cpu']:.2f} s" if i == 0 else "| | | |"
            lines.append(f"{head} | {w['workers']} | **{w['rps']:.1f}** | {w['p50']:.0f} | {w['p95']:.0f} | {w['errors']} | "
                         f"{w['peak_mb_max']:.0f} / {w['peak_mb_sum']:.0f} MB |")
    return lines


def fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least squares on log-log: value = a * n^b. None with fewer than two sizes."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if not sxx:
        return None
    b = sum((x - mx) * (y - my) for x, y in pts) / sxx
    return math.exp(my - b * mx), b


def series(results: dict) -> dict[str, list[tuple[int, float]]]:
    """The costs that grow with the corpus, one point per measured size."""
    out: dict[str, list[tuple[int, float]]] = {}
    for n, e in _sizes(results):
        best = max(e["ingest"].values(), key=lambda i: int(i["jobs"]))
        if not best.get("reused"):  # another script's record, made under another load: not on the same curve
            out.setdefault("ingest, all cores (s)", []).append((n, best["sync_seconds"]))
            out.setdefault("ingest CPU, all processes (s)", []).append((n, best["cpu"]))
        out.setdefault("Whoosh index (MB)", []).append((n, e["index_bytes"]["whoosh"] / 1e6))
        kinds = e["search"]["kinds"]
        full = kinds["full page (facets + highlights)"]
        out.setdefault("full page p95 (ms)", []).append((n, full["archive"]["p95"]))
        out.setdefault("full page CPU p50 (ms)", []).append((n, full["archive"]["cpu50"]))
        out.setdefault("FTS5 full page CPU p50 (ms)", []).append((n, full["fts5"]["cpu50"]))
        out.setdefault("`archive search` process (s)", []).append((n, e["cli"]["median"]))
        out.setdefault("page p95, 8 clients (ms)", []).append((n, max(w["p95"] for w in e["web"])))
        if best.get("maxrss_mb"):
            out.setdefault("ingest peak RSS (MB)", []).append((n, best["maxrss_mb"]))
        out.setdefault("server peak RSS (MB)", []).append((n, e["web"][0]["peak_mb_max"]))
    return out


def extrapolation_rows(results: dict, targets=(100_000,)) -> list[str]:
    lines = ["| cost | measured | fitted growth (n^b) | **extrapolated** to " + ", ".join(f"{t:,}" for t in targets) + " |", "|---|---|---:|---:|"]
    for name, pts in series(results).items():
        f = fit(pts)
        measured = "; ".join(f"{n:,}: {v:,.1f}" for n, v in pts)
        if f is None:
            lines.append(f"| {name} | {measured} | – | – |")
            continue
        a, b = f
        lines.append(f"| {name} | {measured} | b = {b:.2f} | " + ", ".join(f"{a * t ** b:,.0f}" for t in targets) + " |")
    return lines


def profile_md(results: dict) -> str:
    from bench_profile import markdown

    p = results.get("profile")
    if not p:
        return "_No profile in this run._"
    i, q = p["ingest"], p["query"]
    return "\n\n".join([
        markdown(i, f"Ingest of {i['files']} files of the {p['docs']:,}-document corpus ({', '.join(f'{v} {k}' for k, v in i['formats'].items())}), "
                    "in-process, `--jobs 1`"),
        markdown(q, f"{q['queries']} full-page queries (facets + highlights) and {q['misspelled']} misspelled ones on the "
                    f"{p['docs']:,}-document index, engine reused"),
    ])


def generated(results: dict) -> str:
    commands = results.get("commands") or [results.get("command", "python bench/run.py")]
    dates = sorted(e["date"] for _, e in _sizes(results))
    loads = [f"{n:,}: {e['load_start']:.1f} → {e['load_end']:.1f}" for n, e in _sizes(results)]
    parts = [
        f"*Measured {dates[0]} – {dates[-1]} on {machine()}.* Load average while measuring (the machine is shared): {'; '.join(loads)}.",
        "Command(s): " + ", ".join(f"`{c}`" for c in commands) + ".",
        "### Ingest (whole corpus, `archive ingest` into a fresh index)", "\n".join(ingest_rows(results)),
        "### PDF extraction against raw pdfminer (the same PDFs)", "\n".join(pdf_rows(results)),
        "### Second ingest of the unchanged corpus", "\n".join(reingest_rows(results)),
        "### Size on disk", "\n".join(size_rows(results)),
        "### Query latency, engine opened once, against SQLite FTS5 on the same passages", "\n".join(query_rows(results)),
        "### `archive search` as a process, and the search page under load", "\n".join(service_rows(results)),
        "### Growth with corpus size, and extrapolation", "![costs by corpus size](performance.svg)",
        "\n".join(extrapolation_rows(results)),
        "### Profile", profile_md(results),
    ]
    return "\n\n".join(parts)


def write(results: dict, docs: Path) -> None:
    path = docs / "PERFORMANCE.md"
    body = f"{BEGIN}\n{generated(results)}\n{END}"
    if path.exists() and BEGIN in path.read_text(encoding="utf-8"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: body, text, flags=re.S)
    else:
        text = f"# Performance\n\n{body}\n"
    path.write_text(text, encoding="utf-8")
    (docs / "performance.svg").write_text(svg(results), encoding="utf-8")


def console(results: dict) -> str:
    return generated(results)


# --- the chart -----------------------------------------------------------------------

PANELS = (
    ("Ingest of the whole corpus (s)", ("ingest, all cores (s)", "ingest CPU, all processes (s)")),
    ("Full-page query (ms), engine reused", ("full page p95 (ms)", "full page CPU p50 (ms)", "FTS5 full page CPU p50 (ms)")),
    ("Search page p95, 8 clients (ms)", ("page p95, 8 clients (ms)",)),
    ("Size and memory (MB)", ("Whoosh index (MB)", "ingest peak RSS (MB)", "server peak RSS (MB)")),
)
COLOURS = ("#1f5fa8", "#c2461d", "#2d8a3e", "#7a3fa0")


def svg(results: dict) -> str:
    data = series(results)
    width, height, pw, ph = 960, 330, 200, 200
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           'font-family="sans-serif" font-size="11">', '<rect width="100%" height="100%" fill="white"/>']
    xs = sorted({n for pts in data.values() for n, _ in pts})
    xmin, xmax = math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.15
    for k, (title, names) in enumerate(PANELS):
        x0, y0 = 40 + k * 232, 40
        vals = [v for name in names for _, v in data.get(name, []) if v and v > 0]
        if not vals:
            continue
        ymin, ymax = math.log10(min(vals)) - 0.2, math.log10(max(vals)) + 0.2

        def px(n, v):
            return (x0 + (math.log10(n) - xmin) / (xmax - xmin) * pw, y0 + ph - (math.log10(v) - ymin) / (ymax - ymin) * ph)

        out.append(f'<text x="{x0}" y="{y0 - 12}" font-weight="bold">{html.escape(title)}</text>')
        out.append(f'<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
        for n in xs:
            x, _ = px(n, 10 ** ymin)
            out.append(f'<text x="{x:.1f}" y="{y0 + ph + 14}" text-anchor="middle">{n:,}</text>')
        for e in range(math.floor(ymin), math.ceil(ymax) + 1):
            for m in (1, 2, 5):
                v = m * 10 ** e
                if ymin <= math.log10(v) <= ymax:
                    _, y = px(xs[0], v)
                    out.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
                    out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
        for j, name in enumerate(names):
            pts = [px(n, v) for n, v in data.get(name, []) if v and v > 0]
            if not pts:
                continue
            colour = COLOURS[j % len(COLOURS)]
            out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in pts)}"/>')
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
            out.append(f'<text x="{x0}" y="{y0 + ph + 32 + 13 * j}" fill="{colour}">{html.escape(name)}</text>')
    out.append(f'<text x="40" y="{height - 6}" fill="#555">Documents (log scale, x) against cost (log scale, y); generated by bench/run.py, '
               f'{dt.date.today().isoformat()}.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
