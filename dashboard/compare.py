"""The comparison view: two assessment sources side by side, where they disagree, and the
national timeline of control figures by source with the claims found in articles.

The data work is in plain functions (tested without Streamlit):

- :func:`assessment_choices`, :func:`district_values`: one source's district values on
  the common scale (split districts averaged, and flagged);
- :func:`divergence`: two sources district by district (difference on the common scale,
  -4..4, and whether a district is assessed by only one of them);
- :func:`national_series`: national figures by source and date (the national series,
  and the share of assessed districts for each district-level import);
- :func:`claim_points`: numeric national claims from articles, on the same axes;
- :func:`choropleth_layer`, :func:`divergence_layer`: pydeck layers.

:func:`render_compare_tab` is the Streamlit tab the dashboard's app calls.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from naqsha import filters as F
from naqsha.schema import CONTROL_LABELS, CONTROL_SCALE

COMMON_LABELS = CONTROL_LABELS
SCORE_KEY = {v: k for k, v in CONTROL_SCALE.items()}
# Diverging palette (ColorBrewer RdBu, colour-blind safe): blue government, red insurgent.
# Contested is amber, not RdBu's near-white, so that it never reads as "not assessed".
SCORE_COLORS = {2: (33, 102, 172), 1: (146, 197, 222), 0: (253, 208, 100), -1: (244, 165, 130), -2: (178, 24, 43)}
MIXED_LINE = (90, 90, 90)
# Divergence: 0 white-ish, then a sequential purple by points apart on the common scale.
DIVERGENCE_COLORS = {0: (199, 233, 192), 1: (203, 201, 226), 2: (158, 154, 200), 3: (117, 107, 177), 4: (84, 39, 143)}
ONE_SIDE_COLOR = (255, 255, 255)
NOT_ASSESSED = (250, 249, 245, 255)


def _empty(columns):
    return pd.DataFrame(columns=columns)


def read_assessments(reader) -> pd.DataFrame:
    if reader is None or not reader.exists():
        return _empty(["source", "as_of"])
    return pd.DataFrame(reader.read("assessments"))


def read_national(reader) -> pd.DataFrame:
    if reader is None or not reader.exists():
        return _empty(["assessor", "as_of"])
    return pd.DataFrame(reader.read("national_assessments"))


# --- summaries (also used by `naqsha assessments list`) ---------------------------------
def assessment_summary(reader) -> pd.DataFrame:
    a = read_assessments(reader)
    if a.empty:
        return _empty(["source", "as_of", "scheme", "rows", "how"])
    out = []
    for (source, as_of, scheme), g in a.groupby(["source", "as_of", "scheme"], sort=True):
        counts = g["match_how"].value_counts()
        how = ", ".join(f"{n} {k}" for k, n in counts.items())
        out.append(dict(source=source, as_of=as_of, scheme=scheme, rows=len(g), how=how))
    return pd.DataFrame(out)


def national_table(reader) -> pd.DataFrame:
    n = read_national(reader)
    if n.empty:
        return _empty(["assessor", "as_of", "figures"])
    out = []
    for r in n.sort_values("as_of").itertuples(index=False):
        parts = [f"{getattr(r, c)} {w}" for c, w in (("government_districts", "government"),
                                                        ("contested_districts", "contested"),
                                                        ("insurgent_districts", "insurgent"))
                 if not pd.isna(getattr(r, c))]
        fig = f"{' / '.join(parts)} of {r.districts_total} districts"
        if not pd.isna(r.government_population_pct):
            fig += f"; government population {r.government_population_pct:g}%"
        out.append(dict(assessor=r.assessor, as_of=r.as_of, figures=fig))
    return pd.DataFrame(out)


# --- one source on the map --------------------------------------------------------------
def assessment_choices(assessments: pd.DataFrame) -> list[tuple[str, str, date]]:
    """(label, source, as_of) for every imported assessment that has district rows."""
    if assessments.empty:
        return []
    d = assessments[(assessments["level"] == "district") & assessments["place_key"].notna()]
    pairs = d[["source", "as_of"]].drop_duplicates().sort_values(["source", "as_of"])
    return [(f"{s} · {pd.Timestamp(a).date().isoformat()}", s, pd.Timestamp(a).date()) for s, a in pairs.itertuples(index=False)]


def district_values(assessments: pd.DataFrame, source: str, as_of, provinces: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per district of ours that the source assessed: ``score`` (the mean of the
    rows on it, weighted by population when every row has one), the common category (or
    ``mixed`` when a split district's parts differ), the source's labels and names."""
    cols = ["place_key", "adm1", "name", "score", "category_common", "category_original", "name_original",
            "n_rows", "relation"]
    if assessments.empty:
        return _empty(cols)
    day = pd.Timestamp(as_of).date()
    a = assessments[(assessments["source"] == source) & (pd.to_datetime(assessments["as_of"]).dt.date == day)
                    & (assessments["level"] == "district") & assessments["place_key"].notna()]
    if provinces:
        a = a[a["adm1"].isin(provinces)]
    out = []
    for key, g in a.groupby("place_key", sort=True):
        scores = g["score"].astype(float)
        pops = g["population"].astype(float)
        if len(g) > 1 and pops.notna().all() and pops.sum() > 0:
            score = float((scores * pops).sum() / pops.sum())
        else:
            score = float(scores.mean())
        cats = sorted(set(g["category_common"]))
        relation = ", ".join(sorted(set(g["relation"].dropna()))) or None
        out.append(dict(place_key=key, adm1=g["adm1"].iloc[0], name=g["name"].iloc[0], score=score,
                        category_common=cats[0] if len(cats) == 1 else "mixed",
                        category_original=" / ".join(dict.fromkeys(g["category_original"])),
                        name_original=" / ".join(dict.fromkeys(g["name_original"])),
                        n_rows=len(g), relation=relation))
    return pd.DataFrame(out, columns=cols)


