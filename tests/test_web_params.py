"""A facet's links, written together (``SearchParams.toggled_urls``), are the links of each value toggled on its own."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from search.web_params import BadParameter, SearchParams

STATES = [
    "",
    "q=enfants",
    "q=droits+des+enfants&page=3",
    "q=enfants&lang=fr&lang=nl&year=2019&page=2",
    "q=caf%C3%A9+%26+co&project=alert&project=je-dis-stop&type=report&from=2019-01-01&to=2020-12-31",
    "q=x&sort=date&cross_language=1&per_page=25&page=4",
    "year=2019&year=2021",
]
FACETS = [
    ("lang", ["fr", "nl", "en"]),
    ("year", ["2019", "2020", "2021"]),
    ("project", ["alert", "je-dis-stop", "react", "name with spaces & signs"]),
    ("type", ["report", "press_release", "other"]),
]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name, values", FACETS)
def test_toggled_urls_are_each_value_toggled(state, name, values):
    params = SearchParams.from_query(QueryParams(state))
    assert params.toggled_urls(name, values) == [params.toggled(name, v).url() for v in values]
    assert params.toggled_urls(name, values, "/api/search") == [params.toggled(name, v).url("/api/search") for v in values]


def test_a_value_the_page_cannot_take_fails_alike():
    params = SearchParams.from_query(QueryParams("q=enfants"))
    with pytest.raises(BadParameter):
        params.toggled("year", "not-a-year")
    with pytest.raises(BadParameter):
        params.toggled_urls("year", ["not-a-year"])
