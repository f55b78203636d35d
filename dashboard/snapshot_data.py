"""What a snapshot shows, read from the store and computed once for every format (no
drawing): the map's title and subtitle, events aggregated by place, filtered claims, the
outlets cited, notes and the "nothing matched" note, and the attribution line."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from naqsha.filters import Filters, filter_claims, filter_events, outlet_label

from .snapshot_boundaries import boundary_citation, layer


MAPS = ("violence", "venues", "control")


TITLES = {
    "violence": "Violence reported in Afghanistan",
    "venues": "Where Afghan peace talks were reported",
    "control": "Territorial control claims, by source",
}
ROLE_OF_MAP = {"violence": "violence", "venues": "negotiation", "control": "control"}


EVENT_COLUMNS = ["event_id", "doc_id", "role", "place_key", "level", "adm0", "adm1", "adm2", "name",
                 "lat", "lon", "precision", "event_date", "fatalities", "fatalities_approx", "outlet",
                 "published"]
CLAIM_COLUMNS = ["claim_id", "doc_id", "subject", "metric", "value", "unit", "of_total", "scope",
                 "attributed_to", "as_of", "text", "derived", "outlet", "published"]


def as_day(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


@dataclass
class SnapshotData:
    """What one snapshot shows, computed once for static and HTML output."""

    map_name: str
    filters: Filters
    title: str
    subtitle: str
    places: pd.DataFrame = field(default_factory=pd.DataFrame)   # events aggregated by place
    claims: pd.DataFrame = field(default_factory=pd.DataFrame)   # filtered claims
    outlets: list[str] = field(default_factory=list)
    n_items: int = 0
    n_docs: int = 0
    notes: list[str] = field(default_factory=list)
    empty_note: str | None = None


def _event_days(ev: pd.DataFrame) -> pd.Series:
    when = pd.to_datetime(ev["event_date"], errors="coerce")
    return when.where(when.notna(), pd.to_datetime(ev["published"], errors="coerce"))


def aggregate_places(ev: pd.DataFrame) -> pd.DataFrame:
    """Events grouped by place: how many events and articles, the fatalities reported
    (sum where stated; NaN when no article states a number), first and last day."""
    cols = ["place_key", "level", "precision", "adm0", "adm1", "adm2", "name", "lat", "lon", "n_events",
            "n_docs", "fatalities", "approx", "first", "last", "outlets"]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    ev = ev.assign(_day=_event_days(ev),
                   _fat=pd.to_numeric(ev["fatalities"], errors="coerce").astype(float),
                   _approx=ev["fatalities_approx"].astype("boolean").fillna(False).astype(bool))
    g = ev.groupby("place_key", sort=True)
    out = g.agg(level=("level", "first"), precision=("precision", "min"), adm0=("adm0", "first"),
                adm1=("adm1", "first"), adm2=("adm2", "first"), name=("name", "first"), lat=("lat", "first"),
                lon=("lon", "first"), n_events=("doc_id", "size"), n_docs=("doc_id", "nunique"),
                approx=("_approx", "any"), first=("_day", "min"), last=("_day", "max"))
    out["fatalities"] = g["_fat"].sum(min_count=1)
    outlets = ev[["place_key", "outlet"]].drop_duplicates()
    outlets = outlets.assign(_outlet=outlet_label(outlets["outlet"].astype(object)))
    outlets = outlets[["place_key", "_outlet"]].drop_duplicates().sort_values(["place_key", "_outlet"])
    out["outlets"] = outlets.groupby("place_key")["_outlet"].agg(tuple)
    out = out.reset_index()
    return out[cols]


def date_phrase(first, last) -> str:
    first, last = as_day(first), as_day(last)
    if first is None and last is None:
        return "dates not stated"
    if first == last or last is None:
        return f"{first:%d %b %Y}"
    return f"{first:%d %b %Y} to {last:%d %b %Y}"


def read_table(reader, name: str, columns: list[str]) -> pd.DataFrame:
    from naqsha import schema

    have = [c for c in columns if c in schema.table(name).names]
    frame = reader.read(name, columns=have) if reader.has(name) else reader.read(name)
    return pd.DataFrame(frame)[have] if len(frame.columns) else frame


def _outlets(series: pd.Series) -> list[str]:
    """The distinct outlet labels of a column (unique first: cheap on 100k rows)."""
    return sorted(set(outlet_label(pd.Series(series.unique(), dtype=object))))


def _none_match(filters: Filters, what: str) -> str:
    hint = ("Widen the filters: remove the province or source filter or extend the date range"
            if filters != Filters() else "The store holds none: run `naqsha etl` on a corpus that reports them")
    return f"Nothing to show: no {what} match these filters ({filters.describe()}). {hint}."


def _province_names(codes) -> list[str]:
    try:
        names = dict(zip(*layer("provinces")[["code", "label"]].T.values))
    except Exception:  # noqa: BLE001 - a title never fails a snapshot; boundaries raise later
        names = {}
    return [names.get(c, c) for c in codes]


def map_title(map_name: str, filters: Filters) -> str:
    """The map's title, naming the provinces and the one source when the filters pick them:
    'Violence reported in Ghazni province', 'Control claims citing Resolute Support'."""
    where = ""
    if filters.provinces:
        names = _province_names(filters.provinces)
        where = (" in " + ", ".join(names[:3]) + (" and others" if len(names) > 3 else "")
                 + (" province" if len(names) == 1 else " provinces"))
    if map_name == "violence":
        title = "Violence reported " + (where.strip() if where else "in Afghanistan")
    elif map_name == "venues":
        title = "Where Afghan peace talks were reported" + (f" (Afghan venues{where})" if where else "")
    else:
        title = "Territorial control claims" + (where or "")
        if len(filters.cited) == 1:
            title += f" citing {filters.cited[0]}"
        if len(filters.outlets) == 1:
            title += f", as reported by {filters.outlets[0]}"
        elif not filters.cited:
            title += ", by source"
    return title


def prepare(reader, map_name: str, filters: Filters) -> SnapshotData:
    """Read the store and compute what the map shows (no drawing)."""
    title = map_title(map_name, filters)
    if map_name == "control":
        claims = filter_claims(read_table(reader, "claims", CLAIM_COLUMNS), filters)
        claims = claims.sort_values(["published", "outlet", "claim_id"], na_position="last", kind="stable")
        outlets = _outlets(claims["outlet"]) if len(claims) else []
        data = SnapshotData(map_name, filters, title, "", claims=claims.reset_index(drop=True),
                            outlets=outlets, n_items=len(claims), n_docs=claims["doc_id"].nunique())
        what = "control claims"
        days = pd.to_datetime(claims["published"], errors="coerce")
    else:
        events = read_table(reader, "events", EVENT_COLUMNS)
        role = ROLE_OF_MAP[map_name]
        ev = filter_events(events, filters)
        ev = ev[ev["role"] == role]
        outlets = _outlets(ev["outlet"]) if len(ev) else []
        data = SnapshotData(map_name, filters, title, "", places=aggregate_places(ev), outlets=outlets,
                            n_items=len(ev), n_docs=ev["doc_id"].nunique())
        what = "reports of violence" if map_name == "violence" else "reports of talks"
        days = _event_days(ev) if len(ev) else pd.Series([], dtype="datetime64[ns]")
    if filters.date_from or filters.date_to:
        span = f"{filters.date_from or 'the start'} to {filters.date_to or 'the end'}"
    elif len(days.dropna()):
        span = date_phrase(days.min(), days.max())
    else:
        span = "all dates"
    counts = f"{data.n_items:,} {what} from {data.n_docs:,} article{'s' if data.n_docs != 1 else ''}"
    data.subtitle = f"{counts}, {span}  ·  Filters: {filters.describe()}"
    if data.n_items == 0:
        data.empty_note = _none_match(filters, what)
    return data


def attribution(data: SnapshotData) -> str:
    outlets = data.outlets
    shown = ", ".join(outlets[:8]) + (f" and {len(outlets) - 8} more" if len(outlets) > 8 else "")
    sources = (f"Sources: {shown} ({data.n_docs:,} article{'s' if data.n_docs != 1 else ''}), extracted by naqsha."
               if outlets else None)
    sources = sources or \
        "Sources: none match the filters."
    cite = boundary_citation()
    cite = cite if cite.lower().startswith("boundaries") else f"Boundaries: {cite}"
    return f"{sources}  {cite}"


def split_by_precision(places: pd.DataFrame, provinces, districts):
    """(points, district rows joined to polygons, province rows joined, unplaced rows)."""
    if places.empty:
        e = places
        return e, e, e, e, e
    in_afg = places["adm0"].fillna("AFG").eq("AFG")
    afg = places[in_afg]
    pts = afg[afg["precision"].le(2) & afg["lat"].notna() & afg["lon"].notna()]
    dist = afg[afg["level"].eq("district")].merge(districts[["code", "geometry"]], left_on="place_key",
                                                  right_on="code", how="left")
    prov = afg[afg["level"].eq("province")].merge(provinces[["code", "geometry"]], left_on="adm1",
                                                  right_on="code", how="left")
    # an area whose polygon is not in the boundary layer is drawn at its point, as a square
    lost = pd.concat([dist[dist["geometry"].isna()], prov[prov["geometry"].isna()]])
    dist = dist[dist["geometry"].notna()]
    prov = prov[prov["geometry"].notna()]
    placed = set(pts["place_key"]) | set(dist["place_key"]) | set(prov["place_key"])
    rest = afg[~afg["place_key"].isin(placed)]
    return pts, dist, prov, pd.concat([rest, places[~in_afg]]), lost
