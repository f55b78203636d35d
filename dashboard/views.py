"""The dashboard's page: empty states, filters (kept in the URL), the three maps with
their evidence, the timeline and the table.

Only layout and widgets live here; loading is :mod:`naqsha.dashboard.data`, layers are
:mod:`naqsha.dashboard.deck`, escaping is :mod:`naqsha.dashboard.safe`. Every piece of
article text shown through ``st.markdown`` goes through :func:`safe.md` first.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import streamlit as st

from naqsha import filters as F
from naqsha.errors import BoundariesMissing, NaqshaError, StoreMissing
from naqsha.settings import get_settings

from naqsha.dashboard import data as DATA
from naqsha.dashboard import deck as D
from naqsha.dashboard import layer_data
from naqsha.dashboard.safe import csv_safe, md

VIEWS = {
    "violence": "Violence reports",
    "venues": "Negotiation venues",
    "control": "Control claims",
    "timeline": "Timeline",
    "table": "Table",
}
COMPARE_VIEW = ("compare", "Compare sources")
MAP_HEIGHT = 540
EVIDENCE_LIMIT = 25


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(int(v) for v in rgb[:3])


# --- empty states -------------------------------------------------------------------------

def _fix(title: str, body: str, command: str) -> None:
    """A state that is not an error: what is missing and the command that fixes it."""
    st.info(f"**{title}**\n\n{body}")
    st.code(command, language="bash")


def load_everything():
    """(StoreData, Basemap) or None after showing what to do. Never a traceback."""
    settings = get_settings()
    root = str(settings.store)
    problems = 0
    basemap = store_data = None
    try:
        basemap = DATA.cached_basemap()
    except BoundariesMissing:
        problems += 1
        _fix("The boundary layers are not built yet.",
             f"naqsha draws its maps on the province and district boundaries, kept in "
             f"`{md(settings.geodata_cache)}`. Build them once (on a machine without internet, "
             "first set `NAQSHA_GEODATA_MIRROR` to a folder holding the boundary files):",
             "naqsha boundaries")
    try:
        store_data = DATA.cached_store_data(root)
    except StoreMissing:
        problems += 1
        _fix("There is no store yet.",
             f"No naqsha store at `{md(root)}`. Build one from the built-in sample articles "
             "and open it, or from your own folder of articles:",
             f"naqsha demo\nnaqsha etl --corpus FOLDER --store {root}")
    except NaqshaError as exc:
        problems += 1
        st.error(md(str(exc)))
    if problems:
        st.stop()
    if store_data.empty:
        _fix("The store holds no events or claims.",
             f"The store at `{md(root)}` was built, but no article in it reported an event or a "
             "control claim. Add articles to the corpus and run the ETL again, or look at the "
             "sample:", f"naqsha etl --corpus FOLDER --store {root}\nnaqsha demo")
        st.stop()
    return store_data, basemap, root


# --- filters <-> URL ------------------------------------------------------------------------

FILTER_KEYS = ("f_outlets", "f_cited", "f_roles", "f_provinces", "f_dates")


def _query_dict() -> dict:
    qp = st.query_params
    q = {k: qp.get_all(k) for k in ("outlets", "cited", "roles", "provinces") if qp.get_all(k)}
    for k in ("from", "to", "view"):
        if qp.get(k):
            q[k] = qp.get(k)
    return q


def _init_state(opts: DATA.Options, views: dict) -> None:
    """Widget values from the URL, once per session; values the store lacks are dropped
    with a note (a shared link from another store must not crash the page)."""
    if st.session_state.get("_filters_ready"):
        return
    q = _query_dict()
    f = F.Filters.from_query(q)
    dropped = []
    for key, chosen, allowed in (("f_outlets", f.outlets, opts.outlets), ("f_cited", f.cited, opts.cited),
                                 ("f_roles", f.roles, opts.roles), ("f_provinces", f.provinces, opts.provinces)):
        st.session_state[key] = [v for v in chosen if v in allowed]
        dropped += [v for v in chosen if v not in allowed]
    if opts.date_min and opts.date_max and opts.date_min < opts.date_max:
        lo = min(max(f.date_from or opts.date_min, opts.date_min), opts.date_max)
        hi = max(min(f.date_to or opts.date_max, opts.date_max), lo)
        st.session_state["f_dates"] = (lo, hi)
    view = q.get("view")
    st.session_state["view"] = view if view in views else "violence"
    st.session_state["_dropped"] = dropped
    st.session_state["_filters_ready"] = True


def _reset() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
    st.session_state["f_outlets"] = []
    st.session_state["f_cited"] = []
    st.session_state["f_roles"] = []
    st.session_state["f_provinces"] = []
    st.session_state["_reset_dates"] = True


def sidebar_filters(opts: DATA.Options, province_names: dict[str, str]) -> F.Filters:
    sb = st.sidebar
    sb.header("Filters")
    sb.caption("They apply to every view. The page address keeps them: copy it to share this view.")
    if st.session_state.get("_dropped"):
        sb.warning("The link named values this store does not hold; they were left out: "
                   + md(", ".join(st.session_state["_dropped"])))
    outlets = sb.multiselect("Outlet (publisher)", opts.outlets, key="f_outlets",
                             placeholder="All outlets")
    cited = sb.multiselect("Cited source (control claims)", opts.cited, key="f_cited",
                           placeholder="All cited sources",
                           help="The source an article cites for a control figure, e.g. Resolute Support.")
    roles = sb.multiselect("Role", opts.roles, key="f_roles", placeholder="All roles",
                           help="violence: attacks, killings, fighting; negotiation: talks and "
                                "conferences; control: statements about who controls territory.")
    provinces = sb.multiselect("Province", opts.provinces, key="f_provinces", placeholder="All provinces",
                               format_func=lambda c: province_names.get(c, c))
    date_from = date_to = None
    if opts.date_min and opts.date_max and opts.date_min < opts.date_max:
        if st.session_state.pop("_reset_dates", False):
            st.session_state["f_dates"] = (opts.date_min, opts.date_max)
        lo, hi = sb.slider("Dates", min_value=opts.date_min, max_value=opts.date_max, key="f_dates",
                           format="YYYY-MM-DD",
                           help="An event's own date where the text gives one, else the article's "
                                "publication day; claims by publication day.")
        date_from = lo if lo > opts.date_min else None
        date_to = hi if hi < opts.date_max else None
    elif opts.date_min:
        sb.caption(f"All dated reports fall on {opts.date_min:%d %b %Y}.")
    sb.button("Reset filters", on_click=_reset, width="stretch")
    return F.Filters(outlets=tuple(outlets), cited=tuple(cited), roles=tuple(roles),
                     provinces=tuple(provinces), date_from=date_from, date_to=date_to)


def sync_url(f: F.Filters, view: str) -> None:
    want = dict(f.to_query())
    if view != "violence":
        want["view"] = view
    have = {k: (st.query_params.get_all(k) if k in ("outlets", "cited", "roles", "provinces")
                else st.query_params.get(k)) for k in st.query_params.keys()}
    if have != want:
        st.query_params.from_dict(want)


# --- evidence ----------------------------------------------------------------------------

def _selected_key(event, view: str) -> str | None:
    """The key of the object clicked on the map, if the click is new."""
    try:
        objects = event.selection.get("objects", {}) if event is not None else {}
    except AttributeError:
        objects = {}
    key = None
    for items in (objects or {}).values():
        for obj in items or []:
            props = obj.get("properties") if isinstance(obj.get("properties"), dict) else obj
            key = props.get("key") or key
    last = st.session_state.get(f"_last_click_{view}")
    st.session_state[f"_last_click_{view}"] = key
    return key if key and key != last else None


def evidence_rows(key: str, events: pd.DataFrame, claims: pd.DataFrame, role: str | None) -> tuple[pd.DataFrame, str]:
    """Rows behind a selection key, and which table they come from ('events' or 'claims')."""
    kind, _, ref = key.partition(":")
    if kind == "claim":
        return claims[claims["scope"] == ref], "claims"
    ev = events if role is None else events[events["role"] == role]
    if kind == "place":
        rows = ev[ev["place_key"] == ref]
    elif kind == "district":
        rows = ev[(ev["place_key"] == ref) & (ev["level"] == "district")]
    elif kind == "province":
        rows = ev[(ev["place_key"] == ref) & (ev["level"] == "province")]
    elif kind == "country":
        rows = ev[(ev["adm0"] == ref) & (ev["level"] == "country")]
    else:
        rows = ev.iloc[0:0]
    return rows, "events"


def _day(v) -> str:
    return "undated" if v is None or pd.isna(v) else f"{pd.Timestamp(v):%d %b %Y}"


def render_evidence(view: str, choices: list[tuple[str, str, int]], clicked: str | None,
                    events: pd.DataFrame, claims: pd.DataFrame, role: str | None) -> None:
    st.markdown("##### Evidence")
    if not choices:
        st.caption("Nothing drawn on this map for the current filters.")
        return
    keys = [c[0] for c in choices]
    labels = {c[0]: f"{c[1]} · {c[2]:,}" for c in choices}
    skey = f"evidence_{view}"
    if clicked in labels:
        st.session_state[skey] = clicked
    elif st.session_state.get(skey) not in labels:
        st.session_state.pop(skey, None)
    choice = st.selectbox("Place", keys, key=skey, index=None, format_func=lambda k: labels.get(k, k),
                          placeholder="Click the map, or pick a place", label_visibility="collapsed")
    if not choice:
        st.caption("Click a circle or an outlined area (or pick a place above) to read the "
                   "sentences behind it.")
        return
    rows, table = evidence_rows(choice, events, claims, role)
    st.markdown(f"**{md(labels[choice])}** — {len(rows):,} {'claim' if table == 'claims' else 'report'}"
                f"{'s' if len(rows) != 1 else ''}")
    sort_col = "when" if "when" in rows.columns else "published"
    rows = rows.sort_values(sort_col, ascending=False, na_position="last")
    with st.container(height=MAP_HEIGHT - 90, border=False):
        for r in rows.head(EVIDENCE_LIMIT).itertuples(index=False):
            r = r._asdict()
            title = md(r.get("title")) or "(untitled)"
            outlet = md(r.get("outlet_label") or F.UNKNOWN_OUTLET)
            if table == "claims":
                sentence = md(r.get("text"))
                cited = r.get("attributed_to")
                src = f"citing {md(cited)}" if DATA.finite(cited) and cited else "its own claim"
                st.markdown(f"> {sentence}\n\n{outlet}, {_day(r.get('published'))} · *{title}* · "
                            f"{src} · {md(r.get('subject'))}, {md(r.get('metric'))}")
            else:
                sentence = md(r.get("evidence"))
                when = _day(r.get("when"))
                basis = r.get("date_basis") or ""
                fat = r.get("fatalities")
                fat_txt = f" · deaths stated: {int(fat)}{' (approx.)' if r.get('fatalities_approx') else ''}" \
                    if DATA.finite(fat) and not pd.isna(fat) else ""
                resolution = r.get("resolution")
                res_txt = md(resolution) if DATA.finite(resolution) and resolution else "not recorded"
                st.markdown(f"> {sentence}\n\n{outlet}, published {_day(r.get('published'))} · *{title}*  \n"
                            f"{md(r.get('name'))}: {md(r.get('precision_label'))} "
                            f"(precision {int(r.get('precision'))}) · place resolved by: {res_txt} · "
                            f"{when} ({md(basis)}){fat_txt}")
        if len(rows) > EVIDENCE_LIMIT:
            st.caption(f"{len(rows) - EVIDENCE_LIMIT:,} more in the Table view.")


# --- legends ------------------------------------------------------------------------------

def _swatch(fill, line, label, circle=False, width=2, dashed=False) -> str:
    shape = "border-radius:50%;" if circle else ""
    style = "dashed" if dashed else "solid"
    return (f'<span style="display:inline-block;width:14px;height:14px;{shape}background:{fill};'
            f'border:{width}px {style} {line};vertical-align:middle;margin:0 4px 0 12px"></span>{label}')


def legend_precision(role: str) -> None:
    """A legend of constant text (no data in it)."""
    rgb = D.ROLE_COLORS[role]
    c = _hex(rgb)
    tint = f"rgba({rgb[0]},{rgb[1]},{rgb[2]},0.35)"
    faint = f"rgba({rgb[0]},{rgb[1]},{rgb[2]},0.15)"
    items = [_swatch(c, c, "town or city (exact place)", circle=True)]
    if role == "violence":
        items.append(_swatch("transparent", c, "deaths not stated", circle=True))
    items += [_swatch(tint, c, "known only to the district"),
              _swatch(faint, f"rgba({rgb[0]},{rgb[1]},{rgb[2]},0.6)", "known only to the province", width=4)]
    size = "circle area: deaths stated (relative to the largest on the map)" if role == "violence" else "circle area: number of reports"
    st.markdown('<div style="font-size:0.85rem;line-height:1.8">' + " ".join(items)
                + f'<span style="margin-left:12px;color:#555">{size}; tint: number of reports</span></div>',
                unsafe_allow_html=True)


def legend_control() -> None:
    items = [_swatch(f"rgba({r},{g},{b},0.6)", _hex((r, g, b)), name)
             for name, (r, g, b) in D.SUBJECT_COLORS.items()]
    items.append(_swatch("rgba(120,120,120,0.6)", "#777", "other"))
    st.markdown('<div style="font-size:0.85rem;line-height:1.8">Who the latest claim says controls the place:'
                + " ".join(items) + "</div>", unsafe_allow_html=True)


# --- the views ----------------------------------------------------------------------------

def _map_with_evidence(view: str, result: D.MapResult, events, claims, role, legend, caption: str) -> None:
    left, right = st.columns([3, 1.25], gap="medium")
    with left:
        event = st.pydeck_chart(layer_data.externalize(result.deck), on_select="rerun", selection_mode="single-object",
                                key=f"map_{view}", height=MAP_HEIGHT)
        legend()
        st.caption(caption)
        for note in result.notes:
            st.caption(note)
    with right:
        render_evidence(view, result.extra.get("choices", []), _selected_key(event, view), events, claims, role)


def _nothing(what: str, f: F.Filters) -> None:
    st.info(f"No {what} match these filters ({md(f.describe())}). Widen the date range or clear a "
            "filter (**Reset filters** in the sidebar).")


def view_violence(events, claims, basemap, f, maps) -> None:
    ev = events[events["role"] == "violence"]
    if ev.empty:
        _nothing("violence reports", f)
        if f.roles and "violence" not in f.roles:
            st.caption("The role filter excludes violence.")
    result = maps("violence")
    n_fat = pd.to_numeric(ev["fatalities"], errors="coerce")
    caption = (f"{len(ev):,} violence reports from {ev['doc_id'].nunique():,} articles; "
               f"{result.n_drawn:,} drawn. Deaths stated in {D.plural(int(n_fat.notna().sum()), 'report')} "
               f"(total {int(n_fat.sum()):,}); a figure is what the text says, not a verified count.")
    _map_with_evidence("violence", result, ev, claims, "violence", lambda: legend_precision("violence"), caption)


def view_venues(events, claims, basemap, f, maps) -> None:
    ev = events[events["role"] == "negotiation"]
    if ev.empty:
        _nothing("reports of talks", f)
    afg, region = maps("venues")
    table = D.venue_table(ev)
    st.markdown("**Abroad:** where talks on Afghanistan were reported outside the country")
    _map_with_evidence("venues_abroad", region, ev, claims, "negotiation",
                       lambda: st.caption("Circle size: number of reports of talks there. "
                                          "Labels: venue (reports)."),
                       f"{int(table['abroad'].sum()) if len(table) else 0} venues abroad.")
    st.markdown("**In Afghanistan**")
    _map_with_evidence("venues_afg", afg, ev, claims, "negotiation",
                       lambda: legend_precision("negotiation"),
                       f"{afg.n_drawn:,} reports of talks drawn in Afghanistan.")
    if len(table):
        st.markdown("**Venues and the dates of the talks reported there**")
        shown = pd.DataFrame({
            "venue": table["name"], "country": table["adm0"], "reports": table["n"],
            "articles": table["n_docs"], "first": table["first"].dt.date, "last": table["last"].dt.date,
            "dates": table["dates"].map(lambda d: ", ".join(d[:12]) + (f" (+{len(d) - 12})" if len(d) > 12 else "")),
            "precision": table["precision"].map(D.precision_label),
        })
        st.dataframe(shown, hide_index=True, width="stretch")


def view_control(events, claims, basemap, f, maps) -> None:
    if claims.empty:
        _nothing("control claims", f)
    st.caption("Pick an outlet or a cited source in the sidebar to see one source's claims.")
    n_cards = len(D.national_claim_articles(claims))
    cards = D.claim_cards(claims, limit=9)
    if cards:
        st.markdown(f"##### National figures ({n_cards:,} articles)")
        cols = st.columns(3)
        for i, card in enumerate(cards[:9]):
            with cols[i % 3]:
                with st.container(border=True):
                    st.markdown(f"**{md(card['source'])}**, {md(card['via'])}")
                    for line in card["lines"]:
                        st.markdown(f"- {md(line)}")
                    for quote in card["quotes"][:2]:
                        st.markdown(f"> {md(quote)}")
                    if card["as_of"]:
                        st.caption(f"as of {md(card['as_of'])}")
        if n_cards > len(cards):
            st.caption(f"The {n_cards - len(cards):,} older articles with national figures are in the Table view.")
    result = maps("control")
    st.markdown("##### District and province claims")
    _map_with_evidence("control", result, events, claims, None, legend_control,
                       f"{result.n_drawn:,} district- or province-level claims drawn on "
                       f"{result.extra.get('places', 0):,} places.")


def timeline_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Events per week (Monday) and role; undated rows are left out."""
    ev = events.dropna(subset=["when"])
    if ev.empty:
        return pd.DataFrame(columns=["week", "role", "reports"])
    week = ev["when"].dt.to_period("W-SUN").dt.start_time
    return (ev.assign(week=week).groupby(["week", "role"]).size().rename("reports").reset_index())


