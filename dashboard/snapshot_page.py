"""The printed page of a static snapshot (PNG, SVG, PDF): title and subtitle, the main
map with its base layers, scale bar and north arrow, the side panel (legend, notes,
national claim cards), the regional inset of the venues map, and the attribution. The
map itself is drawn by snapshot_violence, snapshot_venues or snapshot_control."""

from __future__ import annotations

from dataclasses import dataclass

from naqsha.filters import Filters

from . import cartography as carto
from .cartography import MUTED, TEXT
from .snapshot_boundaries import boundary_cache_key, layer, projected_neighbours
from .snapshot_control import count_national_cards, draw_cards, draw_control, national_cards
from .snapshot_data import SnapshotData, attribution
from .snapshot_venues import draw_venues
from .snapshot_violence import draw_violence


@dataclass
class _Layout:
    main: tuple
    side: tuple | None
    inset: tuple | None
    title_y: float
    attrib_y: float
    wrap: int


def _layout(figsize, map_name: str) -> _Layout:
    w, h = figsize
    landscape = w > h
    if landscape:
        main = (0.015, 0.085, 0.64, 0.80)
        if map_name == "venues":
            return _Layout(main, (0.675, 0.085, 0.31, 0.40), (0.675, 0.50, 0.31, 0.385), 0.965, 0.012, 190)
        return _Layout(main, (0.675, 0.085, 0.31, 0.80), None, 0.965, 0.012, 190)
    main = (0.03, 0.40, 0.94, 0.50)
    if map_name == "venues":
        return _Layout(main, (0.03, 0.065, 0.45, 0.32), (0.51, 0.085, 0.46, 0.30), 0.975, 0.01, 135)
    return _Layout(main, (0.03, 0.065, 0.94, 0.32), None, 0.975, 0.01, 135)


def _notes_text(side, data: SnapshotData, y, size, wrap_width):
    notes = list(data.notes)
    if not notes:
        return
    body = "\n".join(carto.wrap("• " + n, wrap_width) for n in notes)
    side.text(0.0, y, body, transform=side.transAxes, va="top", ha="left", fontsize=size - 0.5, color=MUTED,
              linespacing=1.35)


