"""Cartographic furniture for static snapshots: page sizes, projection, scale bar, north
arrow and label placement without collisions.

Plain matplotlib (no pyplot, no global state), so the dashboard's threads and the CLI can
both use it. Coordinates of the Afghanistan map are metres in :data:`AFG_CRS`, a Lambert
conformal conic fitted to the country, so the scale bar is true to within about 1%
everywhere on the map.
"""

from __future__ import annotations

import functools
import math
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrow, Rectangle
from matplotlib.transforms import Bbox

# Lambert conformal conic with standard parallels through Afghanistan (29.4N to 38.5N).
AFG_CRS = "+proj=lcc +lat_1=31 +lat_2=37 +lat_0=34 +lon_0=66 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"

MM_PER_INCH = 25.4
# (width, height) in inches, portrait.
PAGES: dict[str, tuple[float, float]] = {
    "A4": (210 / MM_PER_INCH, 297 / MM_PER_INCH),
    "letter": (8.5, 11.0),
}
ORIENTATIONS = ("landscape", "portrait")

# Colours: ColorBrewer-like, readable in greyscale print and by colour-blind readers.
LAND = "#fbfaf7"
NEIGHBOURS = "#e6e4df"
WATER = "#dfe9f2"
PROVINCE_EDGE = "#7a7a7a"
DISTRICT_EDGE = "#c4c4c4"
TEXT = "#222222"
MUTED = "#666666"


def page_size(page: str, orientation: str) -> tuple[float, float]:
    """Figure size in inches for a page name ("A4", "letter"; any case) and orientation."""
    from naqsha.errors import SnapshotError

    key = {k.lower(): k for k in PAGES}.get(str(page).lower())
    if key is None:
        raise SnapshotError(f"unknown page size {page!r}; use one of: {', '.join(PAGES)}")
    if orientation not in ORIENTATIONS:
        raise SnapshotError(f"unknown orientation {orientation!r}; use landscape or portrait")
    w, h = PAGES[key]
    return (h, w) if orientation == "landscape" else (w, h)


class QuietCanvas(FigureCanvasAgg):
    """Agg canvas whose ``draw_idle`` does nothing. geopandas' ``plot`` asks for a redraw
    after every layer, and on Agg that is a full render each time (seconds at print
    resolution); the figure is drawn once, by ``savefig``."""

    def draw_idle(self, *args, **kwargs):
        pass


def new_figure(figsize: tuple[float, float], dpi: int) -> Figure:
    """A page-sized figure on a :class:`QuietCanvas` (no pyplot, no global state)."""
    fig = Figure(figsize=figsize, dpi=dpi, facecolor="white")
    QuietCanvas(fig)
    return fig


def nice_length(target: float) -> float:
    """The largest 1, 2, 2.5 or 5 x 10^n not above ``target`` (for scale bars)."""
    if target <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(target))
    for step in (5, 2.5, 2, 1):
        if step * exp <= target:
            return step * exp
    return exp


def draw_scale_bar(ax, units_per_km: float, *, loc=(0.04, 0.04), fraction=0.22, fontsize=7) -> float:
    """A two-segment black/white scale bar in axes ``ax`` whose data units are
    ``units_per_km`` per kilometre (1000 for metres; 1/(111.32 cos lat) for degrees of
    longitude). Returns the length drawn, in km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_km = (x1 - x0) / units_per_km
    km = nice_length(width_km * fraction)
    length = km * units_per_km
    bx = x0 + loc[0] * (x1 - x0)
    by = y0 + loc[1] * (y1 - y0)
    h = 0.012 * (y1 - y0)
    half = length / 2
    ax.add_patch(Rectangle((bx - 0.01 * (x1 - x0), by - 0.03 * (y1 - y0)), length + 0.02 * (x1 - x0),
                           0.075 * (y1 - y0), facecolor="white", edgecolor="none", alpha=0.75, zorder=29))
    ax.add_patch(Rectangle((bx, by), half, h, facecolor="black", edgecolor="black", lw=0.6, zorder=30))
    ax.add_patch(Rectangle((bx + half, by), half, h, facecolor="white", edgecolor="black", lw=0.6, zorder=30))
    label = (lambda v: f"{v:,g}")
    ticks = [(0, "0"), (half, label(km / 2)), (length, f"{label(km)} km")]
    bar_pt = ax.transData.transform((bx + length, by))[0] - ax.transData.transform((bx, by))[0]
    if bar_pt * 72 / ax.figure.dpi < 11 * fontsize:  # too short for three labels
        ticks.pop(1)
    for pos, text in ticks:
        ax.text(bx + pos, by + 1.6 * h, text, ha="center", va="bottom", fontsize=fontsize, zorder=31)
    return km


def draw_north_arrow(ax, *, loc=(0.955, 0.90), size=0.06, fontsize=8) -> None:
    """A small north arrow (the map's y axis points north at the central meridian)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x = x0 + loc[0] * (x1 - x0)
    y = y0 + loc[1] * (y1 - y0)
    length = size * (y1 - y0)
    ax.add_patch(FancyArrow(x, y, 0, length, width=0.006 * (x1 - x0), head_width=0.025 * (x1 - x0),
                            head_length=0.35 * length, length_includes_head=True, color="#333333", zorder=30))
    ax.text(x, y - 0.01 * (y1 - y0), "N", ha="center", va="top", fontsize=fontsize, fontweight="bold",
            color="#333333", zorder=30)


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) if text else ""


