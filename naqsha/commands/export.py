"""CLI commands: ``naqsha export`` and ``naqsha evaluate``."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table



def _console() -> Console:
    """Rich output; wide when piped so tables are not cut to 80 columns."""
    console = Console()
    return console if console.is_terminal else Console(width=160)

def export(
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl (the export contract), geojson, csv or geoparquet."),
    store: Optional[Path] = typer.Option(None, "--store", help="Store folder (default: NAQSHA_STORE or NAQSHA_HOME/store)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Output file (default: standard output; required for geoparquet)."),
    table: Optional[str] = typer.Option(None, "--table", help="csv/geoparquet: places (default), events, claims, mentions, documents, rejects; geojson: places or events (default both)."),
) -> None:
    """Export what the ETL found.

    jsonl: one line per (document, place) with roles and mentions, and one per control claim.

    Example: naqsha export --format jsonl --out places.jsonl
    """
    from naqsha.etl.export import export as run_export

    count = run_export(fmt, store=store, out=out, table=table)
    if out is not None:
        Console(stderr=True).print(f"wrote {count} records to {out}", highlight=False)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_evaluation(result, console: Console, details: bool = True) -> None:
    table = Table(title="evaluation", show_header=True)
    for col in ("document", "place P", "place R", "place F1", "role P", "role R", "role F1",
                "claim P", "claim R", "attribution"):
        table.add_column(col, justify="right" if col != "document" else "left")

    def row(name, s):
        sm = s.summary()
        p, r, c = sm["places"], sm["place_roles"], sm["claims"]
        table.add_row(name, _fmt(p["precision"]), _fmt(p["recall"]), _fmt(p["f1"]), _fmt(r["precision"]),
                      _fmt(r["recall"]), _fmt(r["f1"]), _fmt(c["precision"]), _fmt(c["recall"]),
                      _fmt(sm["attribution_accuracy"]))

    for doc_id, s in result.docs.items():
        row(doc_id, s)
    row("TOTAL", result.total)
    console.print(table)
    if not details:
        return
    for doc_id, s in result.docs.items():
        lines = []
        for label, items in (("missed place", s.place_misses), ("false place", s.place_false_positives),
                             ("missed role", s.role_misses), ("false role", s.role_false_positives),
                             ("missed claim", s.claim_misses), ("false claim", s.claim_false_positives),
                             ("wrong attribution", s.attribution_errors)):
            lines.extend(f"  {label}: {item}" for item in items)
        if lines:
            console.print(f"[bold]{doc_id}[/]")
            for line in lines:
                console.print(line, highlight=False, markup=False)
    if result.unscored_docs:
        console.print(f"{len(result.unscored_docs)} exported documents are not in the gold file (not scored).",
                      highlight=False)


def evaluate(
    gold: Path = typer.Option(..., "--gold", help="Gold annotations (format: eval/README.md)."),
    store: Optional[Path] = typer.Option(None, "--store", help="Store to score (default: the store setting)."),
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Run the ETL on this folder into a temporary store and score that."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Score the store's places, roles and control claims against a gold file.

    Example: naqsha evaluate --gold seeds_gold.json --corpus seeds/
    """
    from naqsha.etl.evaluate import load_gold, score
    from naqsha.etl.export import jsonl_records
    from naqsha.store import StoreReader

    gold_data = load_gold(gold)
    with tempfile.TemporaryDirectory(prefix="naqsha-eval-") as tmp:
        if corpus is not None:
            from naqsha.etl.boundaries import ensure_boundaries
            from naqsha.etl.pipeline import run_etl

            if Path(corpus).is_dir():
                ensure_boundaries(progress=False)
            run_etl(corpus, Path(tmp) / "store", progress=False)
            store = Path(tmp) / "store"
        reader = StoreReader(store)
        docs = reader.read("documents", columns=["doc_id", "text"])
        texts = dict(zip(docs["doc_id"], docs["text"]))
        result = score(list(jsonl_records(reader)), gold_data, texts)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        print_evaluation(result, _console())


def register(app: typer.Typer) -> None:
    app.command(name="export")(export)
    app.command(name="evaluate")(evaluate)