def view_timeline(events, claims, basemap, f) -> None:
    import altair as alt

    tl = timeline_frame(events)
    if tl.empty:
        _nothing("dated events", f)
        return
    roles = list(D.ROLE_COLORS)
    chart = alt.Chart(tl).mark_bar().encode(
        x=alt.X("week:T", title="week (event date, else publication day)"),
        y=alt.Y("sum(reports):Q", title="reports"),
        color=alt.Color("role:N", scale=alt.Scale(domain=roles, range=[_hex(D.ROLE_COLORS[r]) for r in roles]),
                        legend=alt.Legend(orient="top", title=None)),
        tooltip=[alt.Tooltip("week:T", format="%d %b %Y"), "role:N", "reports:Q"],
    ).properties(height=360)
    st.altair_chart(chart, width="stretch")
    st.caption(f"{int(tl['reports'].sum()):,} dated reports by week and role; "
               f"{int(events['when'].isna().sum()):,} undated reports are not shown.")


EVENT_TABLE = ["when", "role", "name", "precision_label", "outlet_label", "title", "evidence", "fatalities",
               "date_basis", "level", "precision", "resolution", "published", "place_key", "adm1",
               "lat", "lon", "doc_id", "event_id"]
EVENT_LABELS = {"when": "date", "name": "place", "precision_label": "known to", "outlet_label": "outlet",
                "title": "article", "evidence": "sentence", "fatalities": "deaths stated",
                "date_basis": "date from", "resolution": "place resolved by", "published": "published"}
