"""What the FreeDict dictionary gives for the archive's own vocabulary, to be read by eye.

    python bench/eval_dictionary.py [--folder DIR] [--pivot off|fallback|always] [--pivot-pairs fr-nl|all]
                                    [--pairs fr-nl,en-fr] [--quiet]

For about seventy common words of the domain in each language, prints the
translations into the two other languages with their weights, then how many
words found any translation.  Then scores the single words of the archive's
own glossary (corpus/glossary.tsv) as a reference: for how many the best
translation, or any of them, is one of the glossary's.  ``--pivot`` rebuilds
the dictionary (no cache) with the pivot off, only for words the direct
dictionaries miss (the default), or always; ``--pivot-pairs all`` pivots every
pair through the third language, not only fr<->nl through English.  Needs
Debian's ``dict-freedict-*`` packages (or ``$ARCHIVE_DICTIONARIES``).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.analysis import WORD_PATTERN, indexed_forms  # noqa: E402
from indexer.dictionary import LANGUAGES, PACKAGES, PAIRS, Dictionary, Settings  # noqa: E402

GLOSSARY = ROOT / "corpus" / "glossary.tsv"

WORDS = {
    "en": """child children exploitation abuse sexual trafficking victim victims training report protection
        internet online prevention school police travel tourism tourist hotel law justice court rights
        young youth girl boy family parents violence prostitution pornography image photo video campaign
        project study research professional teacher social worker help support safety safe risk danger
        crime offender sport event company government country world migration migrant refugee education
        awareness network phone media press news year""",
    "fr": """enfant enfants exploitation abus sexuel traite victime victimes formation rapport protection
        internet ligne prévention école police voyage tourisme touriste hôtel loi justice tribunal droits
        jeune jeunesse fille garçon famille parents violence prostitution pornographie image photo vidéo campagne
        projet étude recherche professionnel enseignant social travailleur aide soutien sécurité sûr risque danger
        crime auteur sport événement entreprise gouvernement pays monde migration migrant réfugié éducation
        sensibilisation réseau téléphone médias presse actualités année""",
    "nl": """kind kinderen uitbuiting misbruik seksueel mensenhandel slachtoffer slachtoffers opleiding verslag bescherming
        internet online preventie school politie reis toerisme toerist hotel wet justitie rechtbank rechten
        jong jeugd meisje jongen gezin ouders geweld prostitutie pornografie beeld foto video campagne
        project studie onderzoek professioneel leraar sociaal werker hulp steun veiligheid veilig risico gevaar
        misdaad dader sport evenement bedrijf regering land wereld migratie migrant vluchteling onderwijs
        bewustmaking netwerk telefoon media pers nieuws jaar""",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", help="the dictd folder (default $ARCHIVE_DICTIONARIES or /usr/share/dictd)")
    parser.add_argument("--pivot", choices=("off", "fallback", "always"), help="rebuild with this pivot setting")
    parser.add_argument("--pivot-pairs", choices=("fr-nl", "all"), default="fr-nl")
    parser.add_argument("--pairs", help="comma-separated pairs to print, e.g. fr-nl,nl-fr (default all six)")
    parser.add_argument("--quiet", action="store_true", help="only the counts and the glossary scores")
    args = parser.parse_args()

    started = time.perf_counter()
    if args.pivot:
        settings = dataclasses.replace(Settings(), pivot=0.0 if args.pivot == "off" else Settings().pivot,
                                       pivot_only_when_empty=args.pivot == "fallback",
                                       pivot_pairs=PAIRS if args.pivot_pairs == "all" else Settings().pivot_pairs)
        with tempfile.TemporaryDirectory() as cache:
            dictionary = Dictionary.load(args.folder, cache_dir=cache, use_cache=False, settings=settings)
    else:
        dictionary = Dictionary.load(args.folder)
    if not dictionary.available():
        raise SystemExit(f"no dictionaries found: apt-get install {' '.join(PACKAGES)}")
    print(f"loaded in {time.perf_counter() - started:.2f} s ({'cache' if dictionary.from_cache else 'built'})\n")

    pairs = [tuple(p.split("-")) for p in args.pairs.split(",")] if args.pairs else \
        [(a, b) for a in WORDS for b in WORDS if a != b]
    found = {}
    for src, dst in pairs:
        print(f"== {src} -> {dst}")
        words = WORDS[src].split()
        hits = 0
        for word in words:
            translations = dictionary.translate(word, src, dst)
            hits += bool(translations)
            if not args.quiet:
                print(f"  {word:18} " + (", ".join(f"{t} {w:.2f}" for t, w in translations) or "-"))
        found[src, dst] = (hits, len(words))
        print()
    for (src, dst), (hits, total) in found.items():
        print(f"{src} -> {dst}: {hits}/{total} words translated")
    print()
    glossary_scores(dictionary, pairs)


def key(term: str, lang: str) -> str:
    words = re.findall(WORD_PATTERN, term)
    stems = indexed_forms(words, lang)
    return " ".join(s for s in (stems[w] for w in words) if s)


def glossary_scores(dictionary: Dictionary, pairs) -> None:
    """For each single-word glossary term: is the best translation, or any, a glossary term of the other language?"""
    with open(GLOSSARY, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    header = rows[0]
    concepts = [{lang: [t.strip() for t in cell.split("|") if t.strip()] for lang, cell in zip(header, row)} for row in rows[1:]]
    print("glossary single words: best translation right / any right / translated / words")
    for src, dst in pairs:
        words = best = anywhere = translated = 0
        for concept in concepts:
            gold = {key(t, dst) for t in concept.get(dst, [])}
            for term in concept.get(src, []):
                if len(re.findall(WORD_PATTERN, term)) != 1:
                    continue
                words += 1
                keys = [key(t, dst) for t, _ in dictionary.translate(term, src, dst)]
                translated += bool(keys)
                best += bool(keys) and keys[0] in gold
                anywhere += any(k in gold for k in keys)
        print(f"  {src} -> {dst}: {best} / {anywhere} / {translated} / {words}")


if __name__ == "__main__":
    main()
