"""Report-quality map snapshots: one rendering function for ``naqsha snapshot`` and the
dashboard's download button, so the same filters give the same picture.

    from naqsha.dashboard.snapshot import render_snapshot
    png = render_snapshot(StoreReader(), "violence", Filters(), "png", page="A4",
                          orientation="landscape", dpi=200)

Maps (:data:`MAPS`):

- ``violence``: reports of violence where they happened, drawn by precision: a circle for
  a town or city (area proportional to the fatalities reported there), a hatched district
  for an event known only to its district, a dashed province outline for an event known
  only to its province. Events known only to the country are counted in a note.
- ``venues``: where talks were reported to take place, sized by the number of articles;
  venues abroad (Doha, Moscow, Islamabad ...) on a regional panel beside the country map.
- ``control``: control claims. District- and province-level claims as a choropleth by
  who is said to control the place; national claims (most of them) as figure cards, one
  per source and publication day.

Formats (:data:`FORMATS`): ``png``, ``svg`` and ``pdf`` (matplotlib, Agg, page sized) and
``html`` (a self-contained interactive pydeck page that needs no network).

A filter that matches nothing is not an error: the snapshot is the base map with a note
saying that nothing matched and which filters to widen. An unknown map, format, page or
orientation raises :class:`naqsha.errors.SnapshotError`.

Output is deterministic: the same store and arguments give identical SVG/PDF/HTML bytes
and identical PNG pixels (no timestamps, fixed SVG hash salt).
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

# Imported here, not on first render, so that a render's time is the render's (the
# benchmark reports import time separately). geopandas' plotting imports pyplot anyway;
# nothing here selects a pyplot backend: snapshots draw on their own Agg canvas.
import matplotlib.legend  # noqa: F401
import matplotlib.patheffects  # noqa: F401
import matplotlib.pyplot  # noqa: F401
import matplotlib.backends.backend_agg  # noqa: F401
import matplotlib.figure  # noqa: F401

from naqsha.atomic import write_bytes_atomic
from naqsha.errors import SnapshotError
from naqsha.etl import layers as _layers  # noqa: F401  (boundary loading, imported up front)
from naqsha.filters import Filters

from . import cartography as carto
from .snapshot_data import MAPS, SnapshotData, prepare
from .snapshot_html import render_html
from .snapshot_page import draw_page

# The import surface: what the dashboard, the CLI, the tests and the benchmark import from
# here. The work is done in the modules these come from.
from .cartography import (
    AFG_CRS, DISTRICT_EDGE, LAND, MUTED, NEIGHBOURS, PROVINCE_EDGE, TEXT, WATER, fit_bounds,
)
from .snapshot_boundaries import boundary_citation, layer
from .snapshot_control import (
    MAX_CLAIM_LABELS, OTHER_SUBJECT, SUBJECT_COLOURS, claim_phrase, claim_source, count_national_cards,
    local_claims, national_cards,
)
from .snapshot_data import (
    CLAIM_COLUMNS, EVENT_COLUMNS, ROLE_OF_MAP, TITLES, aggregate_places, attribution, map_title,
)
from .snapshot_venues import REGION_DEFAULT, VENUE, region_bounds
from .snapshot_violence import POINT_EDGE, POINT_FACE, VIOLENCE, count_classes

__all__ = [
    # entry points
    "render_snapshot", "write_snapshot", "format_for_path", "download_name", "MIME_TYPES", "MAPS", "FORMATS",
    # what a snapshot shows
    "SnapshotData", "prepare", "map_title", "attribution", "aggregate_places", "TITLES", "ROLE_OF_MAP",
    "EVENT_COLUMNS", "CLAIM_COLUMNS",
    # boundaries and cartography
    "layer", "boundary_citation", "AFG_CRS", "carto", "fit_bounds",
    # the maps
    "count_classes", "region_bounds", "REGION_DEFAULT", "claim_phrase", "claim_source", "national_cards",
    "count_national_cards", "local_claims", "MAX_CLAIM_LABELS",
    # colours
    "VIOLENCE", "VENUE", "POINT_FACE", "POINT_EDGE", "LAND", "NEIGHBOURS", "WATER", "PROVINCE_EDGE",
    "DISTRICT_EDGE", "TEXT", "MUTED", "SUBJECT_COLOURS", "OTHER_SUBJECT",
]


FORMATS = ("png", "svg", "pdf", "html")
_RENDER_LOCK = threading.RLock()


def format_for_path(path: str | Path) -> str:
    """The snapshot format implied by a file name's extension (.png .svg .pdf .html)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "htm":
        suffix = "html"
    if suffix not in FORMATS:
        raise SnapshotError(
            f"cannot tell the snapshot format from {str(path)!r}: give the output file one of "
            f"the extensions {', '.join('.' + f for f in FORMATS)}"
        )
    return suffix