CLAIM_LABELS = {"outlet_label": "outlet", "cited_label": "cited source", "title": "article", "text": "sentence",
                "of_total": "of (districts)"}
CLAIM_TABLE = ["published", "outlet_label", "cited_label", "subject", "metric", "value", "unit",
               "of_total", "scope", "as_of", "derived", "title", "text", "doc_id", "claim_id"]


def events_geojson(events: pd.DataFrame) -> str:
    """Filtered events as a GeoJSON FeatureCollection (points at the place; ``precision``
    says whether the point is exact or stands for a district/province/country)."""
    cols = [c for c in EVENT_TABLE if c not in ("lat", "lon")]
    frame = events[cols + ["lat", "lon"]].copy()
    frame["when"] = frame["when"].dt.strftime("%Y-%m-%d")
    frame["published"] = frame["published"].astype(str)
    feats = []
    for rec in frame.to_dict("records"):
        lon, lat = rec.pop("lon"), rec.pop("lat")
        props = {k: (None if (v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA) else
                     (int(v) if hasattr(v, "dtype") and "int" in str(v.dtype) else v)) for k, v in rec.items()}
        geom = None if pd.isna(lon) or pd.isna(lat) else {"type": "Point", "coordinates": [float(lon), float(lat)]}
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": feats}, default=str, ensure_ascii=False)


