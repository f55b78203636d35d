"""The violence map: a circle per town or city (area proportional to the fatalities
reported there), hatched districts for events known only to their district (shaded by
the number of reports), dashed outlines for events known only to their province."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import cartography as carto
from .snapshot_data import SnapshotData, date_phrase, split_by_precision


VIOLENCE = "#b2182b"
POINT_FACE = (0.40, 0.0, 0.05, 0.82)   # town/city circles: darker than any district fill
POINT_EDGE = "#67000d"


def count_classes(counts: pd.Series) -> list[tuple[int, float, float]]:
    """Up to four classes of report counts, (low, high, fill alpha), with nice bounds
    spaced evenly on a log scale, e.g. 1 | 2-10 | 11-100 | 101 or more."""
    top = int(max(counts.max(), 1)) if len(counts) else 1
    uppers = [1] if top > 1 else []
    for k in (1, 2):
        edge = int(carto.nice_length(top ** (k / 3)))
        if uppers and uppers[-1] < edge < top:
            uppers.append(edge)
    bounds, lo = [], 1
    for hi in uppers:
        bounds.append((lo, hi))
        lo = hi + 1
    bounds.append((lo, np.inf if top > lo else lo))
    alphas = np.linspace(0.10, 0.55, len(bounds)) if len(bounds) > 1 else [0.15]
    return [(a, b, round(float(al), 3)) for (a, b), al in zip(bounds, alphas)]


def _fat_scale(places: pd.DataFrame) -> float:
    """Points^2 of marker area per fatality: the largest circle about 30 pt across."""
    fmax = float(places["fatalities"].max()) if len(places) and places["fatalities"].notna().any() else 50.0
    return 500.0 / max(fmax, 10.0)


def _size_keys(fmax: float) -> list[int]:
    top = carto.nice_length(max(fmax, 1))
    keys = sorted({int(top), int(carto.nice_length(top / 4)), int(carto.nice_length(top / 20))} - {0})
    return keys[-3:]


def draw_violence(ax, side, data: SnapshotData, provinces, districts, placer, fontsize, legend_size):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    places = data.places
    out = split_by_precision(places, provinces, districts) if len(places) else None
    handles = []
    scale = _fat_scale(places)
    classes = count_classes(out[1]["n_events"] if out is not None and len(out[1]) else pd.Series([1]))
    if out is not None:
        pts, dist, prov, rest, lost = out
        if len(dist):
            which = np.searchsorted([hi for _, hi, _ in classes], dist["n_events"].to_numpy(), side="left")
            for k, (_, _, alpha) in enumerate(classes):
                part = dist[which == k]
                if len(part):
                    carto.merged(part, districts.crs).plot(ax=ax, facecolor=(0.70, 0.09, 0.17, alpha), edgecolor="none",
                                                      zorder=4)
            carto.merged(dist, districts.crs).plot(ax=ax, facecolor="none", edgecolor=VIOLENCE, hatch="////",
                                              linewidth=0.8, zorder=4.1)
        if len(prov):
            carto.merged(prov, provinces.crs).plot(ax=ax, facecolor=(0.70, 0.09, 0.17, 0.05), edgecolor=POINT_EDGE,
                                           linewidth=1.6, linestyle=(0, (4, 2)), zorder=7.5)
        if len(pts):
            x, y = carto.project_points(pts, districts.crs)
            fat = pts["fatalities"].to_numpy(dtype=float)
            known = ~np.isnan(fat)
            order = np.argsort(-np.where(known, fat, 0), kind="stable")
            sizes = np.where(known, 12 + np.nan_to_num(fat) * scale, 22)
            face = [POINT_FACE if k else "white" for k in known]
            edge = ["white" if k else POINT_EDGE for k in known]
            ax.scatter(x[order], y[order], s=sizes[order], c=[face[i] for i in order],
                       edgecolors=[edge[i] for i in order],
                       linewidths=0.9, zorder=10)
            carto.block_markers(ax, placer, x, y, sizes)
        if len(lost):
            x, y = carto.project_points(lost.dropna(subset=["lat", "lon"]), districts.crs)
            ax.scatter(x, y, s=30, marker="s", facecolor="none", edgecolor=VIOLENCE, linewidths=0.9, zorder=10)
        # labels: the places with most fatalities (then most reports) first
        lab = pd.concat([pts.assign(_kind="point"), dist.assign(_kind="district"), prov.assign(_kind="province")])
        lab = lab.assign(_f=lab["fatalities"].fillna(0)).sort_values(["_f", "n_events", "place_key"],
                                                                     ascending=[False, False, True])
        for _, row in lab.head(18).iterrows():
            if row["_kind"] == "point":
                x, y = carto.project_points(row.to_frame().T, districts.crs)
                r = math.sqrt(12 + (row["_f"] or 0) * scale) / 2
                offs = carto.point_offsets(r)
                x, y = float(x[0]), float(y[0])
            else:
                pt = row["geometry"].representative_point()
                x, y, offs = pt.x, pt.y, ((0, 0), (0, 6), (0, -6))
            fat = f", {int(row['fatalities']):,}{'+' if row['approx'] else ''} killed" if pd.notna(row["fatalities"]) else ""
            kind = " province" if row["_kind"] == "province" else ""
            placer.place(x, y, f"{row['name']}{kind}{fat}", offsets=offs, fontsize=fontsize, color="#5a0d16",
                         fontweight="bold", zorder=12, halo=2.2)
        n_rest = int(rest["n_events"].sum()) if len(rest) else 0
        if n_rest:
            where = ", ".join(sorted(set(rest["name"].astype(str)))[:4])
            data.notes.append(f"{n_rest} report{'s' if n_rest != 1 else ''} located only to a country or "
                              f"region ({where}) {'are' if n_rest != 1 else 'is'} not drawn.")
        if len(lost):
            data.notes.append(f"{len(lost)} district/province place(s) without a matching boundary are drawn "
                              "as squares at their centre.")
        fmax = float(pts["fatalities"].max()) if len(pts) and pts["fatalities"].notna().any() else 10
    else:
        fmax = 10
    handles.append(Line2D([], [], linestyle="none", marker="o", markersize=math.sqrt(22), markerfacecolor="white",
                          markeredgecolor=POINT_EDGE, label="Town or city, fatalities not stated"))
    for k in _size_keys(fmax):
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=math.sqrt(12 + k * scale),
                              markerfacecolor=POINT_FACE, markeredgecolor="white",
                              label=f"Town or city, {k} killed"))
    for lo, hi, alpha in classes:
        n = f"{lo:,}" if lo == hi else (f"{lo:,} or more" if hi == np.inf else f"{lo:,}–{hi:,}")
        handles.append(Patch(facecolor=(0.70, 0.09, 0.17, alpha), edgecolor=VIOLENCE, hatch="////",
                             label=f"Known only to its district: {n} report{'s' if hi > 1 else ''}"))
    handles.append(Patch(facecolor=(0.70, 0.09, 0.17, 0.05), edgecolor=POINT_EDGE, linestyle=(0, (4, 2)),
                         linewidth=1.4, label="Known only to its province"))
    carto.legend(side, handles, "Reports of violence", legend_size)
    data.notes.insert(0, "Circle area is proportional to the deaths reported at a town or city, summed over "
                         "all reports; places are drawn only as precisely as the articles locate them.")
    if len(places) and places["fatalities"].notna().any():
        drawn = places[places["precision"].le(4) & places["adm0"].fillna("AFG").eq("AFG")]
        top = drawn[drawn["fatalities"].notna()].sort_values(["fatalities", "place_key"], ascending=[False, True])
        lines = [f"{r['name']} {int(r['fatalities']):,}{'+' if r['approx'] else ''} ({r['n_events']:,} report"
                 f"{'s' if r['n_events'] != 1 else ''}, {date_phrase(r['first'], r['last'])})"
                 for _, r in top.head(6).iterrows()]
        data.notes.insert(1, "Most deaths reported: " + "; ".join(lines) + ".")