@dataclass
class LabelPlacer:
    """Greedy label placement: a label is drawn at the first candidate offset where it
    overlaps no label placed before it (and stays inside the axes), else it is dropped.

    Call :meth:`place` in priority order (most important first). ``blocked`` boxes (in
    display pixels) are kept free too, for example the legend or the scale bar."""

    ax: object
    renderer: object
    pad_px: float = 2.0

    def __post_init__(self):
        self.boxes: list[Bbox] = []
        self.dropped: list[str] = []

    def block(self, bbox: Bbox) -> None:
        self.boxes.append(bbox)

    def block_artist(self, artist) -> None:
        self.boxes.append(artist.get_window_extent(self.renderer))

    def _fits(self, bbox: Bbox) -> bool:
        frame = self.ax.get_window_extent(self.renderer)
        if bbox.x0 < frame.x0 or bbox.x1 > frame.x1 or bbox.y0 < frame.y0 or bbox.y1 > frame.y1:
            return False
        padded = bbox.expanded(1.0, 1.0).padded(self.pad_px)
        return not any(padded.overlaps(b) for b in self.boxes)

    def place(self, x: float, y: float, text: str, *, offsets=((0, 0),), halo: float | None = None, **kwargs):
        """Try ``text`` at data point (x, y) shifted by each (dx, dy) offset in points,
        with the alignment each offset implies. Returns the Text or None when dropped.

        ``halo`` (points) outlines the label in white so it reads over hatching and
        boundaries. (A halo drawn as a separate artist under a plain text element keeps SVG
        labels searchable but misaligns with the glyphs at low dpi and in viewers with
        other fonts, so the label is drawn with the halo as one path instead.)"""
        if halo:
            from matplotlib import patheffects

            kwargs["path_effects"] = [patheffects.withStroke(linewidth=halo, foreground="white")]
        artist = None
        for dx, dy in offsets:  # one artist, moved from candidate to candidate
            ha = "center" if dx == 0 else ("left" if dx > 0 else "right")
            va = "center" if dy == 0 else ("bottom" if dy > 0 else "top")
            if artist is None:
                artist = self.ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                                          ha=ha, va=va, annotation_clip=False, **kwargs)
            else:
                artist.xyann = (dx, dy)
                artist.set_ha(ha)
                artist.set_va(va)
            bbox = artist.get_window_extent(self.renderer)
            if self._fits(bbox):
                self.boxes.append(bbox)
                return artist
        if artist is not None:
            artist.remove()
        self.dropped.append(text)
        return None


def point_offsets(radius_pt: float) -> tuple[tuple[float, float], ...]:
    """Candidate offsets around a marker of ``radius_pt`` points: right, left, above,
    below, then the diagonals."""
    r = radius_pt + 4
    d = r * 0.8
    return ((r, 0), (-r, 0), (0, r), (0, -r), (d, d), (-d, d), (d, -d), (-d, -d))


# --------------------------------------------------------------------------- base map
def draw_base(ax, bounds, provinces, districts, countries, show_districts, selected=()):
    ax.set_facecolor(WATER)
    countries.plot(ax=ax, facecolor=NEIGHBOURS, edgecolor="#b9b6ae", linewidth=0.5, zorder=1)
    provinces.plot(ax=ax, facecolor=LAND, edgecolor="none", zorder=2)
    if selected:
        provinces[~provinces["code"].isin(selected)].plot(ax=ax, facecolor="#efede7", edgecolor="none", zorder=2.5)
    if show_districts is not None and len(show_districts):
        districts[districts["code"].isin(show_districts)].plot(
            ax=ax, facecolor="none", edgecolor=DISTRICT_EDGE, linewidth=0.35, zorder=3)
    provinces.plot(ax=ax, facecolor="none", edgecolor=PROVINCE_EDGE, linewidth=0.6, zorder=6)
    provinces.dissolve().boundary.plot(ax=ax, color="#444444", linewidth=1.0, zorder=7)
    if selected:
        provinces[provinces["code"].isin(selected)].boundary.plot(ax=ax, color="#222222", linewidth=1.4, zorder=7)
    x0, y0, x1, y1 = fit_bounds(bounds, ax)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_autoscale_on(False)  # later layers must not move the frame (labels are placed in it)
    ax.apply_aspect()
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#888888")
        spine.set_linewidth(0.6)


