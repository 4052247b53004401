"""Why Whoosh and OpenSearch find different numbers of documents for the same query.

    python bench/compare_totals.py --docs 2000 --url http://127.0.0.1:9500 [--seed 0] [--queries 200]
                                   [--query-docs N] [--kind full|filtered] [--data-dir /tmp/compare-totals]
                                   [--reuse] [--json OUT] [--markdown OUT]

The documents and the queries are ``bench/bench_scale.py``'s (its ``Generator`` and
``draw_queries``, same seed, the same 20 warm-up queries left out), written to a Whoosh index
and to an OpenSearch index (alias ``cmp``, 1 shard, 0 replicas) on the cluster at ``--url``
(started beforehand, e.g. ``scripts/opensearch-cluster start --nodes 1 --port 9500 --data
/tmp/os-cmp``). ``--reuse`` keeps the indexes a previous run wrote (same ``--docs``).

Each query is searched as bench_scale's full page (facets, no filter, staff; or, with
``--kind filtered``, its request filtered on the source document's language and year) on both
engines and the totals printed. ``--query-docs 20000`` draws the queries bench_scale drew for
20,000 documents: matching is per document, so a query whose totals differ here differs there. For a query whose totals differ, every document one engine finds and
the other does not is explained: for each query word, the passages where it matches on each
engine (field, the query word's indexed form, the passage words that give that form), each
engine's forms from its own analyser (PyStemmer for Whoosh, the index's ``_analyze`` for
OpenSearch), and a cause:

* ``stemmer (nl)`` and the like: the word and the passage word meet in that language's field
  on one engine only, their folded forms being the same on both (the stemmers differ);
* ``folding``: the folded (lowercased, accent-stripped) forms differ between the engines;
* ``stop word``: one engine drops the word as a stop word, the other does not;
* ``unexplained``: the words match alike on both: the difference is in the query semantics
  (printed in full, to be read).
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scale  # noqa: E402  (puts the repository on sys.path)
from bench_search import WARMUP, request_for  # noqa: E402

ALIAS = "cmp"
_WORDS = re.compile(r"\w+")


# --- the two indexes ----------------------------------------------------------------


def open_engines(args, gen):
    from indexer.opensearch.client import Settings
    from indexer.opensearch.engine import OpenSearchEngine

    whoosh_dir, os_dir = args.data_dir / "whoosh-index", args.data_dir / "os-index"
    settings = Settings(tuple(args.url.split(",")), None, None, None, True, ALIAS, 1, 0, timeout=120.0)
    if not args.reuse:
        for key, folder, open_new in (("whoosh", whoosh_dir, lambda: bench_scale.open_whoosh(whoosh_dir, create=True)),
                                      ("opensearch", os_dir, lambda: OpenSearchEngine(os_dir, settings, create=True))):
            if folder.exists():
                import shutil
                shutil.rmtree(folder)
            print(f"  {key}: writing {args.docs:,} documents ...", flush=True)
            engine = open_new()
            bench_scale.write_all(engine, gen, args.docs, 500, None, None)
            engine.close()
    return bench_scale.open_whoosh(whoosh_dir, create=False), OpenSearchEngine(os_dir, settings, create=False)


def found_ids(engine, query: dict, total: int, filtered: bool) -> set[str]:
    """Every document the request finds, in pages of 1,000."""
    import dataclasses

    ids: set[str] = set()
    request = dataclasses.replace(request_for(query, False, filtered), per_page=1000)
    for page in range(1, total // 1000 + 2):
        ids.update(h.id for h in engine.search(dataclasses.replace(request, page=page)).hits)
    return ids


# --- each engine's analysis ---------------------------------------------------------


class Forms:
    """The indexed form of words on each engine, per analyser: ``fr``, ``nl``, ``en``
    (stop, stem) and ``folded`` (the neutral field). None: a stop word."""

    def __init__(self, client):
        self.client = client
        self.cache: dict[tuple[str, str], dict[str, str | None]] = collections.defaultdict(dict)

    def whoosh(self, words, analyser: str) -> dict[str, str | None]:
        from indexer.analysis import indexed_forms

        return indexed_forms(words, None if analyser == "folded" else analyser)

    def opensearch(self, words, analyser: str) -> dict[str, str | None]:
        known = self.cache[("os", analyser)]
        new = sorted({w for w in words if w not in known})
        for start in range(0, len(new), 2000):
            chunk = new[start:start + 2000]
            text = " ".join(chunk)
            tokens = self.client.indices.analyze(index=ALIAS, body={
                "analyzer": "folded" if analyser == "folded" else f"{analyser}_folded", "text": text})["tokens"]
            by_start = {t["start_offset"]: t["token"] for t in tokens}
            at = 0
            for w in chunk:
                known[w] = by_start.get(at)
                at += len(w) + 1
        return {w: known[w] for w in words}


def matches(forms: Forms, engine: str, word: str, passages: list[tuple[int, str, str]]) -> list[dict]:
    """Where ``word`` matches in a document's passages on ``engine``: the language field of
    each passage (stemmed) and the neutral field (folded; not for function words)."""
    from indexer.translation import is_function_word

    look = forms.whoosh if engine == "whoosh" else forms.opensearch
    out = []
    for seq, lang, text in passages:
        words = sorted(set(_WORDS.findall(text)))
        fields = [("folded", "text_all")] if not is_function_word(word) else []
        if lang in ("fr", "nl", "en"):
            fields.insert(0, (lang, f"text_{lang}"))
        for analyser, field in fields:
            target = look([word], analyser)[word]
            if target is None:
                continue
            hits = [w for w, f in look(words, analyser).items() if f == target]
            if hits:
                out.append({"seq": seq, "lang": lang, "field": field, "analyser": analyser, "form": target,
                            "passage_words": hits[:6]})
    return out


def cause(forms: Forms, word: str, found: list[dict]) -> tuple[str, str]:
    """Why the words of ``found`` (matches on one engine) do not meet on the other:
    (cause, example: the query word, the passage word, the field and both engines' forms)."""
    for m in found:
        analyser = m["analyser"]
        for pw in m["passage_words"]:
            pair = list(dict.fromkeys([word, pw]))
            w_fold, o_fold = forms.whoosh(pair, "folded"), forms.opensearch(pair, "folded")
            w_form, o_form = forms.whoosh(pair, analyser), forms.opensearch(pair, analyser)
            example = (f"{' ~ '.join(pair)} in {m['field']}: "
                       f"Whoosh {', '.join(f'{w}→{w_form[w]}' for w in pair)}; "
                       f"OpenSearch {', '.join(f'{w}→{o_form[w]}' for w in pair)}")
            if w_fold != o_fold:
                return "folding", example
            if analyser == "folded":
                continue
            if any((w_form[w] is None) != (o_form[w] is None) for w in pair):
                return "stop word", example
            if len({w_form[w] for w in pair}) != len({o_form[w] for w in pair}):
                return f"stemmer ({analyser})", example
    return "unexplained", ""


def explain(forms: Forms, gen, number: int, words: list[str], finder: str, lang: str | None) -> dict:
    """Why ``finder`` finds document ``number`` and the other engine not; ``lang``: only the
    passages in that language count (the request filters on it)."""
    doc = gen.document(number)
    passages = [(seq, p.lang, (f"{doc.title}\n\n{p.text}" if seq == 0 and doc.title else p.text))
                for seq, p in enumerate(doc.passages) if lang is None or p.lang == lang]
    other = "opensearch" if finder == "whoosh" else "whoosh"
    per_word = {}
    causes = []
    for word in words:
        mine, theirs = matches(forms, finder, word, passages), matches(forms, other, word, passages)
        per_word[word] = {finder: mine, other: theirs}
        if mine and not theirs:
            causes.append(cause(forms, word, mine))
    if not causes:
        causes.append(("unexplained", ""))
    return {"doc": number, "id": doc.id, "title": doc.title, "found_by": finder, "words": per_word,
            "cause": causes[0][0], "example": causes[0][1]}


def markdown(rows: list[dict], docs: int, query_docs: int | None, kind: str) -> str:
    """The differing queries as a table: totals, the documents only one engine finds, the cause,
    and the most frequent example each way (with the number of documents it explains)."""
    lines = [f"Differing {'full-page' if kind == 'full' else 'filtered (lang + year)'} totals on {docs:,} documents"
             + (f" (the queries bench_scale draws for {query_docs:,})" if query_docs else "") + ":", "",
             "| # | query | lang | Whoosh | OpenSearch | only W / only OS | cause | example (documents) |",
             "|---:|---|---|---:|---:|---|---|---|"]
    for r in rows:
        if "only" not in r:
            continue
        examples = []
        for finder, label in (("whoosh", "W"), ("opensearch", "OS")):
            common = collections.Counter(d["example"] for d in r["only"][finder] if d["example"]).most_common(1)
            if common:
                examples.append(f"only {label}: {common[0][0]} ({common[0][1]})")
        lines.append(f"| {r['n']} | `{r['query']}` | {r['lang']} | {r['whoosh']} | {r['opensearch']} | "
                     f"{len(r['only']['whoosh'])} / {len(r['only']['opensearch'])} | {r['cause']} | {'<br>'.join(examples)} |")
    return "\n".join(lines)


# --- the run ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--query-docs", type=int, help="draw the queries bench_scale draws for this many documents "
                        "(default --docs), e.g. 20000 to examine the 20,000-document run's queries on a smaller index")
    parser.add_argument("--url", required=True, help="the OpenSearch cluster (comma-separated nodes)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/compare-totals"))
    parser.add_argument("--reuse", action="store_true", help="search the indexes a previous run wrote")
    parser.add_argument("--data", type=Path, default=bench_scale.make_corpus.DEFAULT_DATA)
    parser.add_argument("--examples", type=int, default=3, help="documents printed per differing query (default 3)")
    parser.add_argument("--kind", choices=("full", "filtered"), default="full",
                        help="bench_scale's full page (facets, no filter; default) or its filtered request "
                        "(the source document's language and year)")
    parser.add_argument("--json", type=Path, help="every query, total and explained document")
    parser.add_argument("--markdown", type=Path, help="the differing queries as a Markdown table")
    args = parser.parse_args(argv)
    filtered = args.kind == "filtered"
    args.data_dir.mkdir(parents=True, exist_ok=True)

    from archive.pipeline import document_id
    from indexer.query import words_of
    from indexer.translation import is_function_word

    gen = bench_scale.Generator(args.seed, args.data)
    # The queries of a bench_scale run of --query-docs documents (they depend on the corpus size).
    # Matching is per document, so a document found by one engine only in this index is found by
    # that engine only in the bigger one too: the differences here are a part of that run's.
    queries = bench_scale.draw_queries(gen, args.query_docs or args.docs, args.queries + WARMUP, args.seed)[WARMUP:]
    whoosh, opensearch = open_engines(args, gen)
    number_of = {}
    for i in range(args.docs):
        spec, _ = gen.spec(i)
        number_of[document_id(f"{gen.root}/{spec.file}", 0)] = i
    forms = Forms(opensearch.client)

    rows, causes = [], collections.Counter()
    started = time.perf_counter()
    for n, query in enumerate(queries):
        request = request_for(query, not filtered, filtered)
        w_total, o_total = whoosh.search(request).total, opensearch.search(request).total
        row = {"n": n, "query": query["query"], "lang": query["lang"], "whoosh": w_total, "opensearch": o_total}
        rows.append(row)
        if w_total == o_total:
            continue
        w_ids, o_ids = found_ids(whoosh, query, w_total, filtered), found_ids(opensearch, query, o_total, filtered)
        words = [w for w in words_of(whoosh.parse_query(query["query"]).query) if not is_function_word(w)] \
            or words_of(whoosh.parse_query(query["query"]).query)
        row["parsed"] = repr(whoosh.parse_query(query["query"]).query)
        row["only"] = {}
        for finder, ids in (("whoosh", w_ids - o_ids), ("opensearch", o_ids - w_ids)):
            row["only"][finder] = [explain(forms, gen, number_of[i], words, finder, query["lang"] if filtered else None) for i in sorted(ids, key=number_of.get)]
        by_cause = collections.Counter(d["cause"] for ds in row["only"].values() for d in ds)
        row["causes"] = dict(by_cause)
        row["cause"] = " + ".join(sorted(by_cause))
        causes[row["cause"]] += 1
        print(f"\n#{n} {query['query']!r} ({query['lang']}): Whoosh {w_total}, OpenSearch {o_total}; "
              f"only Whoosh {len(w_ids - o_ids)}, only OpenSearch {len(o_ids - w_ids)}; {row['cause']}", flush=True)
        for finder, docs in row["only"].items():
            for d in docs[:args.examples]:
                print(f"  only {finder}: doc {d['doc']} {d['title'][:50]!r}: {d['cause']}: {d['example']}")
                if d["cause"] == "unexplained":
                    for word, by_engine in d["words"].items():
                        for engine, found in by_engine.items():
                            print(f"      {word!r} on {engine}: " +
                                  ("; ".join(f"{m['field']}@{m['seq']} {m['form']} ← {m['passage_words']}" for m in found) or "no match"))
    same = sum(r["whoosh"] == r["opensearch"] for r in rows)
    print(f"\n{args.docs:,} documents, {len(rows)} queries" + (f" (drawn for {args.query_docs:,})" if args.query_docs else "") + f" ({time.perf_counter() - started:.0f} s): "
          f"same total for {same}/{len(rows)}")
    for name, count in causes.most_common():
        print(f"  {count:3d}  {name}")
    if args.json:
        args.json.write_text(json.dumps({"docs": args.docs, "query_docs": args.query_docs, "kind": args.kind, "seed": args.seed, "same": same, "causes": dict(causes),
                                         "queries": rows}, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(markdown(rows, args.docs, args.query_docs, args.kind) + "\n", encoding="utf-8")
    whoosh.close()
    opensearch.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