def divergence(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Two sources' district values side by side: ``difference`` = score b - score a
    (positive: b sees more government control), ``apart`` = its absolute value, and
    ``status``: ``agree``, ``differ`` or ``only a`` / ``only b``."""
    keep = ["place_key", "adm1", "name", "score", "category_common", "category_original", "name_original"]
    left = a[keep].rename(columns={c: f"{c}_a" for c in keep[3:]})
    right = b[keep].rename(columns={c: f"{c}_b" for c in keep[3:]})
    m = left.merge(right, on="place_key", how="outer", suffixes=("", "_r"))
    for col in ("adm1", "name"):
        m[col] = m[col].fillna(m[f"{col}_r"])
        m = m.drop(columns=f"{col}_r")
    m["difference"] = m["score_b"] - m["score_a"]
    m["apart"] = m["difference"].abs()
    m["status"] = "differ"
    m.loc[m["apart"] == 0, "status"] = "agree"
    m.loc[m["score_a"].isna(), "status"] = "only b"
    m.loc[m["score_b"].isna(), "status"] = "only a"
    return m.sort_values(["apart", "place_key"], ascending=[False, True], na_position="last").reset_index(drop=True)


def divergence_summary(div: pd.DataFrame) -> dict:
    both = div[div["status"].isin(["agree", "differ"])]
    return dict(
        both=len(both),
        agree=int((both["apart"] == 0).sum()),
        differ=int((both["apart"] > 0).sum()),
        differ_2_or_more=int((both["apart"] >= 2).sum()),
        mean_apart=round(float(both["apart"].mean()), 2) if len(both) else None,
        only_a=int((div["status"] == "only a").sum()),
        only_b=int((div["status"] == "only b").sum()),
    )


# --- national timeline ----------------------------------------------------------------
SERIES_METRICS = {
    "government districts %": "share of districts under government control or influence",
    "contested districts %": "share of districts contested",
    "insurgent districts %": "share of districts under insurgent control or influence",
    "government population %": "share of the population under government control or influence",
}


def national_series(reader, filters: F.Filters | None = None) -> pd.DataFrame:
    """Long frame (source, as_of, metric, value, detail, kind='assessment'): the national
    series, plus for each district-level import the share of the districts it assessed."""
    f = filters or F.Filters()
    rows = []
    n = read_national(reader)
    for r in n.itertuples(index=False):
        total = float(r.districts_total)
        for col, metric in (("government_districts", "government districts %"),
                            ("contested_districts", "contested districts %"),
                            ("insurgent_districts", "insurgent districts %")):
            v = getattr(r, col)
            if not pd.isna(v):
                rows.append(dict(source=r.assessor, as_of=pd.Timestamp(r.as_of).date(), metric=metric,
                                 value=round(100.0 * float(v) / total, 1),
                                 detail=f"{int(v)} of {int(total)} districts", kind="assessment"))
        if not pd.isna(r.government_population_pct):
            rows.append(dict(source=r.assessor, as_of=pd.Timestamp(r.as_of).date(), metric="government population %",
                             value=float(r.government_population_pct), detail="of the population", kind="assessment"))
    a = read_assessments(reader)
    if not a.empty:
        d = a[(a["level"] == "district") & a["place_key"].notna()]
        for (source, as_of), g in d.groupby(["source", "as_of"]):
            vals = district_values(d, source, as_of)
            total = len(vals)
            if not total:
                continue
            for metric, mask in (("government districts %", vals["score"] > 0),
                                 ("contested districts %", vals["score"] == 0),
                                 ("insurgent districts %", vals["score"] < 0)):
                k = int(mask.sum())
                rows.append(dict(source=f"{source} (district file)", as_of=pd.Timestamp(as_of).date(), metric=metric,
                                 value=round(100.0 * k / total, 1),
                                 detail=f"{k} of the {total} districts it assessed", kind="assessment"))
    out = pd.DataFrame(rows, columns=["source", "as_of", "metric", "value", "detail", "kind"])
    if f.date_from:
        out = out[out["as_of"] >= f.date_from]
    if f.date_to:
        out = out[out["as_of"] <= f.date_to]
    return out.sort_values(["source", "metric", "as_of"]).reset_index(drop=True)


def claim_points(claims: pd.DataFrame, filters: F.Filters | None = None) -> pd.DataFrame:
    """Numeric national claims from articles, as points on the timeline's axes."""
    cols = ["source", "as_of", "metric", "value", "detail", "kind"]
    if claims is None or claims.empty:
        return _empty(cols)
    c = F.filter_claims(claims, filters or F.Filters()) if filters else claims
    c = c[c["metric"].isin(["district_share", "district_count", "population_share"]) & c["value"].notna()]
    if "scope" in c:
        c = c[c["scope"].fillna("AFG") == "AFG"]
    if "derived" in c:
        c = c[~c["derived"].fillna(False).astype(bool)]
    from naqsha.etl.corroborate import _day, subject_kind

    rows = []
    for r in c.itertuples(index=False):
        kind = subject_kind(r.subject)
        when = _day(getattr(r, "as_of", None)) or _day(r.published)
        if when is None or kind is None:
            continue
        value = float(r.value)
        if r.metric == "district_count":
            if pd.isna(r.of_total) or not r.of_total:
                continue
            value = 100.0 * value / float(r.of_total)
        if r.metric == "population_share":
            if kind != "government":
                continue
            metric = "government population %"
        else:
            metric = {"government": "government districts %", "insurgent": "insurgent districts %",
                      "contested": "contested districts %"}[kind]
        outlet = r.outlet if isinstance(r.outlet, str) and r.outlet else F.UNKNOWN_OUTLET
        cited = r.attributed_to if isinstance(r.attributed_to, str) and r.attributed_to else None
        rows.append(dict(source=f"claim: {cited or outlet}", as_of=when, metric=metric, value=round(value, 1),
                         detail=f"{outlet}" + (f", citing {cited}" if cited else "") + f": {str(r.text)[:160]}",
                         kind="article claim"))
    return pd.DataFrame(rows, columns=cols)


def timeline_chart(series: pd.DataFrame, claims: pd.DataFrame, metric: str):
    """Altair chart: lines for assessments, hollow diamonds for article claims."""
    import altair as alt

    s = series[series["metric"] == metric].assign(as_of=lambda d: pd.to_datetime(d["as_of"]))
    c = claims[claims["metric"] == metric].assign(as_of=lambda d: pd.to_datetime(d["as_of"]))
    y = alt.Y("value:Q", title=metric, scale=alt.Scale(domain=[0, 100]))
    x = alt.X("as_of:T", title="date described", axis=alt.Axis(format="%b %Y"))
    tip = ["source:N", alt.Tooltip("as_of:T", title="as of"), "value:Q", "detail:N"]
    lines = alt.Chart(s).mark_line(point=True).encode(x=x, y=y, color=alt.Color("source:N", title="source"), tooltip=tip)
    dots = alt.Chart(c).mark_point(shape="diamond", size=90, filled=False, strokeWidth=2, color="#444").encode(
        x=x, y=y, tooltip=tip)
    return (lines + dots).properties(height=320)


# --- pydeck layers ----------------------------------------------------------------------
def _geometry(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return value
    import shapely.geometry

    return shapely.geometry.mapping(value)


def _rgba(rgb, alpha=220):
    return [int(rgb[0]), int(rgb[1]), int(rgb[2]), alpha]


def score_color(score: float | None) -> list[int]:
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return list(NOT_ASSESSED)
    return _rgba(SCORE_COLORS[int(max(-2, min(2, round(score))))])


def _features(districts: pd.DataFrame, props_for) -> list[dict]:
    feats = []
    for row in districts.itertuples(index=False):
        props = props_for(row)
        if props is None:
            continue
        feats.append({"type": "Feature", "geometry": _geometry(row.geometry), "properties": props})
    return feats


def _district_title(row) -> str:
    return f"{' '.join(str(row.adm2).split())} district, {row.province}"


def choropleth_layer(districts: pd.DataFrame, values: pd.DataFrame, source_label: str, layer_id: str):
    """Every district (``districts``: district_id, adm2, province, geometry), filled by the
    source's score; unassessed districts pale; split districts with mixed parts outlined."""
    import pydeck as pdk

    by_key = values.set_index("place_key").to_dict("index") if len(values) else {}

    def props(row):
        v = by_key.get(row.district_id)
        if v is None:
            return dict(title=_district_title(row), detail=f"{source_label}: not assessed", fill=list(NOT_ASSESSED),
                        line=[170, 170, 170, 160], lw=0.5)
        label = COMMON_LABELS.get(v["category_common"], v["category_common"])
        detail = (f"{source_label}: {v['category_original']} ({label}, score {v['score']:+.1f})\n"
                  f"source's name: {v['name_original']}")
        if v["relation"]:
            detail += f"\n{v['relation']}: {v['n_rows']} source row(s)"
        mixed = v["category_common"] == "mixed"
        return dict(title=_district_title(row), detail=detail, fill=score_color(v["score"]),
                    line=_rgba(MIXED_LINE, 255) if mixed else [120, 120, 120, 200], lw=2 if mixed else 0.6)

    return pdk.Layer("GeoJsonLayer", id=layer_id,
                     data={"type": "FeatureCollection", "features": _features(districts, props)},
                     pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
                     get_line_color="properties.line", get_line_width="properties.lw", line_width_units='"pixels"',
                     auto_highlight=True, highlight_color=[255, 255, 255, 70])


def divergence_layer(districts: pd.DataFrame, div: pd.DataFrame, label_a: str, label_b: str, layer_id="divergence"):
    import pydeck as pdk

    by_key = div.set_index("place_key").to_dict("index") if len(div) else {}

    def props(row):
        v = by_key.get(row.district_id)
        if v is None:
            return dict(title=_district_title(row), detail="assessed by neither", fill=list(NOT_ASSESSED),
                        line=[170, 170, 170, 160], lw=0.5)
        if v["status"] in ("only a", "only b"):
            who, cat = (label_a, v["category_original_a"]) if v["status"] == "only a" else (label_b, v["category_original_b"])
            return dict(title=_district_title(row), detail=f"only {who} assessed it ({cat})",
                        fill=_rgba(ONE_SIDE_COLOR, 255), line=[120, 120, 120, 255], lw=1.2)
        apart = int(round(v["apart"]))
        detail = (f"{label_a}: {v['category_original_a']} ({v['score_a']:+.1f})\n"
                  f"{label_b}: {v['category_original_b']} ({v['score_b']:+.1f})\n"
                  + ("agree" if apart == 0 else f"{v['apart']:.1f} step(s) apart on the common scale; "
                     + ("B sees more government control" if v["difference"] > 0 else "B sees more insurgent control")))
        return dict(title=_district_title(row), detail=detail, fill=_rgba(DIVERGENCE_COLORS[min(apart, 4)]),
                    line=[110, 110, 110, 200], lw=0.6)

    return pdk.Layer("GeoJsonLayer", id=layer_id,
                     data={"type": "FeatureCollection", "features": _features(districts, props)},
                     pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
                     get_line_color="properties.line", get_line_width="properties.lw", line_width_units='"pixels"',
                     auto_highlight=True, highlight_color=[255, 255, 255, 70])


TOOLTIP = {"text": "{title}\n{detail}",
           "style": {"backgroundColor": "#1f2430", "color": "#f4f4f4", "fontSize": "12px", "maxWidth": "360px",
                     "whiteSpace": "pre-line", "padding": "8px 10px", "borderRadius": "4px"}}


def make_deck(layers):
    import pydeck as pdk

    view = pdk.ViewState(latitude=34.0, longitude=66.2, zoom=4.6, min_zoom=3, max_zoom=12)
    # text tooltips: the browser sets innerText, so source labels are never parsed as HTML
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None, tooltip=TOOLTIP)


def _districts_for_map(provinces: tuple[str, ...] = (), cached: bool = True) -> pd.DataFrame:
    """district_id, adm2, adm1, province, geometry: the dashboard's prepared basemap when
    it is there (inside the app), else the web layer."""
    d = None
    if cached:
        try:
            from naqsha.dashboard.data import cached_basemap

            d = cached_basemap().districts
        except Exception:  # noqa: BLE001 - fall back to the layer itself
            d = None
    if d is None:
        from naqsha.etl.layers import load_layer

        d = pd.DataFrame(load_layer("districts", web=True))
    if provinces:
        d = d[d["adm1"].isin(provinces)]
    return d


# --- the Streamlit tab ------------------------------------------------------------------
def _md(text: object) -> str:
    """Source names are the user's input: shown literally in markdown (no links, no HTML)."""
    import re

    return re.sub(r"([\\`*_{}\[\]()<>#+!|~$:-])", r"\\\1", str(text))


LEGEND_MD = " · ".join(
    f"<span style='background:rgb{SCORE_COLORS[s]};border:1px solid #999;padding:0 .6em'>&nbsp;</span> {COMMON_LABELS[k]}"
    for k, s in CONTROL_SCALE.items()) + " · <span style='background:rgb(250, 249, 245);border:1px solid #999;" \
    "padding:0 .6em'>&nbsp;</span> not assessed"
DIVERGENCE_MD = " · ".join(
    f"<span style='background:rgb{DIVERGENCE_COLORS[i]};border:1px solid #999;padding:0 .6em'>&nbsp;</span> "
    + ("agree" if i == 0 else f"{i} step{'s' if i > 1 else ''} apart") for i in range(5)) + \
    " · <span style='background:#fff;border:1px solid #555;padding:0 .6em'>&nbsp;</span> one source only"


def province_outline_layer(provinces: pd.DataFrame | None):
    """Province boundaries over the districts (``provinces``: geometry as GeoJSON dicts or shapely)."""
    import pydeck as pdk

    if provinces is None or not len(provinces):
        return None
    feats = [{"type": "Feature", "geometry": _geometry(g), "properties": {}} for g in provinces["geometry"]]
    return pdk.Layer("GeoJsonLayer", id="compare-provinces", data={"type": "FeatureCollection", "features": feats},
                     pickable=False, stroked=True, filled=False, get_line_color=[70, 70, 70, 255],
                     get_line_width=1.2, line_width_units='"pixels"')


def _provinces_for_map(provinces: tuple[str, ...] = ()):
    try:
        from naqsha.dashboard.data import cached_basemap

        p = cached_basemap().provinces
    except Exception:  # noqa: BLE001 - outlines are a help, not a requirement
        return None
    return p[p["adm1"].isin(provinces)] if provinces else p


def render_compare_tab(reader, filters: F.Filters | None = None) -> None:
    """The comparison tab. ``reader`` is a StoreReader; ``filters`` the dashboard's
    (province filter for the maps, dates/outlets/cited sources for the timeline)."""
    import streamlit as st

    f = filters or F.Filters()
    assessments = read_assessments(reader)
    choices = assessment_choices(assessments)
    st.subheader("Compare control assessments")
    if not choices:
        st.info("No district-level assessments in the store yet. Import one with "
                "`naqsha assessments import FILE --source NAME --as-of YYYY-MM-DD [--scheme rs|lwj|FILE]`.")
    else:
        labels = [c[0] for c in choices]
        col_a, col_b = st.columns(2)
        pick_a = col_a.selectbox("Source A", labels, index=0, key="compare_a")
        pick_b = col_b.selectbox("Source B", labels, index=min(1, len(labels) - 1), key="compare_b")
        (la, sa, da), (lb, sb, db) = choices[labels.index(pick_a)], choices[labels.index(pick_b)]
        va = district_values(assessments, sa, da, f.provinces)
        vb = district_values(assessments, sb, db, f.provinces)
        try:
            districts = _districts_for_map(f.provinces)
        except Exception as exc:  # noqa: BLE001 - boundaries missing is a state, not a crash
            st.warning(f"{exc}\n\nBuild the boundary layers with `naqsha boundaries`.")
            districts = None
        st.markdown(LEGEND_MD, unsafe_allow_html=True)  # constant text, no data
        outline = [x for x in [province_outline_layer(_provinces_for_map(f.provinces))] if x is not None]
        if districts is not None:
            m1, m2 = st.columns(2)
            m1.caption(_md(la))
            m1.pydeck_chart(make_deck([choropleth_layer(districts, va, la, "compare-a")] + outline), key="compare_map_a")
            m2.caption(_md(lb))
            m2.pydeck_chart(make_deck([choropleth_layer(districts, vb, lb, "compare-b")] + outline), key="compare_map_b")
        div = divergence(va, vb)
        s = divergence_summary(div)
        st.markdown(f"**Divergence** ({_md(la)} → {_md(lb)}): {s['both']} districts assessed by both; {s['agree']} agree, "
                    f"{s['differ']} differ ({s['differ_2_or_more']} by 2 steps or more; mean {s['mean_apart']}); "
                    f"{s['only_a']} only in A, {s['only_b']} only in B.")
        if districts is not None:
            st.markdown(DIVERGENCE_MD, unsafe_allow_html=True)  # constant text, no data
            st.pydeck_chart(make_deck([divergence_layer(districts, div, la, lb)] + outline), key="compare_divergence")
        st.dataframe(div[div["status"] != "agree"][["place_key", "category_original_a", "category_original_b",
                                                     "difference", "status"]], hide_index=True)
        d1, d2 = st.columns(2)
        d1.download_button("Download the divergence table (CSV)", div.to_csv(index=False).encode(),
                           file_name="divergence.csv", mime="text/csv", key="compare_dl")
        # the same rendering function as `naqsha assessments snapshot`; rendered on click only
        d2.download_button("Download this comparison (PNG, A4 landscape)",
                           lambda: render_compare_snapshot(reader, la, lb, f, "png"),
                           file_name=compare_download_name(la, lb, f, "png"), mime="image/png",
                           key="compare_png")
        unmatched = assessments[(assessments["match_how"] == "unmatched")
                                & assessments["source"].isin([sa, sb])]
        if len(unmatched):
            with st.expander(f"{len(unmatched)} source row(s) not on the map (unmatched names)"):
                st.dataframe(unmatched[["source", "file", "row", "name_original", "province_original",
                                        "category_original", "match_detail"]], hide_index=True)
    st.subheader("National control figures by source")
    series = national_series(reader, f)
    claims = claim_points(reader.read("claims") if reader is not None and reader.exists() else None, f)
    if series.empty and claims.empty:
        st.info("No national figures yet: `naqsha assessments import-national FILE` adds a national series; "
                "claims come from `naqsha etl`.")
        return
    metrics = [m for m in SERIES_METRICS if m in set(series["metric"]) | set(claims["metric"])]
    metric = st.radio("Figure", metrics, horizontal=True, key="compare_metric")
    st.altair_chart(timeline_chart(series, claims, metric), width="stretch")
    st.caption("Lines: assessments (the national series and each district file's share of the districts it "
               "assessed). Diamonds: figures claimed in articles, at the date they describe (else publication).")
    try:
        from naqsha.etl.corroborate import corroborate, with_outlets

        docs = reader.read("documents", columns=["doc_id", "outlet"]) if reader.has("documents") else None
        cor = corroborate(F.filter_claims(with_outlets(reader.read("claims"), docs), f),
                          reader.read("national_assessments"))
    except Exception:  # noqa: BLE001
        cor = pd.DataFrame()
    if len(cor):
        with st.expander(f"Article claims against the assessments ({len(cor)})", expanded=True):
            for line in cor["line"]:
                st.text(line)  # st.text: never rendered as markdown or HTML


# --- snapshots of the comparison --------------------------------------------------------
COMPARE_FORMATS = ("png", "svg", "pdf", "html")


def _find_choice(assessments: pd.DataFrame, label: str) -> tuple[str, str, date]:
    """A choice by its label ("Source · 2018-07-31") or by source name alone (latest date)."""
    from naqsha.errors import SnapshotError

    choices = assessment_choices(assessments)
    for c in choices:
        if c[0] == label:
            return c
    same = [c for c in choices if c[1] == label]
    if same:
        return same[-1]
    known = "; ".join(c[0] for c in choices) or "none (import some with `naqsha assessments import`)"
    raise SnapshotError(f"no district-level assessment {label!r} in the store; known: {known}")


def render_compare_snapshot(reader, source_a: str, source_b: str, filters: F.Filters | None = None,
                            fmt: str = "png", page: str = "A4", orientation: str = "landscape",
                            dpi: int = 200) -> bytes:
    """The comparison as a file: source A, source B and their divergence, side by side
    (PNG/SVG/PDF through matplotlib; HTML: the divergence map as an offline pydeck page).
    Sources are given as in the tab ("Source · YYYY-MM-DD") or by name (latest date).
    The same store and arguments give the same bytes (SVG/PDF/HTML) and pixels (PNG)."""
    from naqsha.errors import SnapshotError

    f = filters or F.Filters()
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in COMPARE_FORMATS:
        raise SnapshotError(f"unknown snapshot format {fmt!r}; choose one of: {', '.join(COMPARE_FORMATS)}")
    if not isinstance(dpi, int) or not 50 <= dpi <= 600:
        raise SnapshotError(f"dpi must be a whole number from 50 to 600 (got {dpi!r})")
    assessments = read_assessments(reader)
    la, sa, da = _find_choice(assessments, source_a)
    lb, sb, db = _find_choice(assessments, source_b)
    va = district_values(assessments, sa, da, f.provinces)
    vb = district_values(assessments, sb, db, f.provinces)
    div = divergence(va, vb)
    s = divergence_summary(div)
    title = f"Control assessments compared: {la} and {lb}"
    subtitle = (f"{s['both']} districts assessed by both: {s['agree']} agree, {s['differ']} differ "
                f"({s['differ_2_or_more']} by two steps or more); {s['only_a']} only in A, {s['only_b']} only in B. "
                f"Province filter: {', '.join(f.provinces) or 'none'}.")
    if fmt == "html":
        return _compare_html(div, la, lb, title, f)
    return _compare_static(va, vb, div, la, lb, title, subtitle, assessments, f, fmt, page, orientation, dpi)


def _compare_attribution(assessments: pd.DataFrame, labels: list[tuple[str, str, date]]) -> str:
    parts = []
    for label, source, day in labels:
        rows = assessments[(assessments["source"] == source) & (pd.to_datetime(assessments["as_of"]).dt.date == day)]
        files = ", ".join(sorted(set(rows["file"])))
        schemes = ", ".join(sorted(set(rows["scheme"])))
        parts.append(f"{label} (file {files}, scheme {schemes}, mapped onto naqsha's five-level common scale)")
    try:
        from naqsha.dashboard.snapshot import boundary_citation

        cite = boundary_citation()
    except Exception:  # noqa: BLE001
        cite = "geoBoundaries (Runfola et al. 2020)"
    cite = cite if cite.lower().startswith("boundaries") else f"Boundaries: {cite}"
    return "Assessments: " + "; ".join(parts) + ". " + cite


def _compare_static(va, vb, div, la, lb, title, subtitle, assessments, f, fmt, page, orientation, dpi) -> bytes:
    import io

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    from naqsha.dashboard import cartography as carto
    from naqsha.dashboard.snapshot import layer

    figsize = carto.page_size(page, orientation)
    provinces = layer("provinces", crs=carto.AFG_CRS)
    districts = layer("districts", crs=carto.AFG_CRS)
    if f.provinces:
        provinces_shown = provinces[provinces["code"].isin(f.provinces)]
        districts = districts[districts["province"].isin(f.provinces)]
    else:
        provinces_shown = provinces
    fig = Figure(figsize=figsize, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    landscape = figsize[0] > figsize[1]
    fig.text(0.02, 0.975, carto.wrap(title, 95 if landscape else 70), fontsize=15 if landscape else 13,
             fontweight="bold", va="top", color="#222222")
    fig.text(0.02, 0.90 if landscape else 0.925, carto.wrap(subtitle, 170 if landscape else 110), fontsize=8.5,
             va="top", color="#444444")
    if landscape:
        boxes = [(0.01, 0.25, 0.32, 0.59), (0.34, 0.25, 0.32, 0.59), (0.67, 0.25, 0.32, 0.59)]
    else:
        boxes = [(0.03, 0.56, 0.46, 0.29), (0.51, 0.56, 0.46, 0.29), (0.03, 0.22, 0.94, 0.31)]

    def hexa(rgb):
        return "#%02x%02x%02x" % tuple(int(v) for v in rgb[:3])

    def draw(ax, colour_of, heading):
        d = districts.copy()
        d["colour"] = [colour_of(code) for code in d["code"]]
        d.plot(ax=ax, color=d["colour"], edgecolor="#9a9a9a", linewidth=0.2)
        provinces_shown.boundary.plot(ax=ax, color="#555555", linewidth=0.5)
        x0, y0, x1, y1 = provinces_shown.total_bounds
        pad = 0.03 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal")
        ax.set_anchor("N")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(heading, fontsize=9.5, loc="left")

    by_a = dict(zip(va["place_key"], va["score"]))
    by_b = dict(zip(vb["place_key"], vb["score"]))
    dv = div.set_index("place_key")
    axes = [fig.add_axes(b) for b in boxes]
    draw(axes[0], lambda k: hexa(score_color(by_a.get(k))), f"A: {la}")
    draw(axes[1], lambda k: hexa(score_color(by_b.get(k))), f"B: {lb}")

    def div_colour(k):
        if k not in dv.index:
            return hexa(NOT_ASSESSED)
        r = dv.loc[k]
        if r["status"] in ("only a", "only b"):
            return "#ffffff"
        return hexa(DIVERGENCE_COLORS[min(int(round(r["apart"])), 4)])

    draw(axes[2], div_colour, "Divergence: steps apart on the common scale")
    carto.draw_scale_bar(axes[2], 1000.0, loc=(0.04, 0.04), fontsize=6.5)
    scale = [Patch(facecolor=hexa(SCORE_COLORS[s]), edgecolor="#888888", label=COMMON_LABELS[k])
             for k, s in CONTROL_SCALE.items()] + [Patch(facecolor=hexa(NOT_ASSESSED), edgecolor="#888888",
                                                         label="not assessed / not matched")]
    apart = [Patch(facecolor=hexa(DIVERGENCE_COLORS[i]), edgecolor="#888888",
                   label="agree" if i == 0 else f"{i} step{'s' if i > 1 else ''} apart") for i in range(5)]
    apart.append(Patch(facecolor="#ffffff", edgecolor="#888888", label="assessed by one source only"))
    for ax in axes:
        ax.apply_aspect()
    y_leg = min(ax.get_position().y0 for ax in axes) - 0.015
    fig.legend(handles=scale, loc="upper left", bbox_to_anchor=(0.02, y_leg), ncol=3, fontsize=7,
               title="Sources A and B (common scale; split districts averaged)", title_fontsize=7.5, frameon=False)
    fig.legend(handles=apart, loc="upper left" if landscape else "upper right",
               bbox_to_anchor=(0.55 if landscape else 0.98, y_leg),
               ncol=3 if landscape else 2, fontsize=7, title="Divergence", title_fontsize=7.5, frameon=False)
    attribution = _compare_attribution(assessments, [(la,) + tuple(_split_label(la)), (lb,) + tuple(_split_label(lb))])
    fig.text(0.02, 0.012, carto.wrap(attribution, 200 if landscape else 140), fontsize=6, color="#666666",
             va="bottom")
    buf = io.BytesIO()
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": "naqsha"},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": "naqsha", "Producer": "naqsha"}}[fmt]
    with matplotlib.rc_context({"svg.hashsalt": "naqsha", "svg.fonttype": "none", "pdf.fonttype": 42,
                                "svg.id": "naqsha-compare"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


def _split_label(label: str) -> tuple[str, date]:
    source, _, day = label.rpartition(" · ")
    return source, date.fromisoformat(day)


def _compare_html(div, la, lb, title, f) -> bytes:
    import html as _html
    import re

    from naqsha.errors import SnapshotError

    districts = _districts_for_map(f.provinces, cached=False)
    deck = make_deck([divergence_layer(districts, div, la, lb)])
    page = deck.to_html(as_string=True, offline=True, notebook_display=False)
    page = re.sub(r"<script[^>]*\bsrc=['\"]?https?:[^>]*>\s*</script>\s*", "", page, flags=re.IGNORECASE)
    page = re.sub(r'"mapStyle": "__MAP_STYLE__",\s*', "", page, count=1)
    page = page.replace("<title>pydeck</title>", f"<title>{_html.escape(title)}</title>", 1)
    if re.search(r"<script[^>]*src=['\"]?https?:", page, re.IGNORECASE):  # pragma: no cover - guard
        raise SnapshotError("internal error: the HTML snapshot would load a script from the network")
    return page.encode("utf-8")


def compare_download_name(label_a: str, label_b: str, filters: F.Filters, fmt: str) -> str:
    import re

    parts = ["naqsha-compare", label_a, "vs", label_b, *filters.provinces[:3]]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-")
    return f"{safe}.{fmt}"
