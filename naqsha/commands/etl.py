"""CLI command: ``naqsha etl``: read a folder of articles into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from naqsha.errors import CorpusError



def _console() -> Console:
    """Rich output; wide when piped so tables are not cut to 80 columns."""
    console = Console()
    return console if console.is_terminal else Console(width=160)

def sample_corpus_dir() -> Path:
    """The built-in sample articles shipped inside the package."""
    from importlib.resources import files

    return Path(str(files("naqsha.etl") / "sample_corpus"))


def print_report(report, console: Console) -> None:
    table = Table(title=f"naqsha etl: {report.corpus} -> {report.store}", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (("documents read", report.read), ("parsed", report.parsed),
                         ("reused (unchanged)", report.reused), ("removed from the store", report.removed),
                         ("rejected", len(report.rejects)), ("places", report.places),
                         ("events", report.events), ("claims", report.claims)):
        table.add_row(label, str(value))
    for reason, count in report.reject_counts().items():
        table.add_row(f"  rejected: {reason}", str(count))
    console.print(table)
    if report.full_reparse and report.reused == 0 and report.parsed:
        console.print(f"full re-parse: {report.full_reparse}", highlight=False)
    if report.rejects:
        rejects = Table(title="rejected files", show_header=True)
        rejects.add_column("path", overflow="fold")
        rejects.add_column("reason")
        rejects.add_column("detail", overflow="fold")
        for rej in report.rejects:
            rejects.add_row(rej.path, rej.reason, rej.detail)
        console.print(rejects)
    console.print(f"{report.seconds:.2f} s, store generation {report.generation}", highlight=False)


def etl(
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Folder of articles (.txt .md .html .json .jsonl), read recursively."),
    store: Optional[Path] = typer.Option(None, "--store", help="Store folder (default: NAQSHA_STORE or NAQSHA_HOME/store)."),
    sample: bool = typer.Option(False, "--sample", help="Use the built-in sample articles instead of --corpus."),
    full: bool = typer.Option(False, "--full", help="Re-parse every document, even unchanged ones."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Worker processes (default: up to 2)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Read a folder of articles, find places, events and control claims, and write the store.

    Incremental: unchanged articles are not parsed again and removed ones leave the store.
    Exits 1 when any file was rejected (the rest is still written), 0 otherwise.

    Example: naqsha etl --corpus ~/articles --store ~/naqsha-store
    """
    from naqsha.etl.pipeline import run_etl

    if sample and corpus is not None:
        raise CorpusError("Give either --corpus FOLDER or --sample, not both.")
    if sample:
        corpus = sample_corpus_dir()
    if corpus is None:
        raise CorpusError("Which articles? Pass --corpus FOLDER, or --sample for the built-in sample articles.")
    if Path(corpus).is_dir():  # a bad folder is reported by run_etl, before any download
        from naqsha.etl.boundaries import ensure_boundaries

        ensure_boundaries(progress=progress)
    report = run_etl(corpus, store, progress=progress, workers=workers, full=full)
    print_report(report, _console())
    if report.rejects:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command(name="etl")(etl)
