"""Snapshots of the comparison (``naqsha snapshot --map compare``, ``naqsha assessments
snapshot`` and the tab's download button): source A, source B and their divergence side
by side on a page (PNG/SVG/PDF through matplotlib), or the divergence map as an offline
pydeck page (HTML)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from naqsha import filters as F
from naqsha.schema import CONTROL_SCALE

from .compare_data import (
    COMMON_LABELS, district_values, divergence, divergence_summary, find_choice,
    read_assessments, split_label,
)
from .compare_layers import (
    DIVERGENCE_COLORS, NOT_ASSESSED, SCORE_COLORS, districts_for_map, divergence_layer, make_deck, score_color,
)


COMPARE_FORMATS = ("png", "svg", "pdf", "html")


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
    la, sa, da = find_choice(assessments, source_a)
    lb, sb, db = find_choice(assessments, source_b)
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
    attribution = _compare_attribution(assessments, [(la,) + tuple(split_label(la)), (lb,) + tuple(split_label(lb))])
    fig.text(0.02, 0.012, carto.wrap(attribution, 200 if landscape else 140), fontsize=6, color="#666666",
             va="bottom")
    buf = io.BytesIO()
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": "naqsha"},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": "naqsha", "Producer": "naqsha"}}[fmt]
    with matplotlib.rc_context({"svg.hashsalt": "naqsha", "svg.fonttype": "none", "pdf.fonttype": 42,
                                "svg.id": "naqsha-compare"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


def _compare_html(div, la, lb, title, f) -> bytes:
    import html as _html
    import re

    from naqsha.errors import SnapshotError

    districts = districts_for_map(f.provinces, cached=False)
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
