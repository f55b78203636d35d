"""Every command a user can type explains itself: --help works and shows an example."""

import click
import pytest
import typer

from naqsha.cli import app, main


def _commands(group: click.Command, prefix=()):
    for name, cmd in getattr(group, "commands", {}).items():
        yield prefix + (name,), cmd
        yield from _commands(cmd, prefix + (name,))


COMMANDS = sorted(_commands(typer.main.get_command(app)), key=lambda item: item[0])


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_every_command_has_help(path, capsys):
    assert main([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage" in out and len(out.strip().splitlines()) > 3


@pytest.mark.parametrize(
    "path", [p for p, c in COMMANDS if not getattr(c, "commands", None) and p != ("version",)], ids=" ".join
)
def test_every_leaf_command_shows_an_example(path):
    cmd = dict(COMMANDS)[path]
    assert "naqsha " in (cmd.help or ""), f"`naqsha {' '.join(path)} --help` has no example"


def test_unknown_command_is_a_usage_error_not_a_traceback(capsys):
    assert main(["no-such-command"]) == 2
    assert "No such command" in capsys.readouterr().err
