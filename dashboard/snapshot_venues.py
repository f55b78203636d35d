"""The venues map: where talks were reported to take place, sized by the number of
articles; venues abroad (Doha, Moscow, Islamabad ...) on a regional panel beside the
country map."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import cartography as carto
from .cartography import LAND, MUTED, NEIGHBOURS, TEXT, WATER
from .snapshot_boundaries import countries_near
from .snapshot_data import SnapshotData, date_phrase, split_by_precision


VENUE = "#2857a4"


def _venue_scale(places: pd.DataFrame) -> float:
    """Points^2 of marker area per article: the busiest venue about 26 pt across."""
    nmax = float(places["n_docs"].max()) if len(places) else 1.0
    return 520.0 / max(nmax, 5.0)


def _venue_size(n, scale):
    return 16 + scale * np.asarray(n, dtype=float)


def draw_venues(ax, side, inset, data: SnapshotData, provinces, districts, placer, fontsize, legend_size,
            wrap_width, cache_key):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    places = data.places
    handles = []
    vscale = _venue_scale(places)
    abroad = places[places["adm0"].notna() & places["adm0"].ne("AFG")] if len(places) else places
    home = places.drop(abroad.index) if len(places) else places
    if len(home):
        pts, dist, prov, rest, lost = split_by_precision(home, provinces, districts)
        if len(dist):
            carto.merged(dist, districts.crs).plot(ax=ax, facecolor=(0.16, 0.34, 0.64, 0.12), edgecolor=VENUE,
                                           hatch="////", linewidth=0.8, zorder=4)
        if len(prov):
            carto.merged(prov, provinces.crs).plot(ax=ax, facecolor=(0.16, 0.34, 0.64, 0.05), edgecolor=VENUE,
                                           linewidth=1.6, linestyle=(0, (4, 2)), zorder=7.5)
        allpts = pd.concat([pts, lost]) if len(lost) else pts
        if len(allpts):
            x, y = carto.project_points(allpts, districts.crs)
            ax.scatter(x, y, s=_venue_size(allpts["n_docs"], vscale), color=(0.16, 0.34, 0.64, 0.6), edgecolors=VENUE,
                       linewidths=0.9, zorder=10)
            carto.block_markers(ax, placer, x, y, _venue_size(allpts["n_docs"], vscale))
            order = allpts.assign(_x=x, _y=y).sort_values(["n_docs", "place_key"], ascending=[False, True])
            for _, row in order.head(15).iterrows():
                r = math.sqrt(float(_venue_size(row["n_docs"], vscale))) / 2
                placer.place(row["_x"], row["_y"], f"{row['name']} ({row['n_docs']})", offsets=carto.point_offsets(r),
                             fontsize=fontsize, color="#14305e", fontweight="bold", zorder=12, halo=2.2)
        areas = pd.concat([dist, prov])
        areas = areas.sort_values(["n_docs", "place_key"], ascending=[False, True]) if len(areas) else areas
        for _, row in areas.head(10).iterrows():
            pt = row["geometry"].representative_point()
            placer.place(pt.x, pt.y, f"{row['name']} ({row['n_docs']})", offsets=((0, 0), (0, 6)),
                         fontsize=fontsize, color="#14305e", fontweight="bold", zorder=12, halo=2.2)
        n_rest = int(rest["n_events"].sum()) if len(rest) else 0
        if n_rest:
            data.notes.append(f"{n_rest} report(s) placed only at country level (Afghanistan) are not drawn.")
    _region(inset, abroad, vscale, placer_fontsize=fontsize, cache_key=cache_key)
    if len(abroad):
        lines = []
        for _, row in abroad.sort_values(["n_docs", "name"], ascending=[False, True]).head(10).iterrows():
            lines.append(f"{row['name']}: {row['n_docs']} article{'s' if row['n_docs'] != 1 else ''}, "
                         f"{date_phrase(row['first'], row['last'])}")
        if len(abroad) > 10:
            lines.append(f"… and {len(abroad) - 10} more")
        data.notes.insert(0, "Venues abroad: " + "; ".join(lines) + ".")
    nmax = int(places["n_docs"].max()) if len(places) else 1
    for k in sorted({1, int(carto.nice_length(max(nmax / 4, 1))), int(carto.nice_length(max(nmax, 1)))}):
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=math.sqrt(float(_venue_size(k, vscale))),
                              markerfacecolor=(0.16, 0.34, 0.64, 0.6), markeredgecolor=VENUE,
                              label=f"Venue (town or city), {k} article{'s' if k > 1 else ''}"))
    handles.append(Patch(facecolor=(0.16, 0.34, 0.64, 0.12), edgecolor=VENUE, hatch="////",
                         label="Venue known only to its district"))
    handles.append(Patch(facecolor=(0.16, 0.34, 0.64, 0.10), edgecolor=VENUE, hatch="...", linewidth=0.9,
                         label="Venue known only to its country (regional panel)"))
    return carto.legend(side, handles, "Reported talks (number of articles)", legend_size)


REGION_DEFAULT = (30.0, 18.0, 82.0, 58.0)  # lon/lat: Doha, Moscow, Tehran, Islamabad, Tashkent


def region_bounds(abroad: pd.DataFrame) -> tuple[float, float, float, float]:
    """Lon/lat box of the regional panel: Doha to Moscow to Tashkent at least, grown to
    every venue abroad (Beijing, Geneva, Washington ...)."""
    x0, y0, x1, y1 = REGION_DEFAULT
    pts = abroad.dropna(subset=["lat", "lon"]) if len(abroad) else abroad
    if len(pts):
        x0 = min(x0, float(pts["lon"].min()) - 4)
        x1 = max(x1, float(pts["lon"].max()) + 4)
        y0 = min(y0, float(pts["lat"].min()) - 3)
        y1 = max(y1, float(pts["lat"].max()) + 3)
    return max(x0, -180), max(y0, -85), min(x1, 180), min(y1, 85)


def _region(inset, abroad: pd.DataFrame, vscale: float, *, placer_fontsize, cache_key):
    """The regional panel (lon/lat, aspect corrected at its mid latitude)."""
    x0, y0, x1, y1 = region_bounds(abroad)
    pts = abroad.dropna(subset=["lat", "lon"]) if len(abroad) else abroad
    mid = (y0 + y1) / 2
    ratio = 1 / math.cos(math.radians(mid))
    x0, y0, x1, y1 = carto.fit_bounds((x0, y0, x1, y1), inset, ratio)
    world = countries_near((round(x0 - 1), round(y0 - 1), round(x1 + 1), round(y1 + 1)), cache_key)
    inset.set_facecolor(WATER)
    world.plot(ax=inset, facecolor=NEIGHBOURS, edgecolor="#b9b6ae", linewidth=0.4, zorder=1)
    world[world["code"].eq("AFG")].plot(ax=inset, facecolor=LAND, edgecolor="#444444", linewidth=0.8, zorder=2)
    if len(abroad):
        countries = abroad[abroad["level"].eq("country")]
        if len(countries):
            world[world["code"].isin(countries["adm0"])].plot(ax=inset, facecolor=(0.16, 0.34, 0.64, 0.10),
                                                              edgecolor=VENUE, hatch="...", linewidth=0.9,
                                                              zorder=3)
        cities = pts[~pts["level"].eq("country")] if len(pts) else pts
        if len(cities):
            inset.scatter(cities["lon"].astype(float), cities["lat"].astype(float), s=_venue_size(cities["n_docs"], vscale),
                          color=(0.16, 0.34, 0.64, 0.6), edgecolors=VENUE, linewidths=0.9, zorder=10)
    inset.set_xlim(x0, x1)
    inset.set_ylim(y0, y1)
    inset.set_aspect(ratio, adjustable="box")
    inset.set_autoscale_on(False)
    inset.apply_aspect()
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_xticks([])
    inset.set_yticks([])
    for spine in inset.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)
    inset.set_title("Venues abroad (regional view)", fontsize=placer_fontsize + 1.5, loc="left", color=TEXT, pad=3)
    renderer = inset.figure.canvas.get_renderer()
    placer = carto.LabelPlacer(inset, renderer)
    carto.draw_scale_bar(inset, 1 / (111.32 * math.cos(math.radians(mid))), loc=(0.04, 0.05), fraction=0.25,
                         fontsize=placer_fontsize - 1)
    frame = inset.get_window_extent(renderer)
    from matplotlib.transforms import Bbox

    placer.block(Bbox.from_bounds(frame.x0, frame.y0, 0.32 * frame.width, 0.16 * frame.height))
    labelled = []
    if len(pts):
        for _, row in pts.sort_values(["n_docs", "place_key"], ascending=[False, True]).iterrows():
            r = math.sqrt(float(_venue_size(row["n_docs"], vscale))) / 2
            art = placer.place(float(row["lon"]), float(row["lat"]), f"{row['name']} ({row['n_docs']})",
                               offsets=carto.point_offsets(r), fontsize=placer_fontsize, color="#14305e",
                               fontweight="bold", zorder=12, halo=2.2)
            labelled.append(art is not None)
    # Afghanistan's label, for orientation
    afg = world[world["code"].eq("AFG")]
    if len(afg):
        pt = afg.geometry.iloc[0].representative_point()
        placer.place(pt.x, pt.y, "AFGHANISTAN", offsets=((0, 0), (0, -8)), fontsize=placer_fontsize - 1,
                     color="#444444", zorder=11, halo=2.2)
    if not len(abroad):
        inset.text(0.5, 0.06, "No venues abroad match the filters", transform=inset.transAxes, ha="center",
                   fontsize=placer_fontsize, color=MUTED, zorder=20, bbox=dict(fc="white", ec="none", alpha=0.8))