def _main_bounds(provinces, filters: Filters):
    sel = provinces[provinces["code"].isin(filters.provinces)] if filters.provinces else provinces
    if not len(sel):
        sel = provinces
    x0, y0, x1, y1 = sel.total_bounds
    pad = 0.04 * max(x1 - x0, y1 - y0) + 15000
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def draw_page(data: SnapshotData, figsize, dpi: int):
    """The whole page as a matplotlib figure (saved by naqsha.dashboard.snapshot)."""
    cache_key = boundary_cache_key()
    provinces = layer("provinces", crs=carto.AFG_CRS)
    districts = layer("districts", crs=carto.AFG_CRS)
    lonlat = (55.0, 24.0, 79.0, 42.0)
    countries = projected_neighbours(lonlat, cache_key)
    fig = carto.new_figure(figsize, dpi)
    layout = _layout(figsize, data.map_name)
    portrait = figsize[0] < figsize[1]
    base = 7.0 if not portrait else 6.8
    limit = 52 if portrait else 80  # characters that fit at 17 pt
    fig.text(0.015 if not portrait else 0.03, layout.title_y, data.title,
             fontsize=max(11.0, min(17.0, 17.0 * limit / max(len(data.title), 1))), fontweight="bold",
             va="top", ha="left", color=TEXT)
    fig.text(0.015 if not portrait else 0.03, layout.title_y - 0.038 * (8.27 / figsize[1]),
             carto.wrap(data.subtitle, layout.wrap - 40), fontsize=9.5, va="top", ha="left", color="#444444")
    ax = fig.add_axes(layout.main)
    side = fig.add_axes(layout.side)
    side.set_axis_off()
    inset = fig.add_axes(layout.inset) if layout.inset else None

    # districts drawn where they matter: where events or claims are, or in the chosen provinces
    show = set()
    if len(data.places):
        show |= set(data.places["place_key"][data.places["level"].eq("district")])
        show |= set(districts["code"][districts["province"].isin(data.places["adm1"].dropna())])
    if len(data.claims):
        show |= set(districts["code"][districts["province"].isin(data.claims["scope"].str.slice(0, 6))])
    if data.filters.provinces:
        show |= set(districts["code"][districts["province"].isin(data.filters.provinces)])
    bounds = _main_bounds(provinces, data.filters)
    carto.draw_base(ax, bounds, provinces, districts, countries, show, data.filters.provinces)
    renderer = fig.canvas.get_renderer()
    placer = carto.LabelPlacer(ax, renderer)
    carto.draw_scale_bar(ax, 1000.0, loc=(0.035, 0.045), fontsize=base - 0.5)
    carto.draw_north_arrow(ax)
    # keep scale bar and north arrow corners free of labels
    w = ax.get_window_extent(renderer)
    from matplotlib.transforms import Bbox

    placer.block(Bbox.from_bounds(w.x0, w.y0, 0.30 * w.width, 0.12 * w.height))
    placer.block(Bbox.from_bounds(w.x0 + 0.92 * w.width, w.y0 + 0.84 * w.height, 0.08 * w.width, 0.16 * w.height))
    label_size = base
    if data.map_name == "violence":
        draw_violence(ax, side, data, provinces, districts, placer, label_size, base + 0.5)
    elif data.map_name == "venues":
        draw_venues(ax, side, inset, data, provinces, districts, placer, label_size, base + 0.5,
                layout.wrap // (2 if portrait else 3), cache_key)
    else:
        leg = draw_control(ax, side, data, provinces, districts, placer, label_size, base + 0.5, 60, portrait)
    carto.province_labels(ax, provinces, placer, base)
    # district names where districts are drawn and the view is zoomed to provinces
    if data.filters.provinces:
        sel = districts[districts["province"].isin(data.filters.provinces)]
        for _, row in sel.sort_values("code").iterrows():
            pt = row.geometry.representative_point()
            placer.place(pt.x, pt.y, row["label"], fontsize=base - 1.5, color="#8a8a8a", zorder=8,
                         halo=1.6)
    carto.neighbour_labels(ax, countries, placer, cache_key)

    # side panel: notes under the legend (and control cards)
    leg = side.get_legend()
    side_frame = side.get_window_extent(renderer)
    if leg is not None:
        lb = leg.get_window_extent(renderer)
        below = (lb.y0 - side_frame.y0) / side_frame.height - 0.03
    else:
        below = 1.0
    wrap_width = int(side_frame.width / (base * 0.55 * dpi / 72))
    if data.map_name == "control":
        cards = national_cards(data.claims, limit=40)
        n_cards = count_national_cards(data.claims)
        if portrait:
            # legend on the left half, cards on the right half
            draw_cards(side, cards, 1.0, base, int(wrap_width * 0.5), x=0.5, width=0.5, total=n_cards)
            _notes_text(side, data, below, base + 0.5, int(wrap_width * 0.45))
        else:
            floor = None
            if data.notes:
                body = "\n".join(carto.wrap("• " + n, wrap_width) for n in data.notes)
                t = side.text(0.0, 0.0, body, transform=side.transAxes, va="bottom", ha="left", fontsize=base,
                              color=MUTED, linespacing=1.35)
                floor = t.get_window_extent(renderer).y1 + 8
            draw_cards(side, cards, below, base, wrap_width, floor=floor, total=n_cards)
    else:
        _notes_text(side, data, below, base + 0.5, wrap_width)
    for a in (ax, inset):
        if a is not None:
            a.set_xlabel("")
            a.set_ylabel("")
    if data.empty_note:
        ax.text(0.5, 0.5, carto.wrap(data.empty_note, 60), transform=ax.transAxes, ha="center", va="center",
                fontsize=10, color=TEXT, zorder=40,
                bbox=dict(boxstyle="round,pad=0.6", fc="white", ec="#999999", lw=0.8, alpha=0.95))
    fig.text(0.015 if not portrait else 0.03, layout.attrib_y, carto.wrap(attribution(data), layout.wrap),
             fontsize=6.2, color=MUTED, va="bottom", ha="left", linespacing=1.3)
    return fig
