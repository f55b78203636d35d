"""CLI: ``naqsha assessments import|import-national|list|corroborate|snapshot``.

The work is done in ``naqsha.etl.assessments`` (import, all or nothing),
``naqsha.etl.reconcile`` (names) and ``naqsha.etl.corroborate`` (claims vs assessments).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

assessments_app = typer.Typer(
    help="Import control assessments (district, province or national), list them, and "
    "corroborate the control claims found in articles.",
    no_args_is_help=True,
)

STORE_OPTION = typer.Option(None, "--store", help="Store folder (default: NAQSHA_STORE or NAQSHA_HOME/store).")


@assessments_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="CSV or XLSX: category, district and/or province, optional level, population, notes."),
    source: str = typer.Option(..., "--source", help="Who made the assessment, e.g. 'Resolute Support'."),
    as_of: str = typer.Option(..., "--as-of", help="The date the assessment describes (YYYY-MM-DD)."),
    scheme: Optional[str] = typer.Option(
        None, "--scheme", help="rs (Resolute Support, 5 categories), lwj (Long War Journal, 4) or a scheme "
        "file (CSV label,category_common or YAML). Default: the built-in scheme that knows every label."),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="The file's encoding when it is not UTF-8 (e.g. cp1252, cp1256)."),
    strict: bool = typer.Option(False, "--strict", help="Treat rows whose place cannot be matched as errors."),
    threshold: float = typer.Option(80.0, "--threshold", help="Fuzzy name-matching threshold (0-100)."),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Import one assessment file, all or nothing.

    Every row is matched to our districts or provinces, or listed as unmatched with
    suggestions; any bad row aborts the import and nothing is written.

    Example: naqsha assessments import rs_2018-07.csv --source "Resolute Support" --as-of 2018-07-31 --scheme rs"""
    from naqsha.etl.assessments import import_assessments
    from naqsha.etl.reconcile import default_reconciler

    report = import_assessments(file, source, as_of, scheme=scheme, store_root=store,
                                reconciler=default_reconciler(threshold), encoding=encoding, strict=strict)
    for line in report.lines():
        typer.echo(line)


@assessments_app.command("import-national")
def import_national_command(
    file: Path = typer.Argument(..., help="A national series: assessor, reported_in, as_of, districts_total, "
                                "government_districts, contested_districts, insurgent_districts, "
                                "government_population_pct, categories, verified."),
    encoding: Optional[str] = typer.Option(None, "--encoding"),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Import national district-control figures (the reference-series format).

    Rows of the same assessor and date are replaced. The format is documented in
    docs/ASSESSMENTS.md and naqsha.etl.assessments.

    Example: naqsha assessments import-national national_control_assessments.csv"""
    from naqsha.etl.assessments import import_national

    stored, replaced = import_national(file, store, encoding=encoding)
    typer.echo(f"imported {file.name}: {stored} national assessment(s)"
               + (f", replacing {replaced} of the same assessor and date" if replaced else ""))


@assessments_app.command("list")
def list_command(
    unmatched: bool = typer.Option(False, "--unmatched", help="List the rows whose place was not matched."),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """The assessments in the store: per source and date, rows matched by each method.

    Example: naqsha assessments list --unmatched"""
    from naqsha.dashboard.compare import assessment_summary, national_table
    from naqsha.store import StoreReader

    reader = StoreReader(store)
    summary = assessment_summary(reader)
    national = national_table(reader)
    if summary.empty and national.empty:
        typer.echo("no assessments in the store; add some with `naqsha assessments import FILE --source NAME "
                   "--as-of DATE` or `naqsha assessments import-national FILE`.")
        return
    for row in summary.itertuples(index=False):
        typer.echo(f"{row.source} | as of {row.as_of} | scheme {row.scheme} | {row.rows} rows: {row.how}")
    for row in national.itertuples(index=False):
        typer.echo(f"{row.assessor} | as of {row.as_of} | national: {row.figures}")
    if unmatched:
        table = reader.read("assessments")
        bad = table[table["match_how"] == "unmatched"]
        typer.echo(f"{len(bad)} unmatched row(s):")
        for r in bad.itertuples(index=False):
            typer.echo(f"  {r.source} {r.as_of} {r.file} row {r.row}: {r.name_original!r} "
                       f"({r.province_original or 'no province'}) {r.match_detail}")


@assessments_app.command("corroborate")
def corroborate_command(
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Check the control claims found in articles against national assessments.

    Each numeric claim is compared with the nearest assessment published by the
    article's date, with the difference in points.

    Example: naqsha assessments corroborate --store ~/naqsha-store"""
    from naqsha.etl.corroborate import corroborate_store

    result = corroborate_store(store)
    if result.empty:
        typer.echo("no numeric national control claims in the store to corroborate (run `naqsha etl` on "
                   "articles first), or no national assessments (`naqsha assessments import-national FILE`).")
        return
    for line in result["line"]:
        typer.echo(line)


@assessments_app.command("snapshot")
def snapshot_command(
    source_a: str = typer.Option(..., "--a", help="Source A: 'Source · YYYY-MM-DD' as listed, or a source name (its latest date)."),
    source_b: str = typer.Option(..., "--b", help="Source B, likewise."),
    out: Path = typer.Option(..., "--out", help="Output file: .png, .svg, .pdf or .html (offline pydeck page)."),
    province: Optional[list[str]] = typer.Option(None, "--province", help="ISO 3166-2 code (AF-HEL); repeat for several."),
    page: str = typer.Option("A4", "--page", help="A4 or letter."),
    orientation: str = typer.Option("landscape", "--orientation", help="landscape or portrait."),
    dpi: int = typer.Option(200, "--dpi", help="PNG resolution (50-600)."),
    store: Optional[Path] = STORE_OPTION,
) -> None:
    """Write a static comparison of two assessments (PNG, SVG, PDF or HTML).

    Both choropleths and the divergence map; the dashboard's compare tab downloads the
    same picture.

    Example: naqsha assessments snapshot --a "Resolute Support" --b "Long War Journal" --out compare.pdf"""
    from naqsha.atomic import write_bytes_atomic
    from naqsha.dashboard.compare import COMPARE_FORMATS, render_compare_snapshot
    from naqsha.errors import SnapshotError
    from naqsha.filters import Filters
    from naqsha.store import StoreReader

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in COMPARE_FORMATS:
        raise SnapshotError(f"cannot tell the format from {str(out)!r}; use .png, .svg, .pdf or .html")
    payload = render_compare_snapshot(StoreReader(store), source_a, source_b, Filters(provinces=tuple(province or ())),
                                      fmt, page=page, orientation=orientation, dpi=dpi)
    write_bytes_atomic(out, payload)
    typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(assessments_app, name="assessments")
