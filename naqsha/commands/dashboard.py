"""CLI commands: ``naqsha dashboard`` (serve the Streamlit app on a store) and
``naqsha demo`` (boundaries + the built-in sample store + the dashboard, for a fresh
machine). The app is ``naqsha/dashboard/app.py``; it only reads the store."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from naqsha.errors import NaqshaError

DEFAULT_PORT = 8501


def app_path() -> Path:
    """The Streamlit script shipped inside the package."""
    from importlib.resources import files

    return Path(str(files("naqsha.dashboard") / "app.py"))


def server_path() -> Path:
    """The server around the script: serves the maps' data and warms the caches at start
    (``naqsha/dashboard/server.py``)."""
    return app_path().with_name("server.py")


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """``streamlit run`` on the server, with the flags that keep it offline and quiet (no
    usage stats, no file watcher, no browser launch, no developer menu)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(server_path()),
        "--server.headless", "true",
        "--server.address", address,
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",
        "--theme.base", "light",
    ]


def port_is_free(port: int, address: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def serve(store: Path, port: int = DEFAULT_PORT, address: str = "127.0.0.1", console: Console | None = None) -> int:
    """Run the dashboard on ``store`` until Ctrl-C; returns streamlit's exit code."""
    console = console or Console()
    if not port_is_free(port, address):
        raise NaqshaError(
            f"Port {port} on {address} is already in use (another dashboard?). Stop it, or pick "
            f"another port: `naqsha dashboard --port {port + 1}`."
        )
    env = dict(os.environ, NAQSHA_STORE=str(store))
    host = "localhost" if address in ("127.0.0.1", "0.0.0.0") else address
    console.print(f"naqsha dashboard on [bold]http://{host}:{port}[/] (store: {store}). Ctrl-C stops it.",
                  highlight=False)
    proc = subprocess.Popen(streamlit_command(port, address), env=env)

    def _stop(signum, frame):  # `kill` / a container stop ends streamlit too
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        console.print("dashboard stopped.")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _store_path(store: Optional[Path]) -> Path:
    from naqsha.settings import get_settings

    return Path(store).expanduser().resolve() if store else get_settings().store


def dashboard(
    store: Optional[Path] = typer.Option(None, "--store", help="Store folder (default: NAQSHA_STORE or NAQSHA_HOME/store)."),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="Port to serve on."),
    address: str = typer.Option("127.0.0.1", "--address", help="Interface to listen on (0.0.0.0 inside a container)."),
) -> None:
    """Open the dashboard on a store: maps of violence reports, negotiation venues and
    control claims, by source, with the evidence behind each. Works offline.

    Example: naqsha dashboard --store ~/naqsha-store --port 8502
    """
    from naqsha.store import StoreReader

    root = _store_path(store)
    if not StoreReader(root).exists():
        Console(stderr=True).print(
            f"note: no store at {root} yet; the page will say how to build one "
            "(`naqsha demo` for the sample, `naqsha etl --corpus FOLDER` for your articles).",
            highlight=False)
    code = serve(root, port, address)
    if code:
        raise typer.Exit(code)


def demo_store_path() -> Path:
    """The sample store lives apart from the user's own store, which it must not replace."""
    from naqsha.settings import get_settings

    return get_settings().home / "demo-store"


def demo(
    store: Optional[Path] = typer.Option(None, "--store", help="Where to build the sample store (default: NAQSHA_HOME/demo-store, never your own store)."),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="Port to serve on."),
    serve_it: bool = typer.Option(True, "--serve/--no-serve", help="Open the dashboard afterwards (--no-serve only builds)."),
) -> None:
    """First run on a fresh machine: build the boundary layers, build a store from the
    built-in sample articles, and open the dashboard on it.

    Example: naqsha demo
    """
    from naqsha.commands.etl import print_report, sample_corpus_dir
    from naqsha.etl.boundaries import ensure_boundaries
    from naqsha.etl.pipeline import run_etl

    console = Console()
    console.print("1/3 boundary layers …", highlight=False)
    ensure_boundaries(progress=True)
    root = Path(store).expanduser().resolve() if store else demo_store_path()
    console.print(f"2/3 sample store in {root} …", highlight=False)
    report = run_etl(sample_corpus_dir(), root, progress=True)
    print_report(report, console)
    if not serve_it:
        console.print(f"Open it with: naqsha dashboard --store {root}", highlight=False)
        return
    console.print("3/3 dashboard …", highlight=False)
    code = serve(root, port, console=console)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command(name="dashboard")(dashboard)
    app.command(name="demo")(demo)