def _csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    csv_safe(frame).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


TABLE_ROWS = 5000  # rows drawn in the browser; the downloads hold all of them


def _shown_table(title: str, frame: pd.DataFrame, what: str, labels: dict, height: int, f) -> None:
    """A heading, then the newest rows (or the empty-state message)."""
    st.markdown(f"##### {title} ({len(frame):,})")
    if frame.empty:
        _nothing(what, f)
        return
    st.dataframe(frame.head(TABLE_ROWS), hide_index=True, width="stretch", height=height,
                 column_config={k: st.column_config.Column(v) for k, v in labels.items()})
    if len(frame) > TABLE_ROWS:
        st.caption(f"Showing the latest {TABLE_ROWS:,} of {len(frame):,}; the downloads hold all of them.")


def view_table(events, claims, basemap, f) -> None:
    ev = events[[c for c in EVENT_TABLE if c in events.columns]].sort_values("when", ascending=False)
    ev = ev.assign(when=ev["when"].dt.date)
    cl = claims[[c for c in CLAIM_TABLE if c in claims.columns]].sort_values("published", ascending=False)
    _shown_table("Events", ev, "events", EVENT_LABELS, 360, f)
    c1, c2, c3 = st.columns(3)
    c1.download_button("Events as CSV", data=lambda: _csv(ev), file_name="naqsha-events.csv",
                       mime="text/csv", disabled=ev.empty)
    c2.download_button("Events as GeoJSON", data=lambda: events_geojson(events).encode("utf-8"),
                       file_name="naqsha-events.geojson", mime="application/geo+json", disabled=ev.empty)
    _shown_table("Control claims", cl, "claims", CLAIM_LABELS, 300, f)
    c3.download_button("Claims as CSV", data=lambda: _csv(cl), file_name="naqsha-claims.csv",
                       mime="text/csv", disabled=cl.empty)


