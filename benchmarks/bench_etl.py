"""Benchmark of ``naqsha etl``: throughput and peak memory, from scratch and incremental.

The corpus is the seed articles replicated to N documents (5,000 by default), each copy
varied slightly (a numbered closing line and a swapped word) so that every content hash
differs. Each measured run is a fresh ``python`` process running ``run_etl``; its peak
memory is the largest summed RSS of that process and its workers (polled with psutil),
cross-checked with ``ru_maxrss``, and of summed PSS (shared pages counted once). Several runs, median reported; the machine is shared,
so the numbers are noisy.

    .venv/bin/python benchmarks/bench_etl.py                       # 5,000 docs, 3 runs each
    .venv/bin/python benchmarks/bench_etl.py --docs 1000 --runs 1
    .venv/bin/python benchmarks/bench_etl.py --profile 300          # time per stage, in-process

Goals (issue 3): >= 300 docs/s from scratch, peak memory < 500 MB, incremental with
nothing changed < 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = REPO.parent / "shared" / "corpus" / "seeds"

_RUNNER = """
import json, sys, time
from naqsha.etl import pipeline
from naqsha.etl.pipeline import run_etl
if len(sys.argv) > 4:  # pinned: others editing a shared tree must not force a full re-parse
    pipeline.parser_version = lambda: sys.argv[4]
t = time.perf_counter()
r = run_etl(sys.argv[1], sys.argv[2], progress=False, workers=int(sys.argv[3]) if sys.argv[3] != '-' else None)
print(json.dumps({"seconds": time.perf_counter() - t, "read": r.read, "parsed": r.parsed, "reused": r.reused,
                  "rejected": len(r.rejects), "places": r.places, "events": r.events, "claims": r.claims,
                  "workers": r.workers}))
