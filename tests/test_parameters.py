"""The search parameters are declared once (``search/parameters.py``): the page's URLs, the API
(and its OpenAPI document) and ``archive search`` all take exactly those, and mean the same by them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from starlette.datastructures import QueryParams

from indexer.contract import SearchRequest
from search.cli import main
from search.parameters import PARAMETERS
from search.web import create_app
from search.web_params import BadParameter, SearchParams

#: One value per parameter that differs from its default, as a URL writes it.
GIVEN = {
    "q": "traite enfants", "lang": ["fr", "nl"], "year": ["2019", "2020"], "project": ["alert"],
    "type": ["report", "other"], "from": "2019-01-01", "to": "2021-12-31", "sort": "date",
    "per_page": "3", "cross_language": "1", "page": "2",
}


@pytest.fixture(scope="module")
def client(built_index):
    return TestClient(create_app(built_index[1]))


def test_the_example_sets_every_parameter():
    assert set(GIVEN) == {p.name for p in PARAMETERS}


def test_every_parameter_is_a_field_of_the_request_with_its_default():
    requests = {f.name: f for f in dataclasses.fields(SearchRequest)}
    for parameter in PARAMETERS:
        assert parameter.default == requests[parameter.field].default


def test_a_page_url_round_trips_through_the_parameters():
    params = SearchParams.from_query(QueryParams([(k, v) for k, vs in GIVEN.items() for v in (vs if isinstance(vs, list) else [vs])]))
    assert params.langs == ("fr", "nl") and params.years == (2019, 2020) and params.date_from == dt.date(2019, 1, 1)
    assert params.cross_language is True and params.per_page == 3 and params.page == 2
    again = SearchParams.from_query(QueryParams(params.url().partition("?")[2]))
    assert again == params
    assert SearchParams().url() == "/"  # every default is left out


def test_facet_links_toggle_one_value_and_go_back_to_page_one():
    params = SearchParams(query="x", years=(2019,), page=3)
    assert params.toggled("year", "2020").years == (2019, 2020)
    assert params.toggled("year", "2019").years == ()
    assert params.toggled("lang", "fr").page == 1
    assert params.without("from") == dataclasses.replace(params, page=1)
    assert not params.without_filters().filtered and params.filtered


@pytest.mark.parametrize("name, value", [("lang", "xx"), ("year", "0"), ("year", "10000"), ("from", "2019-13-01"), ("to", "2019-1-1"),
                                         ("sort", "size"), ("page", "1001"), ("per_page", "101"), ("page", "²")])
def test_a_bad_value_is_refused_by_the_page_the_api_and_the_cli(client, built_index, name, value):
    with pytest.raises(BadParameter):
        SearchParams.from_query(QueryParams({name: value}))
    assert client.get("/api/search", params={name: value}).status_code == 422
    assert client.get("/", params={name: value}).status_code == 400
    option = next(p.cli_name for p in PARAMETERS if p.name == name)
    if name != "per_page":  # the CLI's --limit allows the CSV export's 1000
        result = CliRunner().invoke(main, ["search", "x", "--index", str(built_index[1]), option, value])
        assert result.exit_code == 2, result.output


def test_the_openapi_document_lists_exactly_the_parameters_with_their_descriptions(client):
    declared = client.get("/openapi.json").json()["paths"]["/api/search"]["get"]["parameters"]
    assert [p["name"] for p in declared] == [p.name for p in PARAMETERS]
    assert [p["description"] for p in declared] == [p.help for p in PARAMETERS]


def test_the_cli_has_an_option_for_every_parameter_but_the_query():
    options = {opt for param in main.commands["search"].params for opt in param.opts}
    assert {p.cli_name for p in PARAMETERS if p.name != "q"} <= options
    assert next(p for p in PARAMETERS if p.name == "q").cli_name is None


def test_the_cli_and_the_api_answer_the_same_settings_alike(client, built_index):
    settings = {"lang": ["fr", "en"], "year": ["2019", "2022"], "type": ["report", "press_release", "other"],
                "sort": "date", "per_page": "1", "from": "2019-01-01"}
    for page in ("1", "2"):
        api = client.get("/api/search", params={"q": "enfants children", **settings, "page": page}).json()
        argv = ["search", "enfants children", "--index", str(built_index[1]), "--format", "json", "--public", "--page", page]
        for parameter in PARAMETERS:
            values = settings.get(parameter.name, [])
            argv += [arg for v in (values if isinstance(values, list) else [values]) for arg in (parameter.cli_name, v)]
        result = CliRunner().invoke(main, argv)
        assert result.exit_code == 0, result.output
        cli = json.loads(result.output)
        assert cli["total"] == api["total"] >= 2  # so that page 2 holds a hit
        assert [h["id"] for h in cli["hits"]] == [h["id"] for h in api["hits"]]