# --- hooks for the other issues -------------------------------------------------------------

SNAPSHOT_MAPS = {"violence": "violence", "venues": "venues", "control": "control"}


def snapshot_button(view: str, root: str, f: F.Filters) -> None:
    """Download the current map as a report-quality file, drawn by the same function as
    ``naqsha snapshot``. The drawing code (matplotlib) is imported on download, not on
    every page view."""
    map_name = SNAPSHOT_MAPS.get(view)
    if map_name is None:
        return
    from naqsha.store import StoreReader

    with st.popover("Snapshot for a report"):
        fmt = st.radio("Format", ["png", "svg", "pdf", "html"], horizontal=True, key=f"snap_fmt_{view}",
                       format_func=lambda x: {"png": "PNG", "svg": "SVG", "pdf": "PDF", "html": "HTML (interactive)"}[x])
        page = st.radio("Page", ["A4", "letter"], horizontal=True, key=f"snap_page_{view}")
        orientation = st.radio("Orientation", ["landscape", "portrait"], horizontal=True, key=f"snap_or_{view}")
        mime = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}[fmt]

        def render() -> bytes:
            from naqsha.dashboard.snapshot import render_snapshot

            return render_snapshot(StoreReader(root), map_name, f, fmt=fmt, page=page, orientation=orientation)

        st.download_button(f"Download {fmt.upper()}", data=render, file_name=f"naqsha-{map_name}.{fmt}",
                           mime=mime, key=f"snap_dl_{view}", type="primary")
        st.caption("Exactly this map and these filters, with title, legend, scale and sources.")


