"""The ``naqsha`` command: thin commands over library functions.

Each command group lives in ``naqsha/commands/<name>.py`` and exposes
``register(app)``. The project's own exceptions become a one-paragraph message on
standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys

import click
import typer
from rich.console import Console

from naqsha.commands import assessments, boundaries, dashboard, etl, export, snapshot
from naqsha.errors import NaqshaError

app = typer.Typer(
    name="naqsha",
    help="Conflict events, negotiation venues and control claims in Afghanistan, by source.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.command()
def version() -> None:
    """Print naqsha's version."""
    from naqsha import __version__

    typer.echo(__version__)


for module in (boundaries, etl, export, dashboard, snapshot, assessments):
    module.register(app)

err_console = Console(stderr=True)


def main(argv: list[str] | None = None) -> int:
    try:
        # with standalone_mode=False click returns a typer.Exit's code instead of raising
        rc = app(args=argv, standalone_mode=False)
        if isinstance(rc, int) and rc:
            return rc
    except NaqshaError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err_console.print("aborted; nothing was changed.")
        return 130
    except KeyboardInterrupt:
        err_console.print("interrupted; the store and cache are as they were before this run.")
        return 130
    except (typer.TyperException, click.ClickException) as exc:
        # usage errors (unknown command, bad option); typer >= 0.20 vendors its own click
        exc.show()
        return exc.exit_code
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
