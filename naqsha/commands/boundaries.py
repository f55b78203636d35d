"""CLI: ``naqsha boundaries`` (fetch the pinned sources and build the layers) and
``naqsha boundaries status`` (where each layer came from, checksum, feature count).
The work is done in ``naqsha.etl.boundaries``."""

from __future__ import annotations

from typing import List, Optional

import typer
from rich.console import Console

boundaries_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)


@boundaries_app.callback(invoke_without_command=True)
def boundaries(
    ctx: typer.Context,
    accept_new: Optional[List[str]] = typer.Option(
        None,
        "--accept-new",
        metavar="LAYER",
        help="Accept a source file whose SHA-256 differs from the manifest (a new release "
        "you checked). Repeat for several layers: outline, provinces, districts, countries.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Fetch the boundary files (or copy them from NAQSHA_GEODATA_MIRROR), verify their
    checksums and build provinces, districts, countries and the outline in the geodata
    cache. `naqsha boundaries status` shows what was built."""
    if ctx.invoked_subcommand is not None:
        return
    from naqsha.etl.boundaries import build_boundaries

    state = build_boundaries(accept_new=accept_new or (), progress=not quiet)
    console = Console()
    console.print(f"Built the boundary layers in {state['build_seconds']:.1f} s.")
    _print_status(console, state, show_notes=False)


@boundaries_app.command("status")
def status_command() -> None:
    """For each layer: where it came from, whether its checksum matched, its features.

    Example: naqsha boundaries status"""
    from naqsha.etl.boundaries import status

    _print_status(Console(), status(), show_notes=True)


def _print_status(console: Console, state: dict, show_notes: bool) -> None:
    """One line per layer (no table: long paths stay whole and greppable)."""
    console.print(f"[bold]boundary layers[/] in {state.get('cache', 'the geodata cache')}", highlight=False)
    for name, rec in state["layers"].items():
        count = rec.get("features_on_disk", rec["features"])
        features = f"{count} {name}" if count is not None else "[red]layer file missing[/]"
        source, pinned = rec.get("source_features"), rec.get("pinned_source_features")
        if source is not None and source != count:
            features += f" (of {source} in the source)"
        if pinned is not None and source is not None and source != pinned:
            features += f" [yellow](the pinned release has {pinned})[/]"
        check = "matched" if rec["checksum"] == "matched" else f"[yellow]{rec['checksum']}[/]"
        console.print(
            f"  [bold]{name:<10}[/] {features}; checksum {check} (sha256 {rec['sha256'][:12]}…); "
            f"from {rec['origin']}",
            highlight=False,
            soft_wrap=True,
        )
        if show_notes:
            for note in rec.get("notes", []):
                console.print(f"      {note}", style="dim", highlight=False, soft_wrap=True)
    if show_notes:
        console.print(f"built {state['built_at']} in {state['build_seconds']} s", highlight=False)
    console.print(state["citation"], style="dim", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(boundaries_app, name="boundaries")