def _check(map_name: str, fmt: str, dpi: int) -> str:
    if map_name not in MAPS:
        raise SnapshotError(f"unknown map {map_name!r}; choose one of: {', '.join(MAPS)}")
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        raise SnapshotError(f"unknown snapshot format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    if not isinstance(dpi, int) or not 50 <= dpi <= 600:
        raise SnapshotError(f"dpi must be a whole number from 50 to 600 (got {dpi!r}); 200 suits print")
    return fmt


def _static(data: SnapshotData, fmt: str, figsize, dpi: int) -> bytes:
    import matplotlib

    # thin hatching reads better in print (read when each hatched artist is made, and when
    # the figure is saved)
    with matplotlib.rc_context({"hatch.linewidth": 0.6}):
        return _save(draw_page(data, figsize, dpi), fmt, dpi)


def _save(fig, fmt: str, dpi: int) -> bytes:
    import matplotlib

    buf = io.BytesIO()
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": "naqsha"},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": "naqsha", "Producer": "naqsha"},
    }[fmt]
    with matplotlib.rc_context({"svg.hashsalt": "naqsha", "svg.fonttype": "none", "pdf.fonttype": 42,
                                "svg.id": "naqsha-snapshot"}):
        extra = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white", **extra)
    return buf.getvalue()


# --------------------------------------------------------------------------- entry points
def render_snapshot(reader, map_name: str, filters: Filters | None = None, fmt: str = "png", page: str = "A4",
                    orientation: str = "landscape", dpi: int = 200) -> bytes:
    """Render one map of the store as a file's bytes.

    ``reader`` is a :class:`naqsha.store.StoreReader`; ``map_name`` one of :data:`MAPS`
    (violence, venues, control); ``filters`` the dashboard's current
    :class:`naqsha.filters.Filters` (default: none); ``fmt`` one of png, svg, pdf, html;
    ``page`` A4 or letter; ``orientation`` landscape or portrait; ``dpi`` (PNG, 50-600).

    A filter that matches nothing gives the base map with a note saying so (not an
    error). Raises SnapshotError for an unknown map/format/page/orientation, StoreMissing
    when there is no store, and the layers module's error when the boundaries have not
    been built (``naqsha boundaries``).
    """
    filters = filters or Filters()
    fmt = _check(map_name, fmt, dpi)
    figsize = carto.page_size(page, orientation)
    data = prepare(reader, map_name, filters)
    if fmt == "html":
        return render_html(data, reader)
    # matplotlib's rcParams are process-global: one static render at a time, so that a
    # dashboard serving several users still gives identical bytes for identical requests
    with _RENDER_LOCK:
        return _static(data, fmt, figsize, dpi)


def write_snapshot(path: str | Path, reader, map_name: str, filters: Filters | None = None, **options) -> Path:
    """Render and write a snapshot; the format comes from the extension of ``path``.
    The file is written whole or not at all."""
    path = Path(path)
    fmt = format_for_path(path)
    return write_bytes_atomic(path, render_snapshot(reader, map_name, filters, fmt, **options))


def download_name(map_name: str, filters: Filters, fmt: str) -> str:
    """A file name for the dashboard's download button: naqsha-violence-AF-KAN-2018-01-01.png"""
    parts = ["naqsha", map_name, *filters.provinces[:3]]
    if filters.date_from:
        parts.append(filters.date_from.isoformat())
    if filters.date_to:
        parts.append("to-" + filters.date_to.isoformat())
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-")
    return f"{safe}.{fmt}"


MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html"}