def fit_bounds(bounds, ax, ratio: float = 1.0):
    """Grow ``bounds`` (x0, y0, x1, y1) around their centre to the axes' shape, so the map
    fills its frame at one scale (``ratio`` = y units per x unit on paper)."""
    x0, y0, x1, y1 = bounds
    pos = ax.get_position()
    fw, fh = ax.figure.get_size_inches()
    box = (pos.height * fh) / (pos.width * fw)
    w, h = x1 - x0, (y1 - y0) * ratio
    if h / w < box:
        h = w * box
    else:
        w = h / box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cy - h / ratio / 2, cx + w / 2, cy + h / ratio / 2


def block_markers(ax, placer, x, y, sizes):
    """Keep labels off the circles: each marker's inscribed square becomes a blocked box."""
    from matplotlib.transforms import Bbox

    px = ax.transData.transform(np.column_stack([x, y]))
    half = np.sqrt(np.broadcast_to(np.asarray(sizes, dtype=float), (len(px),))) / 2 * ax.figure.dpi / 72 * 0.8
    for (cx, cy), r in zip(px, half):
        placer.block(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))


def neighbour_labels(ax, countries, placer, cache_key):
    """Neighbouring country names, in the part of each country inside the frame."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for label, x, y in _neighbour_points(countries, (round(x0), round(y0), round(x1), round(y1)), cache_key):
        placer.place(x, y, label, offsets=((0, 0),), fontsize=7.5, color="#8f8b82", fontstyle="italic", zorder=8)


_NEIGHBOUR_POINTS: dict = {}


def _neighbour_points(countries, bounds, cache_key) -> list[tuple[str, float, float]]:
    """(NAME, x, y) inside the part of each neighbour within the frame, when that part is
    big enough to hold a name; cached per frame (the same pages recur)."""
    import shapely

    key = (cache_key, bounds)
    if key not in _NEIGHBOUR_POINTS:
        frame = shapely.box(*bounds)
        out = []
        for code, label, geom in zip(countries["code"], countries["label"], countries.geometry):
            if code == "AFG":
                continue
            part = geom.intersection(frame)
            if part.is_empty or part.area < 0.03 * frame.area:
                continue
            pt = part.representative_point()
            out.append((str(label).upper(), pt.x, pt.y))
        _NEIGHBOUR_POINTS.clear() if len(_NEIGHBOUR_POINTS) > 32 else None
        _NEIGHBOUR_POINTS[key] = out
    return _NEIGHBOUR_POINTS[key]


def province_labels(ax, provinces, placer, fontsize):
    order = provinces.assign(_a=provinces.geometry.area).sort_values(["_a", "code"], ascending=[False, True])
    for _, row in order.iterrows():
        pt = row.geometry.representative_point()
        small = fontsize * (0.85 if row["_a"] < 6e9 else 1.0)
        placer.place(pt.x, pt.y, row["label"], offsets=((0, 0), (0, 5), (0, -5), (6, 0), (-6, 0)),
                     fontsize=small, color="#555555", zorder=8,
                     halo=2.2)


def project_points(places: pd.DataFrame, crs) -> tuple[np.ndarray, np.ndarray]:
    t = _transformer(crs)
    x, y = t.transform(places["lon"].astype(float).to_numpy(), places["lat"].astype(float).to_numpy())
    return np.asarray(x), np.asarray(y)


@functools.lru_cache(maxsize=4)
def _transformer(crs: str):
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def merged(frame, crs):
    """All polygons of ``frame`` as one multipolygon (one path to hatch: a hatch per
    district is slow at print resolution, and the pixels are the same)."""
    import geopandas as gpd
    import shapely

    parts = shapely.get_parts(np.asarray(frame["geometry"].values, dtype=object))
    return gpd.GeoSeries([shapely.multipolygons(parts)], crs=crs)


def geo_frame(frame, crs):
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)


def legend(side, handles, title, size, extra=None, loc="upper left", anchor=(0.0, 1.0)):
    from matplotlib.patches import Patch

    base = [
        Patch(facecolor=LAND, edgecolor=PROVINCE_EDGE, linewidth=0.6, label="Province boundary"),
        Patch(facecolor=LAND, edgecolor=DISTRICT_EDGE, linewidth=0.6, label="District boundary (where relevant)"),
        Patch(facecolor=NEIGHBOURS, edgecolor="#b9b6ae", linewidth=0.5, label="Neighbouring country"),
    ]
    leg = side.legend(handles=handles + base, title=title, loc=loc, bbox_to_anchor=anchor, frameon=False,
                      fontsize=size, title_fontsize=size + 1, alignment="left", labelspacing=0.9,
                      handlelength=2.0, handleheight=1.3, borderaxespad=0.0)
    leg._legend_box.align = "left"
    return leg
