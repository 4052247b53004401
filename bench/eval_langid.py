"""Accuracy and speed of archive.language on lingua's public fr/nl/en test set.

    python bench/eval_langid.py [--data DIR] [--cli] [--no-baseline] [--write-docs]

The weights of archive.language were tuned on lines 1-500 of each file only;
lines 501-1000 are the held-out check, reported separately.  ``--cli`` sends
every file through ``archive detect`` (one text per line in, one code per line
out) instead of calling the library, to measure the path users actually take.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.model import LANGUAGES, UNDETERMINED  # noqa: E402

CATEGORIES = ("sentences", "word_pairs", "single_words")
SPLITS = (("all", slice(0, 1000), "1-1000"), ("tune", slice(0, 500), "1-500"), ("held-out", slice(500, 1000), "501-1000"))
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "langid"
DOC = ROOT / "docs" / "LANGUAGE.md"


def read_lines(path: Path) -> list[str]:
    # Split on "\n" only: the French sentences hold U+0085, which
    # str.splitlines() would treat as a line break.
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def load(data: Path) -> dict[tuple[str, str], list[str]]:
    return {(cat, lang): read_lines(data / cat / f"{lang}.txt") for cat in CATEGORIES for lang in LANGUAGES}


def library_detector():
    from archive import language

    return lambda texts: [language.detect(text) for text in texts]


def cli_detector():
    """Run ``archive detect`` on a whole file of texts at once."""
    local = Path(sys.executable).parent / "archive"
    command = str(local) if local.exists() else shutil.which("archive")
    if not command:
        raise SystemExit("--cli: no `archive` command found (is the package installed in this venv?)")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")

    def run(texts: list[str]) -> list[str]:
        done = subprocess.run(
            # No final newline: an empty last "line" would be read as one more text.
            [command, "detect"], input="\n".join(texts), capture_output=True,
            text=True, encoding="utf-8", env=env,
        )
        if done.returncode != 0:
            raise SystemExit(f"--cli: `archive detect` failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        codes = done.stdout.split("\n")
        if codes and codes[-1] == "":
            codes.pop()
        if len(codes) != len(texts):
            raise SystemExit(f"--cli: `archive detect` returned {len(codes)} lines for {len(texts)} texts")
        return [code.strip() for code in codes]

    return run


def baseline_detector():
    """Plain langdetect: seeded, restricted to the fr/nl/en profiles, nothing else."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    from langdetect.lang_detect_exception import LangDetectException

    factory = DetectorFactory()
    factory.seed = 0
    factory.load_json_profile([Path(PROFILES_DIRECTORY, lang).read_text(encoding="utf-8") for lang in LANGUAGES])

    def one(text: str) -> str:
        detector = factory.create()
        detector.append(text)
        try:
            return detector.detect()
        except LangDetectException:
            return UNDETERMINED

    return lambda texts: [one(text) for text in texts]


def run(detector, data) -> tuple[dict[tuple[str, str], list[str]], float]:
    """Predictions per file, and the seconds they took."""
    out, seconds = {}, 0.0
    for key, texts in data.items():
        start = time.perf_counter()
        out[key] = detector(texts)
        seconds += time.perf_counter() - start
    return out, seconds


def accuracy(data, predictions, cat: str, langs, part: slice) -> float:
    hits = total = 0
    for lang in langs:
        expected = data[cat, lang][part]
        got = predictions[cat, lang][part]
        hits += sum(code == lang for code in got)
        total += len(expected)
    return 100.0 * hits / total


def page_speed(data) -> tuple[float, float]:
    """Milliseconds per ~3000-character page through ``detect_passages``, word cache cold and warm.

    Pages are made of the test sentences, five to a paragraph, so the
    vocabulary is real prose rather than a few repeated words.
    """
    from archive import language
    from archive.model import Passage

    pages = []
    for lang in LANGUAGES:
        sentences = data["sentences", lang]
        for start in range(0, len(sentences) - 27, 27):
            chunk = sentences[start: start + 27]
            pages.append("\n\n".join(" ".join(chunk[i: i + 5]) for i in range(0, 27, 5)))
    timings = []
    language._word_score.cache_clear()  # the accuracy run has seen these words
    for _ in range(2):
        start = time.perf_counter()
        for page in pages:
            language.detect_passages([Passage(page, 1)])
        timings.append(1000 * (time.perf_counter() - start) / len(pages))
    return timings[0], timings[1]