"""


def seed_texts(folder: Path) -> list[str]:
    from naqsha.etl.corpus import read_corpus

    articles, _ = read_corpus(folder)
    if not articles:
        raise SystemExit(f"no articles in {folder}")
    return [a.text for a in articles]


def build_corpus(texts: list[str], n: int, dest: Path) -> int:
    """Write ``n`` varied copies; returns the number of words."""
    dest.mkdir(parents=True, exist_ok=True)
    words = 0
    swaps = [("the ", "The "), (" said", " stated"), (" and ", " & "), ("  ", " ")]
    for i in range(n):
        text = texts[i % len(texts)]
        old, new = swaps[(i // len(texts)) % len(swaps)]
        text = text.replace(old, new, 1) + f"\n\nCopy {i} of the benchmark corpus."
        (dest / f"doc{i:05d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def _tree_memory(proc) -> tuple[int, int]:
    """(summed RSS, summed PSS) of a process and its children. RSS double-counts the
    pages forked workers share with their parent (the gazetteer); PSS shares them out."""
    import psutil

    rss = pss = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0, 0
    for p in procs:
        try:
            info = p.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        except psutil.Error:
            pass
    return rss, pss


def measured_run(corpus: Path, store: Path, workers: str, version: str = "") -> dict:
    import psutil

    env = dict(os.environ)
    argv = [sys.executable, "-c", _RUNNER, str(corpus), str(store), workers] + ([version] if version else [])
    proc = subprocess.Popen(argv,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    ps = psutil.Process(proc.pid)
    peak = peak_pss = 0
    stop = threading.Event()

    def poll():
        nonlocal peak, peak_pss
        while not stop.is_set():
            rss, pss = _tree_memory(ps)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.1)

    t = threading.Thread(target=poll, daemon=True)
    t0 = time.perf_counter()
    t.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"etl run failed ({proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    result["wall"] = wall
    result["peak_mb"] = peak / 1e6
    result["peak_pss_mb"] = peak_pss / 1e6
    result["maxrss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def profile(texts: list[str], n: int) -> dict:
    """Time each stage in-process on ``n`` documents (one worker)."""
    from naqsha.etl import pipeline
    from naqsha.etl.corpus import read_corpus

    with tempfile.TemporaryDirectory() as tmp:
        build_corpus(texts, n, Path(tmp) / "c")
        t = time.perf_counter()
        articles, _ = read_corpus(Path(tmp) / "c")
        timings = {"read": time.perf_counter() - t}
        load, geoparse, events, claims = pipeline._stages()
        t = time.perf_counter()
        gaz = load()
        timings["load_gazetteer"] = time.perf_counter() - t
        for name in ("geoparse", "extract_events", "extract_claims", "rows"):
            timings[name] = 0.0
        for a in articles:
            t = time.perf_counter()
            geo = geoparse(a, gaz)
            t1 = time.perf_counter()
            events(a, geo)
            t2 = time.perf_counter()
            claims(a, geo)
            t3 = time.perf_counter()
            timings["geoparse"] += t1 - t
            timings["extract_events"] += t2 - t1
            timings["extract_claims"] += t3 - t2
        t = time.perf_counter()
        for a in articles:
            pipeline.extract_rows(a, gaz)
        timings["rows (all stages again + row building)"] = time.perf_counter() - t
        t = time.perf_counter()
        pipeline.run_etl(Path(tmp) / "c", Path(tmp) / "s", progress=False, workers=1)
        timings["full run_etl (1 worker)"] = time.perf_counter() - t
    timings.pop("rows")
    return {k: round(v, 3) for k, v in timings.items()} | {"docs": n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                    help="folder of articles to replicate (default ../shared/corpus/seeds, else the sample corpus)")
    ap.add_argument("--workers", default="-", help="worker processes (default: the pipeline's choice)")
    ap.add_argument("--profile", type=int, default=0, help="time each stage in-process on this many docs")
    args = ap.parse_args()
    seeds = args.seeds
    if not seeds.is_dir():
        seeds = REPO / "etl" / "sample_corpus"
    texts = seed_texts(seeds)
    if args.profile:
        print(json.dumps(profile(texts, args.profile), indent=2))
        return
    tmp = Path(tempfile.mkdtemp(prefix="naqsha-bench-"))
    try:
        corpus = tmp / "corpus"
        words = build_corpus(texts, args.docs, corpus)
        from naqsha.etl.pipeline import parser_version

        version = parser_version()  # pinned for every run of this benchmark
        scratch, incremental = [], []
        for i in range(args.runs):
            store = tmp / f"store{i}"
            scratch.append(measured_run(corpus, store, args.workers, version))
            incremental.append(measured_run(corpus, store, args.workers, version))
            shutil.rmtree(store, ignore_errors=True)
        med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
        s_sec = med(scratch, "seconds")
        report = {
            "docs": args.docs, "words": words, "runs": args.runs, "seeds": str(seeds),
            "from_scratch": {
                "seconds_median": round(s_sec, 2), "docs_per_s": round(args.docs / s_sec, 1),
                "words_per_s": round(words / s_sec), "wall_incl_startup_median": round(med(scratch, "wall"), 2),
                "peak_mb_median": round(med(scratch, "peak_mb"), 1),
                "peak_mb_max": round(max(r["peak_mb"] for r in scratch), 1),
                "peak_pss_mb_median": round(med(scratch, "peak_pss_mb"), 1), "workers": scratch[0]["workers"],
                "places": scratch[0]["places"], "events": scratch[0]["events"], "claims": scratch[0]["claims"],
            },
            "incremental_nothing_changed": {
                "seconds_median": round(med(incremental, "seconds"), 2),
                "wall_incl_startup_median": round(med(incremental, "wall"), 2),
                "peak_mb_median": round(med(incremental, "peak_mb"), 1),
                "reused": incremental[0]["reused"], "parsed": incremental[0]["parsed"],
            },
            "max_single_process_rss_mb": round(max(r["maxrss_children_mb"] for r in scratch + incremental), 1),
            "goals": {"docs_per_s >= 300": args.docs / s_sec >= 300,
                      "peak < 500 MB (PSS)": max(r["peak_pss_mb"] for r in scratch + incremental) < 500,
                      "peak < 500 MB (summed RSS)": max(r["peak_mb"] for r in scratch + incremental) < 500,
                      "incremental < 2 s": med(incremental, "seconds") < 2},
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
