"""Map layer data served over HTTP instead of inline in the deck's JSON.

Streamlit sends a pydeck chart to the browser as one JSON document; its frontend parses
it with JSON5 (a lenient parser written in JavaScript, about 30 times slower than the
browser's own) and deck.gl's JSON converter then walks it node by node. Our maps carry
about a megabyte of coordinates, which cost about 0.7 s before the first frame here.
deck.gl can instead load a layer's data from a URL, parsed natively. So when the
dashboard runs under naqsha's server (:mod:`naqsha.dashboard.server`, which calls
:func:`enable`), :func:`externalize` publishes each large layer's data here and leaves
only its URL in the deck. Anywhere else (``AppTest``, a bare ``streamlit run app.py``)
the data stays inline and the page works the same.

The URL is a hash of the bytes: the browser may cache it for good, and a filter that
yields the same layer yields the same URL. Entries live in memory, bounded, least
recently published dropped first.

Safety: the bytes are JSON served as ``application/json`` and read by deck.gl's loader,
never as HTML; tooltips still use deck.gl's text mode (see :mod:`naqsha.dashboard.deck`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
from collections import OrderedDict

ROUTE_PREFIX = "/naqsha/layer-data/"
#: Below this size a layer's data stays inline (a request costs more than it saves).
MIN_BYTES = 4_096
#: Memory kept for published data; each deck holds about 1 MB at 100,000 events.
MAX_BYTES = 256 * 1024 * 1024

_KEY = re.compile(r"^[0-9a-f]{32}$")
_lock = threading.Lock()
_entries: OrderedDict[str, bytes] = OrderedDict()
_size = 0
_enabled = False
_prefix = ROUTE_PREFIX


def enable(base_url_path: str = "") -> None:
    """Serve layer data by URL from now on (called by the server that mounts :func:`routes`).
    ``base_url_path`` is Streamlit's ``server.baseUrlPath``: behind a proxy that forwards
    only that path, the data must live under it too."""
    global _enabled, _prefix
    base = base_url_path.strip("/")
    _prefix = f"/{base}{ROUTE_PREFIX}" if base else ROUTE_PREFIX
    _enabled = True


def enabled() -> bool:
    return _enabled


def publish(payload: bytes) -> str:
    """Keep ``payload`` (JSON bytes) and return the URL it is served at."""
    global _size
    key = hashlib.sha256(payload).hexdigest()[:32]
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
        else:
            _entries[key] = payload
            _size += len(payload)
            while _size > MAX_BYTES and len(_entries) > 1:
                _, dropped = _entries.popitem(last=False)
                _size -= len(dropped)
    return f"{_prefix}{key}.json"


def lookup(key: str) -> bytes | None:
    with _lock:
        return _entries.get(key) if _KEY.match(key) else None


def externalize(deck):
    """A copy of the pydeck ``deck`` whose large layers carry a URL instead of their data,
    when serving is enabled (else ``deck`` itself; it is never changed: decks are cached
    and shared). Data the browser's strict JSON parser would reject (NaN, infinities)
    stays inline, where Streamlit's lenient parser accepts it."""
    if not _enabled or deck is None:
        return deck
    layers = []
    for layer in deck.layers:
        url = _url_for(layer.data)
        if url is not None:
            layer = copy.copy(layer)
            layer.data = url
        layers.append(layer)
    out = copy.copy(deck)
    out.layers = layers
    return out


def _url_for(data) -> str | None:
    if not isinstance(data, (list, dict)) or not data:
        return None
    try:
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return None
    return publish(payload) if len(payload) >= MIN_BYTES else None


async def serve_layer_data(request):
    """Starlette endpoint: the published bytes, or 404 when unknown or dropped."""
    from starlette.responses import PlainTextResponse, Response

    payload = lookup(request.path_params["key"])
    if payload is None:
        return PlainTextResponse("No such layer data (the dashboard was restarted?): reload the page.",
                                 status_code=404)
    return Response(payload, media_type="application/json",
                    headers={"Cache-Control": "private, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"})


def routes() -> list:
    from starlette.routing import Route

    return [Route(_prefix + "{key}.json", serve_layer_data, methods=["GET"])]
