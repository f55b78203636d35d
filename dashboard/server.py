"""naqsha's dashboard server: the Streamlit page (``app.py``) as an ASGI app
(``st.App``), plus what a plain ``streamlit run app.py`` cannot do:

- serve the maps' layer data by URL (:mod:`naqsha.dashboard.layer_data`), so the browser
  parses it natively instead of through Streamlit's JSON5 parser;
- warm up at start: import the page's modules and read the store and boundaries into the
  page's caches in the background, so that the first visitor does not wait for them
  (about 1.5 s on a 100,000-event store). The snapshot code (matplotlib) is left out:
  it would compete with the first visit for the interpreter, and loads on download.

``naqsha dashboard`` runs ``streamlit run`` on this file (Streamlit finds ``app`` here).
"""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

from naqsha.dashboard import layer_data

log = logging.getLogger("naqsha.dashboard")
WARM_UP_THREAD = "naqsha-warm-up"


class _WarmUpIsNotAPage(logging.Filter):
    """Streamlit warns when its caches are used outside a page run, which the warm-up
    does on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != WARM_UP_THREAD


def warm_up() -> None:
    """Fill the caches the page reads first. A problem here (no store yet, no boundaries)
    is left for the page, which shows it with the command that fixes it."""
    try:
        from naqsha.dashboard import data, views  # noqa: F401  (the imports are half the cost)
        from naqsha.filters import Filters
        from naqsha.settings import get_settings

        root = str(get_settings().store)
        basemap = data.cached_basemap()
        store_data = data.cached_store_data(root)
        data.options(store_data, basemap.province_names())
        # the landing view (violence, no filters): built, and its layer data published
        events, claims = data.apply_filters(store_data, Filters())
        landing = data.cached_map("violence", root, store_data, Filters(), events, claims, basemap)
        layer_data.externalize(landing.deck)
    except Exception as exc:  # noqa: BLE001
        log.info("warm-up stopped early (the page will say why): %s", exc)


@asynccontextmanager
async def lifespan(_app):
    # A thread, not an await: the server answers (health checks, the page's own files)
    # while the store loads; a visitor who arrives meanwhile waits on the same cache entry.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_WarmUpIsNotAPage())
    threading.Thread(target=warm_up, name=WARM_UP_THREAD, daemon=True).start()
    yield


layer_data.enable(st.get_option("server.baseUrlPath") or "")
app = st.App(Path(__file__).with_name("app.py"), routes=layer_data.routes(), lifespan=lifespan)
