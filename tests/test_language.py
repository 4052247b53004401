"""Language detection: texts written for these tests, none from the evaluation data."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from archive import language
from archive.language import detect, detect_passages, detect_with_context, probabilities
from archive.model import LANGUAGES, UNDETERMINED, Passage

SENTENCES = [
    ("fr", "Le conseil communal a approuvé hier soir le budget de l'année prochaine après un long débat."),
    ("fr", "Les enfants victimes d'exploitation doivent être protégés et accompagnés par des professionnels."),
    ("fr", "Aujourd'hui, l'association publie son rapport sur la traite des êtres humains en Belgique."),
    ("fr", "Il faut qu'on en parle avant la réunion de jeudi."),
    ("nl", "De gemeenteraad heeft gisteravond na een lang debat de begroting voor volgend jaar goedgekeurd."),
    ("nl", "Kinderen die slachtoffer zijn van uitbuiting moeten door hulpverleners worden beschermd."),
    ("nl", "Het centrum publiceert elk jaar een verslag over mensenhandel in België."),
    ("nl", "'s Avonds gaan we met z'n allen naar de vergadering."),
    ("en", "The city council approved next year's budget last night after a long debate."),
    ("en", "Children who are victims of exploitation must be protected by trained social workers."),
    ("en", "The centre publishes a yearly report on human trafficking in Belgium."),
    ("en", "We don't know yet whether they'll attend the meeting on Thursday."),
]

TITLES = [
    ("fr", "Rapport annuel 2023"),
    ("fr", "Communiqué de presse"),
    ("fr", "Protection de l’enfance"),
    ("nl", "Jaarverslag 2023"),
    ("nl", "Persbericht"),
    ("nl", "Kinderen in gevaar"),
    ("en", "Annual report 2023"),
    ("en", "Press release"),
    ("en", "Child protection"),
]

NO_EVIDENCE = ["", "   \n\t ", "2023", "12 345,67 €", "!!! ???", "— • —", "2023-01-15 14:30", "a", "中文文本", "https://www.example.org/a/b"]

FRENCH_PAGE = (
    "La commission a examiné les conditions d'accueil des mineurs non accompagnés dans les centres "
    "fédéraux. Elle constate que les places disponibles restent insuffisantes et que les délais "
    "d'attente se sont allongés depuis l'an dernier. Les travailleurs sociaux demandent davantage "
    "de moyens pour assurer un suivi individuel de chaque jeune."
)
DUTCH_PAGE = (
    "De commissie heeft de opvangvoorwaarden voor niet-begeleide minderjarigen in de federale centra "
    "onderzocht. Ze stelt vast dat er nog steeds te weinig plaatsen zijn en dat de wachttijden sinds "
    "vorig jaar langer zijn geworden. De maatschappelijk werkers vragen meer middelen om elke jongere "
    "individueel te kunnen opvolgen."
)


@pytest.mark.parametrize("expected, text", SENTENCES)
def test_sentences(expected, text):
    assert detect(text) == expected


@pytest.mark.parametrize("expected, text", TITLES)
def test_short_titles(expected, text):
    assert detect(text) == expected


@pytest.mark.parametrize("text", NO_EVIDENCE)
def test_no_evidence_is_undetermined(text):
    assert detect(text) == UNDETERMINED
    assert probabilities(text) == {}


@pytest.mark.parametrize("expected, text", [(lang, text.upper()) for lang, text in SENTENCES[::3]])
def test_capitals_do_not_hide_the_language(expected, text):
    assert detect(text) == expected


def test_a_word_shared_by_all_three_languages_is_undetermined_alone():
    # "restaurant" is spelt and used the same way in fr, nl and en.
    assert detect("Restaurant") == UNDETERMINED
    assert max(probabilities("Restaurant").values()) < 0.5


def test_probabilities_cover_the_three_languages_and_sum_to_one():
    probs = probabilities(SENTENCES[4][1])
    assert set(probs) == set(LANGUAGES)
    assert sum(probs.values()) == pytest.approx(1.0)
    assert probs["nl"] > 0.99


def test_repeated_calls_give_the_same_answer():
    text = "Contact"  # close call between three languages: any randomness would show
    answers = {detect(text) for _ in range(20)}
    probs = {tuple(sorted(probabilities(text).items())) for _ in range(20)}
    assert len(answers) == 1 and len(probs) == 1


def test_answers_do_not_depend_on_the_process():
    code = "from archive.language import probabilities; print(probabilities('Contact agenda media'))"
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        for _ in range(2)
    }
    assert len(runs) == 1
    assert str(probabilities("Contact agenda media")) in runs


def test_windows_1252_read_as_latin1_is_repaired():
    damaged = "l\x92\xe9cole d\x92\xe9t\xe9 \x96 c\x92est d\xe9j\xe0 fini"
    assert language.repair(damaged) == "l’école d’été – c’est déjà fini"
    assert detect(damaged) == "fr"


def test_utf8_read_as_latin1_is_repaired():
    damaged = "été à Bruxelles".encode("utf-8").decode("latin-1")
    assert damaged.startswith("Ã©tÃ©")
    assert language.repair(damaged) == "été à Bruxelles"
    # A text that merely contains a capital A with a tilde is left alone.
    assert language.repair("São Paulo Ã") == "São Paulo Ã"


def test_elisions_count_as_french_evidence():
    # Split l'|agenda the way wordfreq's corpora were, the elided article is
    # strong French evidence; whole, "l'agenda" would be an unknown word.
    assert probabilities("l'agenda")["fr"] > 0.9
    assert probabilities("qu'Internet")["fr"] > 0.9


@pytest.mark.parametrize(
    "expected, word",
    [("nl", "kinderbeschermingsmedewerkersoverleg"), ("fr", "désinstitutionnalisations"), ("en", "thoughtfulnesses")],
)
def test_words_missing_from_every_lexicon_are_read_from_their_letters(expected, word):
    assert detect(word) == expected


def test_long_text_is_sampled_across_its_whole_length():
    # The head alone is French, most of the text is Dutch.
    text = " ".join([FRENCH_PAGE] * 7 + [DUTCH_PAGE] * 20)
    assert text.index(DUTCH_PAGE) > language.SAMPLE_CHARS
    assert len(text) > 4 * language.SAMPLE_CHARS
    assert detect(text) == "nl"


@pytest.mark.parametrize(
    "title, context, expected",
    [
        ("Contact", {"nl": 0.9, "fr": 0.1}, "nl"),
        ("Contact", {"fr": 0.8, "nl": 0.2}, "fr"),
        ("Contact", {"en": 1.0}, "en"),
        ("Agenda", {"fr": 1.0}, "fr"),
        ("Restaurant", {"nl": 0.7, "fr": 0.3}, "nl"),
    ],
)
def test_context_settles_ambiguous_titles(title, context, expected):
    assert detect_with_context(title, context) == expected


def test_context_does_not_override_clear_evidence():
    # Even a single word keeps its language against a one-language document.
    assert detect_with_context("Jaarverslag", {"fr": 1.0}) == "nl"
    assert detect_with_context("Actualités", {"nl": 0.5, "en": 0.5}) == "fr"
    assert detect_with_context("Jaarverslag van de vereniging", {"fr": 1.0}) == "nl"
    assert detect_with_context("Rapport annuel de l'association", {"nl": 0.95, "en": 0.05}) == "fr"


def test_context_does_not_invent_a_language():
    assert detect_with_context("2023", {"fr": 1.0}) == UNDETERMINED
    assert detect_with_context("", {"nl": 1.0}) == UNDETERMINED


def test_without_context_it_is_plain_detect():
    for _, text in TITLES:
        assert detect_with_context(text, None) == detect(text)
        assert detect_with_context(text, {}) == detect(text)


def test_bilingual_document():
    passages = [Passage(FRENCH_PAGE, 1), Passage(DUTCH_PAGE, 2), Passage(DUTCH_PAGE, 3), Passage("12", 4)]
    main, shares = detect_passages(passages)
    assert [p.lang for p in passages] == ["fr", "nl", "nl", UNDETERMINED]
    assert main == "nl"
    assert set(shares) == {"fr", "nl"}
    assert sum(shares.values()) == pytest.approx(1.0, abs=0.002)
    assert shares["nl"] == pytest.approx(2 * shares["fr"], rel=0.1)
    assert all(round(share, 3) == share for share in shares.values())


def test_page_with_two_language_columns_counts_for_both():
    # A bilingual official page: a French and a Dutch text box, Dutch longer.
    page = FRENCH_PAGE + "\n\n" + DUTCH_PAGE + "\n\n" + DUTCH_PAGE
    passages = [Passage(page, 1)]
    main, shares = detect_passages(passages)
    assert passages[0].lang == "nl" == main
    assert 0.25 < shares["fr"] < 0.45 and 0.55 < shares["nl"] < 0.75


def test_shares_count_the_whole_of_a_sampled_long_block():
    long_dutch = " ".join([DUTCH_PAGE] * 20)  # one block, scored on a sample
    assert len(long_dutch) > 3 * language.SAMPLE_CHARS
    _, shares = detect_passages([Passage(FRENCH_PAGE, 1), Passage(long_dutch, 2)])
    assert shares["fr"] == pytest.approx(len(FRENCH_PAGE) / (len(FRENCH_PAGE) + len(long_dutch)), abs=0.01)


def test_short_passages_take_the_document_language():
    passages = [Passage(DUTCH_PAGE, 1), Passage("Contact", 2), Passage(DUTCH_PAGE, 3), Passage("Agenda", 4)]
    detect_passages(passages)
    assert [p.lang for p in passages] == ["nl"] * 4
    passages = [Passage(FRENCH_PAGE, 1), Passage("Contact", 2), Passage("Agenda", 3)]
    detect_passages(passages)
    assert [p.lang for p in passages] == ["fr"] * 3


def test_document_of_short_texts_only_pools_its_evidence():
    passages = [Passage("Sommaire"), Passage("Contact"), Passage("Agenda"), Passage("Avant-propos")]
    main, shares = detect_passages(passages)
    assert main == "fr" and shares == {"fr": 1.0}
    # Alone, "Contact" and "Agenda" lean Dutch; pooled, the document is French.
    assert detect("Contact") == detect("Agenda") == "nl"
    assert [p.lang for p in passages] == ["fr"] * 4


def test_document_without_text():
    assert detect_passages([]) == (UNDETERMINED, {})
    passages = [Passage(""), Passage("2019 - 2020"), Passage("p. 12")]
    assert detect_passages(passages) == (UNDETERMINED, {})
    assert all(p.lang == UNDETERMINED for p in passages)


def test_short_texts_are_fast():
    language.preload()
    texts = [f"{title} {i}" for i in range(200) for _, title in TITLES]
    start = time.perf_counter()
    for text in texts:
        detect(text)
    per_text = (time.perf_counter() - start) / len(texts)
    assert per_text < 0.001, f"{per_text * 1e6:.0f} µs per short text"