def table(data, ours, base) -> str:
    head = "| category | lines | fr | nl | en | overall |" + (" plain langdetect |" if base else "")
    rule = "|---|---|---:|---:|---:|---:|" + ("---:|" if base else "")
    rows = [head, rule]
    for cat in CATEGORIES:
        for name, part, label in SPLITS:
            cells = [f"{accuracy(data, ours, cat, [lang], part):.1f}" for lang in LANGUAGES]
            overall = f"**{accuracy(data, ours, cat, LANGUAGES, part):.2f}**"
            row = f"| {cat} | {name} {label} | " + " | ".join(cells) + f" | {overall} |"
            if base:
                row += f" {accuracy(data, base, cat, LANGUAGES, part):.2f} |"
            rows.append(row)
    return "\n".join(rows)


def document(results: str, speed: str, command: str) -> str:
    from archive import language as lang  # constants only; the model stays unloaded

    machine = f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; timings vary with the machine's load."
    return f"""# Language detection

`archive/language.py` tells French, Dutch and English apart (`und` when there is
no usable evidence). It is used for every passage at indexing time and for
titles and captions with the document's languages as context.

## Method

* **Word evidence** from `wordfreq` 3.1.1: each word's frequency in the fr, nl
  and en lexicons (about 310,000 words each) is a likelihood; a word a lexicon
  lacks gets a frequency of {lang.UNKNOWN_WORD_FREQUENCY:g} (a tenth of its rarest entries). Elisions are split the way
  wordfreq split its corpora (`l'école` is `l` + `école`; `aujourd'hui` and
  `don't` stay whole), text is NFC-normalised and case-folded, and windows-1252
  text read as Latin-1 (C1 control characters) is repaired first.
* **Character evidence** from langdetect's n-gram profiles, loaded for fr, nl
  and en only. Every 1-3-gram of every word is counted (no random sampling, so
  results are deterministic). N-grams weigh a little for known words and carry
  the decision for unknown ones (names, compounds).
* The two are summed as log-likelihoods (naive Bayes), normalised to
  probabilities; below {lang.MIN_CONFIDENCE:.2f} for the best language the answer is `und`.
  A document's language shares can be added as a prior (floored at {lang.CONTEXT_FLOOR}), which
  settles short ambiguous titles. Documents are scored per block of text, so a
  bilingual two-column page counts for both languages; a page gets the language
  of its majority.
* Long texts are scored on {lang.SAMPLE_WINDOWS} windows spread over the text, {lang.SAMPLE_CHARS}
  characters in all.
* Weights and thresholds were tuned on lines 1-500 of each test file only;
  lines 501-1000 are held out.

## Figures

Data: lingua's public test set (1000 lines per language and category, split on
`"\\n"`; `und` counts as wrong). "Plain langdetect" is langdetect 1.0.9 with the
same three profiles and seed 0. Accuracy in %.

{results}

{speed}

{machine}

## Command

```
{command}
```
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with {sentences,word_pairs,single_words}/{fr,nl,en}.txt")
    parser.add_argument("--cli", action="store_true", help="detect through `archive detect` instead of the library")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain langdetect (about 20 s)")
    parser.add_argument("--write-docs", action="store_true", help=f"write the results to {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    if not all((args.data / cat / f"{lang}.txt").is_file() for cat in CATEGORIES for lang in LANGUAGES):
        print(f"no language test data in {args.data}; nothing to evaluate")
        return 0
    data = load(args.data)
    count = sum(len(texts) for texts in data.values())

    start = time.perf_counter()
    if args.cli:
        detector = cli_detector()
    else:
        from archive import language

        language.preload()
        detector = library_detector()
    load_seconds = time.perf_counter() - start
    ours, seconds = run(detector, data)
    base, base_seconds = run(baseline_detector(), data) if not args.no_baseline else (None, 0.0)

    path = "`archive detect` (CLI, 9 processes)" if args.cli else "`archive.language.detect`"
    speed = [f"Throughput of {path}: **{count / seconds:,.0f} texts/s** over the {count} texts "
             f"({1e6 * seconds / count:.0f} µs each, first pass, word cache cold"
             + (f"; loading the model took {load_seconds:.1f} s" if not args.cli else "") + ")."]
    if not args.cli:
        cold, warm = page_speed(data)
        speed.append(f"`detect_passages` on a ~3000-character page of prose: {cold:.1f} ms "
                     f"with a cold word cache, {warm:.1f} ms warm.")
    if base:
        speed.append(f"Plain langdetect: {count / base_seconds:,.0f} texts/s.")
    results = table(data, ours, base)
    speed_text = " ".join(speed)
    print(results)
    print()
    print(speed_text)

    if args.write_docs:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(document(results, speed_text, "python bench/eval_langid.py --write-docs"), encoding="utf-8")
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
