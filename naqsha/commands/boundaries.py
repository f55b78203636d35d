"""CLI commands: boundaries (being built; see the issue that owns it)."""

import typer


def register(app: typer.Typer) -> None:
    pass
