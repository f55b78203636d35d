"""CLI command: ``naqsha snapshot``, a report-quality map of the store (issue 6).

The command is thin: it turns options into :class:`naqsha.filters.Filters` and calls
:func:`naqsha.dashboard.snapshot.write_snapshot`, the same function the dashboard's
download button uses.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from naqsha.errors import SnapshotError


def _day(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SnapshotError(f"{flag} {value!r} is not a date; write it as YYYY-MM-DD, e.g. {flag} 2018-11-01") from None


def _write_compare(out: Path, reader, source_a: str | None, source_b: str | None, filters, **options) -> Path:
    """The assessment comparison (issue 7) drawn by its own renderer, written like the other maps."""
    from naqsha.atomic import write_bytes_atomic
    from naqsha.dashboard.compare import render_compare_snapshot

    if not source_a or not source_b:
        raise SnapshotError("--map compare needs two assessments: --a SOURCE --b SOURCE "
                            "(`naqsha assessments list` shows what the store holds)")
    fmt = out.suffix.lower().lstrip(".")
    return write_bytes_atomic(out, render_compare_snapshot(reader, source_a, source_b, filters, fmt, **options))


def register(app: typer.Typer) -> None:
    @app.command()
    def snapshot(
        map_name: str = typer.Option(..., "--map", help="violence, venues, control, or compare (two assessments: --a, --b)"),
        out: Path = typer.Option(..., "--out", help="output file; its extension picks the format: .png .svg .pdf .html"),
        source: list[str] = typer.Option([], "--source", help="only articles from this outlet (repeatable)"),
        cited: list[str] = typer.Option([], "--cited", help="only claims citing this source (repeatable; control map)"),
        role: list[str] = typer.Option([], "--role", help="violence, negotiation or control (repeatable)"),
        date_from: str = typer.Option(None, "--from", help="first day, YYYY-MM-DD (event day, else publication day)"),
        date_to: str = typer.Option(None, "--to", help="last day, YYYY-MM-DD"),
        province: list[str] = typer.Option([], "--province", help="ISO 3166-2 code such as AF-GHA (repeatable); zooms the map"),
        page: str = typer.Option("A4", "--page", help="A4 or letter"),
        orientation: str = typer.Option("landscape", "--orientation", help="landscape or portrait"),
        dpi: int = typer.Option(200, "--dpi", help="resolution of a PNG (200 suits print; 50-600)"),
        store: Path = typer.Option(None, "--store", help="store folder (default: NAQSHA_STORE or NAQSHA_HOME/store)"),
        source_a: str = typer.Option(None, "--a", help="compare map: assessment A ('Source · YYYY-MM-DD' or a source name)"),
        source_b: str = typer.Option(None, "--b", help="compare map: assessment B"),
    ) -> None:
        """Write a map of the store as PNG, SVG, PDF or a self-contained HTML page.

        The map shows exactly what the dashboard shows for the same filters, with a title,
        the filters and date range, a legend, province boundaries, a scale bar, a regional
        panel for venues abroad and the sources. A filter that matches nothing still writes
        the base map, with a note saying nothing matched.

        Examples:

            naqsha snapshot --map violence --out violence.png

            naqsha snapshot --map venues --from 2018-01-01 --to 2020-12-31 --out venues.pdf

            naqsha snapshot --map control --cited "Resolute Support" --page letter --orientation portrait --out control.svg

            naqsha snapshot --map violence --province AF-GHA --out ghazni.html

            naqsha snapshot --map compare --a "Resolute Support" --b "Long War Journal" --out compare.pdf
        """
        from naqsha.dashboard.snapshot import format_for_path, write_snapshot
        from naqsha.filters import Filters
        from naqsha.store import StoreReader

        if map_name not in ("violence", "venues", "control", "compare"):
            raise SnapshotError(f"unknown map {map_name!r}; choose one of: violence, venues, control, compare")
        format_for_path(out)  # fail on a bad extension before reading anything
        filters = Filters(
            outlets=tuple(source), cited=tuple(cited), roles=tuple(role),
            date_from=_day(date_from, "--from"), date_to=_day(date_to, "--to"),
            provinces=tuple(p.upper() for p in province),
        )
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            raise SnapshotError(f"--from {filters.date_from} is after --to {filters.date_to}; swap them")
        if map_name == "compare":
            path = _write_compare(out, StoreReader(store), source_a, source_b, filters, page=page,
                                  orientation=orientation, dpi=dpi)
        else:
            path = write_snapshot(out, StoreReader(store), map_name, filters, page=page, orientation=orientation, dpi=dpi)
        typer.echo(f"wrote {path} ({path.stat().st_size:,} bytes): {map_name} map, {filters.describe()}")
