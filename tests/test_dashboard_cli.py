"""``naqsha dashboard`` and ``naqsha demo``: the command line around the app."""

from __future__ import annotations

import socket

import pytest

from naqsha.cli import main
from naqsha.commands import dashboard as cmd
from naqsha.errors import NaqshaError
from naqsha.store import StoreReader


def test_streamlit_runs_headless_offline_and_quiet():
    argv = cmd.streamlit_command(8600)
    assert argv[1:4] == ["-m", "streamlit", "run"] and argv[4].endswith("dashboard/server.py")
    flags = dict(zip(argv[5::2], argv[6::2]))
    assert flags["--server.headless"] == "true"
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "8600"
    assert flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.fileWatcherType"] == "none"


def test_the_app_ships_inside_the_package():
    assert cmd.app_path().is_file()


def test_a_busy_port_is_a_clear_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(NaqshaError, match=f"Port {port} .* already in use.*--port {port + 1}"):
            cmd.serve(tmp_path / "store", port)


def test_dashboard_passes_the_store_to_the_app(tmp_path, monkeypatch):
    seen = {}

    class FakePopen:
        def __init__(self, argv, env):
            seen.update(argv=argv, store=env["NAQSHA_STORE"])

        def wait(self):
            return 0

    monkeypatch.setattr(cmd.subprocess, "Popen", FakePopen)
    monkeypatch.setattr(cmd, "port_is_free", lambda port, address="127.0.0.1": True)
    assert main(["dashboard", "--store", str(tmp_path / "s"), "--port", "8611"]) == 0
    assert seen["store"] == str((tmp_path / "s").resolve())
    assert "8611" in seen["argv"]


def test_commands_have_help_with_an_example(capsys):
    for name in ("dashboard", "demo"):
        try:
            main([name, "--help"])
        except SystemExit:
            pass
        out = " ".join(capsys.readouterr().out.split())
        assert "Example: naqsha " + name in out


def test_demo_builds_a_separate_sample_store(geodata, isolated_home, monkeypatch):
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(geodata))
    assert main(["demo", "--no-serve"]) == 0
    demo = StoreReader(isolated_home / "demo-store")
    assert demo.exists() and len(demo.read("documents")) > 0
    assert not StoreReader(isolated_home / "store").exists()  # the user's own store is untouched
