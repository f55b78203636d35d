"""Loading what the dashboard shows, from the store and the boundary cache, once.

The plain functions (``load_store_data``, ``load_basemap``, ``apply_filters``,
``options``) work without Streamlit and are what the tests call; the ``cached_*``
wrappers memoise them in a Streamlit process. Store frames are cached with
``st.cache_resource`` keyed on the store root and ``StoreReader.version()`` (which
changes whenever a write lands): they are large and read-only, and ``st.cache_data``
would pickle a copy of 100,000 rows on every rerun. The dashboard never writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from naqsha import filters as F
from naqsha.store import StoreReader

from naqsha.dashboard import deck as D

# Columns the dashboard needs; documents.text (the whole article) is never loaded.
DOC_COLUMNS = ["doc_id", "title", "outlet", "url", "published_from", "published_to", "kind", "is_sample", "path"]


@dataclass
class StoreData:
    """The store's rows, shaped for the dashboard (read-only: never mutate in place)."""

    version: str
    events: pd.DataFrame
    claims: pd.DataFrame
    documents: pd.DataFrame
    meta: dict = field(default_factory=dict)
    _options: dict = field(default_factory=dict, repr=False)  # memo of :func:`options`

    @property
    def empty(self) -> bool:
        return self.events.empty and self.claims.empty


def load_store_data(root: str | Path | None = None) -> StoreData:
    """Read events, claims and documents (without article text) and add the columns the
    views use: ``when`` (event date, else publication day), ``outlet_label``, ``title``,
    ``resolution`` (how the place was resolved) and ``precision_label``.

    Raises ``naqsha.errors.StoreMissing`` when there is no store."""
    reader = StoreReader(root)
    version = reader.version()
    events = reader.read_attributes("events")
    claims = pd.DataFrame(reader.read("claims"))
    docs = pd.DataFrame(reader.read("documents", columns=DOC_COLUMNS)) if reader.has("documents") \
        else pd.DataFrame(columns=DOC_COLUMNS)
    places = pd.DataFrame(reader.read("places", columns=["doc_id", "place_key", "resolution"])) \
        if reader.has("places") else pd.DataFrame(columns=["doc_id", "place_key", "resolution"])
    if "geometry" in places.columns:
        places = places.drop(columns="geometry")

    titles = docs.drop_duplicates("doc_id").set_index("doc_id")["title"]
    ev_when = pd.to_datetime(events["event_date"], errors="coerce")
    events = events.assign(
        when=ev_when.fillna(pd.to_datetime(events["published"], errors="coerce")),
        date_basis=ev_when.notna().map({True: "event date", False: "publication day"}),
        outlet_label=F.outlet_label(events["outlet"]),
        title=events["doc_id"].map(titles),
        precision_label=_precision_labels(events["precision"]),
    )
    res = places.drop_duplicates(["doc_id", "place_key"]).set_index(["doc_id", "place_key"])["resolution"]
    if len(events):
        idx = pd.MultiIndex.from_arrays([events["doc_id"], events["place_key"]])
        events["resolution"] = res.reindex(idx).to_numpy()
    else:
        events["resolution"] = pd.Series(dtype=object)
    claims = claims.assign(
        when=pd.to_datetime(claims["published"], errors="coerce"),
        outlet_label=F.outlet_label(claims["outlet"]),
        cited_label=claims["attributed_to"].fillna(F.OWN_CLAIM),
        title=claims["doc_id"].map(titles),
    )
    try:
        meta = reader.meta()
    except Exception:  # an old generation without meta.json is still readable
        meta = {}
    return StoreData(version, events.reset_index(drop=True), claims.reset_index(drop=True), docs, meta)


def _precision_labels(precision: pd.Series) -> pd.Series:
    """``deck.precision_label`` of each value, worked out once per distinct value."""
    labels = {v: D.precision_label(v) for v in precision.dropna().unique()}
    return precision.map(labels).fillna(D.precision_label(None))


def load_basemap() -> D.Basemap:
    """The boundary layers prepared for the browser. Raises BoundariesMissing."""
    from naqsha.etl.layers import load_layer

    countries = None
    try:
        countries = load_layer("countries", web=True)
    except Exception:  # the regional view degrades to points without country shapes
        countries = None
    return D.prepare_basemap(load_layer("provinces", web=True), load_layer("districts", web=True), countries)


