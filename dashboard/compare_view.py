"""The comparison tab of the Streamlit dashboard (:func:`render_compare_tab`): two
assessment sources side by side, where they disagree, and the national timeline of
control figures by source with the claims found in articles."""

from __future__ import annotations

import pandas as pd

from naqsha import filters as F
from naqsha.schema import CONTROL_SCALE

from .compare_data import (
    COMMON_LABELS, SERIES_METRICS, assessment_choices, claim_points, district_values, divergence,
    divergence_summary, national_series, read_assessments,
)
from .compare_layers import (
    DIVERGENCE_COLORS, SCORE_COLORS, choropleth_layer, districts_for_map, divergence_layer, make_deck,
    province_outline_layer, provinces_for_map,
)
from .compare_snapshot import compare_download_name, render_compare_snapshot
from .layer_data import externalize


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
            districts = districts_for_map(f.provinces)
        except Exception as exc:  # noqa: BLE001 - boundaries missing is a state, not a crash
            st.warning(f"{exc}\n\nBuild the boundary layers with `naqsha boundaries`.")
            districts = None
        st.markdown(LEGEND_MD, unsafe_allow_html=True)  # constant text, no data
        outline = [x for x in [province_outline_layer(provinces_for_map(f.provinces))] if x is not None]
        if districts is not None:
            m1, m2 = st.columns(2)
            m1.caption(_md(la))
            m1.pydeck_chart(externalize(make_deck([choropleth_layer(districts, va, la, "compare-a")] + outline)), key="compare_map_a")
            m2.caption(_md(lb))
            m2.pydeck_chart(externalize(make_deck([choropleth_layer(districts, vb, lb, "compare-b")] + outline)), key="compare_map_b")
        div = divergence(va, vb)
        s = divergence_summary(div)
        st.markdown(f"**Divergence** ({_md(la)} → {_md(lb)}): {s['both']} districts assessed by both; {s['agree']} agree, "
                    f"{s['differ']} differ ({s['differ_2_or_more']} by 2 steps or more; mean {s['mean_apart']}); "
                    f"{s['only_a']} only in A, {s['only_b']} only in B.")
        if districts is not None:
            st.markdown(DIVERGENCE_MD, unsafe_allow_html=True)  # constant text, no data
            st.pydeck_chart(externalize(make_deck([divergence_layer(districts, div, la, lb)] + outline)), key="compare_divergence")
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