def compare_module():
    """Issue 7's comparison tab (``naqsha.dashboard.compare.render_compare_tab``), or None
    while that module is absent or broken: the rest of the app must work without it."""
    try:
        from naqsha.dashboard import compare
    except Exception:  # ImportError, or a half-written module: hide the tab, keep the app
        return None
    fn = getattr(compare, "render_compare_tab", None)
    return fn if callable(fn) else None


def view_compare(events, claims, basemap, f, root) -> None:
    from naqsha.store import StoreReader

    fn = compare_module()
    if fn is None:
        st.info("The source comparison view is not installed in this version.")
        return
    fn(StoreReader(root), f)


# --- page ---------------------------------------------------------------------------------

def main() -> None:
    st.title("naqsha", anchor=False)
    st.caption("Where violence is reported, where talks are held, and who claims to control which "
               "districts in Afghanistan — by source, with the sentence behind every mark.")
    store_data, basemap, root = load_everything()
    views = dict(VIEWS)
    if compare_module() is not None:
        views[COMPARE_VIEW[0]] = COMPARE_VIEW[1]
    names = basemap.province_names()
    opts = DATA.options(store_data, names)
    _init_state(opts, views)
    f = sidebar_filters(opts, names)
    events, claims = DATA.apply_filters(store_data, f)

    n_docs = DATA.n_articles(events, claims)
    st.markdown(f"**{len(events):,}** reports and **{len(claims):,}** control claims from "
                f"**{n_docs:,}** articles · {md(f.describe())}")
    if events.empty and claims.empty:
        _nothing("reports or claims", f)

    top_l, top_r = st.columns([5, 1], vertical_alignment="bottom")
    with top_l:
        view = st.segmented_control("View", list(views), key="view", format_func=lambda v: views[v],
                                    label_visibility="collapsed") or "violence"
    with top_r:
        snapshot_button(view, root, f)
    sync_url(f, view)

    def maps(which: str):
        return DATA.cached_map(which, root, store_data, f, events, claims, basemap)

    if view == "violence":
        view_violence(events, claims, basemap, f, maps)
    elif view == "venues":
        view_venues(events, claims, basemap, f, maps)
    elif view == "control":
        view_control(events, claims, basemap, f, maps)
    elif view == "timeline":
        view_timeline(events, claims, basemap, f)
    elif view == "table":
        view_table(events, claims, basemap, f)
    elif view == "compare":
        view_compare(events, claims, basemap, f, root)
    st.caption("Boundaries: geoBoundaries (Runfola et al. 2020, PLoS ONE 15(4): e0231866); districts: AIMS; "
               "countries: Natural Earth. Places and figures are as the articles report them.")
