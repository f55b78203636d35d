"""Map layer data served by URL (``naqsha.dashboard.layer_data``): the deck carries a URL,
the server hands back exactly the bytes deck.gl needs, and anything that cannot be
served that way stays inline so the map still draws."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from naqsha.dashboard import deck as D
from naqsha.dashboard import layer_data as LD


@pytest.fixture()
def serving(monkeypatch):
    monkeypatch.setattr(LD, "_enabled", True)
    monkeypatch.setattr(LD, "_entries", type(LD._entries)())
    monkeypatch.setattr(LD, "_size", 0)
    return LD


def big_points(n=200, **extra):
    return [dict(lon=60 + i / 100, lat=33.0, title=f"place {i} <img src=x onerror=alert(1)>", **extra)
            for i in range(n)]


def fetch(key: str):
    request = SimpleNamespace(path_params={"key": key})
    return asyncio.run(LD.serve_layer_data(request))


def test_without_the_server_the_data_stays_inline():
    deck = D.make_deck([D.point_layer(big_points())])
    assert not LD.enabled()
    assert isinstance(LD.externalize(deck).layers[0].data, list)


def test_large_layers_go_by_url_and_come_back_byte_for_byte(serving):
    records = big_points()
    deck = serving.externalize(D.make_deck([D.point_layer(records), D.point_layer(big_points(2), layer_id="few")]))
    url = deck.layers[0].data
    assert isinstance(url, str) and url.startswith(LD.ROUTE_PREFIX) and url.endswith(".json")
    assert isinstance(deck.layers[1].data, list), "a tiny layer is not worth a request"
    spec = json.loads(deck.to_json())
    assert spec["layers"][0]["data"] == url and len(deck.to_json()) < 4_000

    response = fetch(url[len(LD.ROUTE_PREFIX):-len(".json")])
    assert response.status_code == 200 and response.media_type == "application/json"
    assert json.loads(response.body) == records  # article text travels as JSON strings, never as HTML
    assert "immutable" in response.headers["cache-control"]


def test_the_same_data_gets_the_same_url(serving):
    a = serving.externalize(D.make_deck([D.point_layer(big_points())])).layers[0].data
    b = serving.externalize(D.make_deck([D.point_layer(big_points())])).layers[0].data
    assert a == b and len(serving._entries) == 1


def test_data_a_strict_json_parser_rejects_stays_inline(serving):
    deck = serving.externalize(D.make_deck([D.point_layer(big_points(radius=float("nan")))]))
    assert isinstance(deck.layers[0].data, list)


def test_unknown_or_malformed_keys_are_a_404_that_says_what_to_do(serving):
    for key in ("0" * 32, "../../etc/passwd", "ABC"):
        response = fetch(key)
        assert response.status_code == 404 and b"reload the page" in response.body


def test_memory_is_bounded_oldest_dropped_first(serving, monkeypatch):
    monkeypatch.setattr(LD, "MAX_BYTES", 10_000)
    urls = [serving.publish(json.dumps({"i": i, "pad": "x" * 3_000}).encode()) for i in range(5)]
    keys = [u[len(LD.ROUTE_PREFIX):-5] for u in urls]
    assert serving.lookup(keys[0]) is None and serving.lookup(keys[-1]) is not None
    assert serving._size <= 10_000


def test_externalize_leaves_the_cached_deck_as_it_was(serving):
    deck = D.make_deck([D.point_layer(big_points())])
    served = serving.externalize(deck)
    assert isinstance(served.layers[0].data, str)
    assert isinstance(deck.layers[0].data, list), "decks are cached and shared: never changed in place"


def test_behind_a_base_url_path_the_data_lives_under_it(serving, monkeypatch):
    monkeypatch.setattr(LD, "_prefix", LD._prefix)
    serving.enable("/naqsha-proxy/")
    url = serving.publish(b'{"a": 1}')
    assert url.startswith("/naqsha-proxy/naqsha/layer-data/")
    assert serving.routes()[0].path == "/naqsha-proxy/naqsha/layer-data/{key}.json"
