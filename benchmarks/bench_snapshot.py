"""Benchmark (issue 6): a PNG snapshot in under 2 s, including loading the store.

    .venv/bin/python benchmarks/bench_snapshot.py [--events 100000] [--runs 5] [--map violence]

Builds (once, in a temporary folder) the boundary cache from NAQSHA_GEODATA_MIRROR (default
../shared/geodata) and a synthetic store (tests/factories.py, invented rows, never data),
then, in a fresh Python process per run so nothing is cached:

- ``import``: importing naqsha's snapshot module with matplotlib and geopandas;
- ``cold``: opening the store, reading and filtering it, loading the boundary layers and
  rendering an A4 landscape PNG at 200 dpi (what ``naqsha snapshot`` does after imports);
- ``warm``: the same render again in that process (the dashboard's button: layers cached).

Prints each run and the medians (wall time, and the CPU time of the cold render, which a
busy shared machine inflates less). The goal is ``cold`` under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import matplotlib
matplotlib.use("Agg")
import geopandas
from naqsha.dashboard.snapshot import render_snapshot
from naqsha.filters import Filters
from naqsha.store import StoreReader
t1 = time.perf_counter()
c1 = time.process_time()
png = render_snapshot(StoreReader(sys.argv[1]), sys.argv[2], Filters(), "png", "A4", "landscape", 200)
t2 = time.perf_counter()
c2 = time.process_time()
png2 = render_snapshot(StoreReader(sys.argv[1]), sys.argv[2], Filters(), "png", "A4", "landscape", 200)
t3 = time.perf_counter()
assert png == png2
print(json.dumps({"import": t1 - t0, "cold": t2 - t1, "cold_cpu": c2 - c1, "warm": t3 - t2, "bytes": len(png)}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--map", default="violence", choices=["violence", "venues", "control"])
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="naqsha-bench-snapshot-"))
    env = dict(os.environ, NAQSHA_HOME=str(work / "home"), NAQSHA_GEODATA_CACHE=str(work / "geodata"))
    env.setdefault("NAQSHA_GEODATA_MIRROR", str(REPO.parent / "shared" / "geodata"))
    os.environ.update(env)

    sys.path.insert(0, str(REPO / "tests"))
    import factories
    from naqsha.etl.boundaries import build_boundaries
    from naqsha.etl.layers import load_layer

    build_boundaries(cache=work / "geodata", mirror=Path(env["NAQSHA_GEODATA_MIRROR"]), offline=True,
                     progress=False)
    store = work / "store"
    factories.big_store(store, load_layer("districts"), load_layer("provinces"), n_events=args.events)
    print(f"store: {args.events:,} synthetic events at {store}; map {args.map}; A4 landscape PNG, 200 dpi")

    results = []
    for i in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD, str(store), args.map], env=env, check=True,
                             capture_output=True, text=True, cwd=REPO)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"run {i + 1}: import {r['import']:.2f} s, cold render {r['cold']:.2f} s "
              f"(CPU {r['cold_cpu']:.2f} s), "
              f"warm render {r['warm']:.2f} s ({r['bytes']:,} bytes)")
    med = {k: statistics.median(r[k] for r in results) for k in ("import", "cold", "cold_cpu", "warm")}
    verdict = "PASS" if med["cold"] < 2.0 else "FAIL"
    print(f"median: import {med['import']:.2f} s; cold render incl. store load {med['cold']:.2f} s "
          f"[{verdict}, goal < 2 s] (CPU {med['cold_cpu']:.2f} s; best {min(r['cold'] for r in results):.2f} s); "
          f"warm render {med['warm']:.2f} s")
    try:
        print(f"load average during the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