def boundaries_stamp() -> str:
    """Changes when the boundary cache is rebuilt (a cache key)."""
    from naqsha.etl.layers import LAYERS, layer_path

    parts = []
    for name in LAYERS:
        p = layer_path(name, web=True)
        parts.append(f"{p}:{p.stat().st_mtime_ns if p.exists() else 0}")
    return "|".join(parts)


# --- filter options --------------------------------------------------------------------

@dataclass
class Options:
    outlets: list[str]
    cited: list[str]
    roles: list[str]
    provinces: list[str]
    date_min: date | None
    date_max: date | None


def options(data: StoreData, province_names: dict[str, str] | None = None) -> Options:
    """What each filter can choose from, most frequent first (outlets, cited sources).
    Computed once per store and boundary names (about 50 ms at 100,000 events)."""
    key = tuple(sorted((province_names or {}).items()))
    if key not in data._options:
        data._options[key] = _options(data, province_names)
    return data._options[key]


def _options(data: StoreData, province_names: dict[str, str] | None) -> Options:
    outlets = pd.concat([data.events["outlet_label"], data.claims["outlet_label"]]).value_counts()
    cited = data.claims["cited_label"].value_counts()
    roles = [r for r in ("violence", "negotiation", "control")]
    provs = set(data.events["adm1"].dropna()) | set(
        data.claims["scope"].astype(str).str.slice(0, 6)[data.claims["scope"].astype(str).str.startswith("AF-")])
    if province_names:
        provs |= set(province_names)
        provinces = sorted(provs, key=lambda c: province_names.get(c, c))
    else:
        provinces = sorted(provs)
    whens = pd.concat([data.events["when"], data.claims["when"]]).dropna()
    lo = whens.min().date() if len(whens) else None
    hi = whens.max().date() if len(whens) else None
    return Options(list(outlets.index), list(cited.index), roles, provinces, lo, hi)


def apply_filters(data: StoreData, f: F.Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events, claims) matching ``f`` (the shared rules of ``naqsha.filters``). Cited
    sources belong to claims: an events filter on them is not meaningful and ignored."""
    return F.filter_events(data.events, f), F.filter_claims(data.claims, f)


# --- Streamlit caching wrappers ---------------------------------------------------------

@st.cache_resource(show_spinner="Reading the store…", max_entries=2)
def _cached_store(root: str, version: str) -> StoreData:
    return load_store_data(root)


def cached_store_data(root: str) -> StoreData:
    """``load_store_data`` memoised on (root, store version)."""
    version = StoreReader(root).version()  # raises StoreMissing first
    return _cached_store(root, version)


@st.cache_resource(show_spinner="Preparing the boundaries…", max_entries=2)
def _cached_basemap(stamp: str) -> D.Basemap:
    return load_basemap()


def cached_basemap() -> D.Basemap:
    """``load_basemap`` memoised until the boundary cache is rebuilt."""
    return _cached_basemap(boundaries_stamp())


def n_articles(events: pd.DataFrame, claims: pd.DataFrame) -> int:
    """How many articles the filtered events and claims come from."""
    return int(pd.concat([events["doc_id"], claims["doc_id"]]).nunique())


# --- maps, memoised per store, boundaries and filters ---------------------------------------

def _violence(events, claims, basemap):
    return D.violence_map(events, basemap)


def _venues(events, claims, basemap):
    return D.venues_maps(events, basemap)


def _control(events, claims, basemap):
    return D.control_map(claims, basemap)


MAP_BUILDERS = {"violence": _violence, "venues": _venues, "control": _control}


@st.cache_resource(max_entries=24, show_spinner=False)
def _cached_map(key: tuple, which: str, _events, _claims, _basemap):
    return MAP_BUILDERS[which](_events, _claims, _basemap)


def cached_map(which: str, root: str, data: StoreData, f: F.Filters, events: pd.DataFrame,
               claims: pd.DataFrame, basemap: D.Basemap):
    """The map ``which`` for the filtered rows, built once per (store version, boundaries,
    filters): going back to a view or a filter already seen costs nothing, and the
    server's warm-up builds the landing view before the first visit. The result is
    shared: never mutate it (``layer_data.externalize`` copies)."""
    key = (root, data.version, boundaries_stamp(), repr(f))
    return _cached_map(key, which, events, claims, basemap)


def finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))
