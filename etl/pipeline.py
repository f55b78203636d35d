"""The ETL run: read the corpus, geoparse, extract events and claims, write the store.

``run_etl(corpus_dir, store_root)`` is incremental. Each document carries a content hash
(text and metadata); a document whose hash is unchanged since the last run is not parsed
again and its rows are carried over from the previous store, a document that left the
corpus leaves the store, and the tables come out sorted the same way whichever path a
row took, so an incremental run equals a run from scratch. The store's ``parser_version``
(a fingerprint of the extraction code, the reviewed geodata tables and the boundary
cache) changes whenever extraction could give other answers; a store written with
another version is re-parsed in full. A file whose size, modification time and sidecar
are unchanged since the last run (and older than that run, so a change within the file
system's clock resolution cannot hide) is not even read again: its documents are carried
over from the store (``meta.json`` keeps these file signatures).

Rows travel as small Arrow tables per chunk of documents (not Python dicts), the worker
pool is forked after the gazetteer is loaded (shared pages, ``gc.freeze``), and the
articles' texts are freed before the tables are assembled: the memory peak stays near
the size of the store itself.

Everything is written in one generation through :func:`naqsha.store.write_tables`, so an
error that stops the run (or Ctrl-C) leaves the previous store as it was. An article
whose extraction raises is a reject (``parse_error``), not a stopped run.
"""

from __future__ import annotations

import bisect
import gc
import hashlib
import importlib.util
import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from naqsha import schema
from naqsha.etl.corpus import scan_corpus
from naqsha.etl.records import Article, Claim, Event, GeoparseResult, Mention, Place, Reject, Sentence
from naqsha.store import StoreReader, to_arrow, write_tables
from naqsha.settings import get_settings

#: Modules of ``naqsha.etl`` whose code does not decide what extraction returns; every
#: other module there (geoparser, gazetteer, roles, claims, dates, ...) is fingerprinted,
#: so a new extraction module is covered without a list to keep up to date. (Reader
#: changes show in the content hashes; boundary changes in the boundary cache.)
NOT_EXTRACTION = {"__init__", "corpus", "export", "evaluate", "assessments", "schemes", "reconcile",
                  "corroborate", "boundaries", "layers"}
#: Below this many documents to parse, a worker pool costs more than it saves.
PARALLEL_MIN_DOCS = 200
ROW_TABLES = ("mentions", "places", "events", "claims")
_SORT_KEYS = {
    "documents": ["doc_id"],
    "mentions": ["doc_id", "start", "end", "place_key"],
    "places": ["doc_id", "place_key"],
    "events": ["doc_id", "place_key", "role"],
    "claims": ["doc_id", "start", "end", "subject", "metric", "claim_id"],
}


@dataclass
class EtlReport:
    corpus: str
    store: str
    read: int = 0
    parsed: int = 0
    reused: int = 0
    removed: int = 0
    rejects: list[Reject] = field(default_factory=list)
    places: int = 0
    events: int = 0
    claims: int = 0
    mentions: int = 0
    parser_version: str = ""
    full_reparse: str | None = None  # why the previous rows could not be reused
    generation: str | None = None
    seconds: float = 0.0
    workers: int = 1

    @property
    def ok(self) -> bool:
        return not self.rejects

    def reject_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rej in self.rejects:
            counts[rej.reason] = counts.get(rej.reason, 0) + 1
        return dict(sorted(counts.items()))


# ---------------------------------------------------------------------------- stages


def _stages():
    """The extraction functions (imported late: they load their own data)."""
    from naqsha.etl.claims import extract_claims
    from naqsha.etl.gazetteer import load_gazetteer
    from naqsha.etl.geoparse import geoparse
    from naqsha.etl.roles import extract_events

    return load_gazetteer, geoparse, extract_events, extract_claims


def parser_version() -> str:
    """A fingerprint of everything that decides what extraction returns: the source of
    the extraction modules, the reviewed tables shipped in ``naqsha.geodata`` and the
    files of the boundary cache (names, sizes, modification times)."""
    digest = hashlib.sha256(f"store{schema.STORE_VERSION}".encode())
    etl_dir = Path(__file__).resolve().parent
    for path in sorted(etl_dir.glob("*.py")):
        if path.stem not in NOT_EXTRACTION:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    try:
        spec = importlib.util.find_spec("naqsha.geodata")
        folder = Path(spec.origin).parent if spec and spec.origin else None
    except (ImportError, ValueError):
        folder = None
    if folder is not None:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".json", ".csv", ".tsv", ".txt", ".yaml", ".yml"):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    cache = get_settings().geodata_cache
    if cache.is_dir():
        for path in sorted(cache.rglob("*")):
            # derived caches (the gazetteer pickle) and temporary files are written by a
            # run itself: they must not change the fingerprint
            if path.is_file() and path.suffix not in (".pkl", ".tmp", ".lock") and not path.name.startswith("."):
                st = path.stat()
                digest.update(f"{path.relative_to(cache)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------- rows


def _place_columns(place: Place) -> dict:
    return {
        "place_key": place.place_key, "level": place.level, "adm0": place.adm0, "adm1": place.adm1,
        "adm2": place.adm2, "name": place.name, "geonames_id": place.geonames_id,
        "lat": place.lat, "lon": place.lon, "precision": place.precision,
    }


def _stable_id(*parts) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _sentence_of(sentences: list[Sentence], starts: list[int], offset: int, text_len: int) -> Sentence:
    i = bisect.bisect_right(starts, offset) - 1
    if 0 <= i < len(sentences) and sentences[i].start <= offset < max(sentences[i].end, offset + 1):
        return sentences[i]
    return Sentence(0, text_len)


def extract_rows(article: Article, gazetteer, stages=None) -> dict[str, list[dict]]:
    """Geoparse one article and extract its events and claims, as store rows."""
    _, geoparse, extract_events, extract_claims = stages or _stages()
    geo: GeoparseResult = geoparse(article, gazetteer)
    events: list[Event] = list(extract_events(article, geo) or [])
    claims: list[Claim] = list(extract_claims(article, geo) or [])
    doc_id, text = article.doc_id, article.text
    sentences = sorted(geo.sentences or [], key=lambda s: s.start)
    starts = [s.start for s in sentences]

    mentions, places, first_mention = [], {}, {}
    counts: dict[str, int] = {}
    for m in sorted(geo.mentions, key=lambda m: (m.start, m.end)):
        sent = m.sentence or _sentence_of(sentences, starts, m.start, len(text))
        key = m.place.place_key
        mentions.append({
            "doc_id": doc_id, "place_key": key, "start": m.start, "end": m.end, "text": m.text,
            "resolution": m.resolution, "metonymy": bool(m.metonymy),
            "sentence_start": sent.start, "sentence_end": sent.end,
        })
        places.setdefault(key, m.place)
        first_mention.setdefault(key, m)
        counts[key] = counts.get(key, 0) + 1

    # A claim about a place the document names is a control event there, when the
    # role extractor did not already report one.
    by_pair: dict[tuple[str, str], dict] = {}
    for ev in events:
        if ev.role not in schema.ROLES:
            continue
        pair = (ev.place.place_key, ev.role)
        places.setdefault(ev.place.place_key, ev.place)
        row = by_pair.get(pair)
        if row is None:
            by_pair[pair] = _event_row(article, ev)
        else:
            _merge_event(row, ev)
    for claim in claims:
        pair = (claim.scope, "control")
        if pair not in by_pair and claim.scope in places:
            sent = _sentence_of(sentences, starts, claim.start, len(text))
            by_pair[pair] = _event_row(article, Event(place=places[claim.scope], role="control", sentence=sent))

    roles: dict[str, set] = {}
    for key, role in by_pair:
        roles.setdefault(key, set()).add(role)
    place_rows = []
    for key, place in places.items():
        first = first_mention.get(key)
        place_rows.append({
            "doc_id": doc_id, **_place_columns(place),
            "roles": sorted(roles.get(key, ()), key=schema.ROLES.index),
            "n_mentions": counts.get(key, 0),
            "resolution": first.resolution if first else "event",
        })
    claim_rows = []
    for c in claims:
        claim_rows.append({
            "claim_id": _stable_id(doc_id, c.start, c.end, c.subject, c.metric, c.value, c.scope, c.derived),
            "doc_id": doc_id, "subject": c.subject, "metric": c.metric, "value": c.value, "unit": c.unit,
            "of_total": c.of_total, "scope": c.scope, "attributed_to": c.attributed_to, "as_of": c.as_of,
            "start": c.start, "end": c.end, "text": c.text, "derived": bool(c.derived),
            "outlet": article.outlet, "published": article.published_from,
        })
    return {"mentions": mentions, "places": place_rows, "events": list(by_pair.values()), "claims": claim_rows}


def _event_row(article: Article, ev: Event) -> dict:
    sent = ev.sentence or Sentence(0, len(article.text))
    return {
        "event_id": _stable_id(article.doc_id, ev.place.place_key, ev.role),
        "doc_id": article.doc_id, "role": ev.role, **_place_columns(ev.place),
        "sentence_start": sent.start, "sentence_end": sent.end,
        "evidence": article.text[sent.start:sent.end].strip()[:2000],
        "event_date": ev.event_date, "date_precision": ev.date_precision,
        "fatalities": ev.fatalities, "fatalities_approx": ev.fatalities_approx,
        "actors": list(ev.actors or []), "outlet": article.outlet, "published": article.published_from,
    }


def _merge_event(row: dict, ev: Event) -> None:
    """A second event of the same (place, role): keep the first evidence, fill gaps."""
    if row["event_date"] is None and ev.event_date is not None:
        row["event_date"], row["date_precision"] = ev.event_date, ev.date_precision
    if ev.fatalities is not None and (row["fatalities"] is None or ev.fatalities > row["fatalities"]):
        row["fatalities"], row["fatalities_approx"] = ev.fatalities, ev.fatalities_approx
    for actor in ev.actors or []:
        if actor not in row["actors"]:
            row["actors"].append(actor)


def document_row(article: Article) -> dict:
    return {
        "doc_id": article.doc_id, "path": article.path, "content_hash": article.content_hash,
        "title": article.title, "outlet": article.outlet, "url": article.url, "licence": article.licence,
        "published_from": article.published_from, "published_to": article.published_to,
        "dateline": article.dateline, "kind": article.kind, "metadata_source": article.metadata_source,
        "is_sample": bool(article.is_sample), "n_chars": len(article.text), "text": article.text,
    }


# ---------------------------------------------------------------------------- parsing

_WORKER: dict = {}


def _parse_one(article: Article) -> tuple[dict | None, str | None]:
    try:
        return extract_rows(article, _WORKER["gazetteer"], _WORKER["stages"]), None
    except Exception as exc:  # one article's failure is a reject, not a stopped run
        return None, f"{type(exc).__name__}: {exc}"[:300]


def to_table(name: str, rows: list[dict]) -> pa.Table:
    """Rows as a compact Arrow table with the store schema (no geometry yet): a few MB
    where the same rows as Python dicts take hundreds."""
    spec = schema.table(name)
    try:
        return pa.Table.from_pylist(rows, schema=spec.arrow_schema())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        frame = pd.DataFrame(rows, columns=spec.names)
        return to_arrow(name, frame).select(spec.names)


def documents_table(articles: list[Article]) -> pa.Table:
    """The documents table. The text column is built from one buffer of UTF-8 bytes:
    Arrow's row-by-row builder would touch several times the texts' size in memory."""
    rows = [document_row(a) for a in articles]
    for row in rows:
        del row["text"]
    spec = schema.table("documents")
    meta_fields = [f for f in spec.arrow_schema() if f.name != "text"]
    tbl = pa.Table.from_pylist(rows, schema=pa.schema(meta_fields))
    encoded = [a.text.encode("utf-8") for a in articles]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    data = b"".join(encoded)
    del encoded
    text = pa.LargeStringArray.from_buffers(len(articles), pa.py_buffer(offsets), pa.py_buffer(data))
    tbl = tbl.append_column(spec.arrow_schema().field("text"), text)
    return tbl.select(spec.names).cast(spec.arrow_schema())


def _parse_chunk(articles: list[Article]) -> tuple[list[tuple[str, str]], dict[str, pa.Table]]:
    """Parse a chunk: ``(errors as (doc_id, message), rows per table as Arrow)``."""
    errors, rows = [], {name: [] for name in ROW_TABLES}
    for article in articles:
        doc_rows, error = _parse_one(article)
        if error is not None:
            errors.append((article.doc_id, error))
            continue
        for name in ROW_TABLES:
            rows[name].extend(doc_rows[name])
    return errors, {name: to_table(name, rows[name]) for name in ROW_TABLES}


def _workers_setting(workers: int | None) -> int:
    if workers is None:
        env = os.environ.get("NAQSHA_ETL_WORKERS")
        workers = int(env) if env and env.isdigit() else min(2, os.cpu_count() or 1)
    return max(1, workers)


class _parsing_gc:
    """The garbage collector set up for parsing, in the parent and (inherited through
    fork) in the workers: the gazetteer and everything else loaded so far is frozen out
    of its reach (forked workers share those pages instead of copying them, and no
    collection walks them again), and the youngest generation is collected every 10,000
    allocations instead of 700 (parsing makes many short-lived tuples and lists but
    hardly any reference cycles: about 7% of the parsing time went to collections)."""

    GEN0_THRESHOLD = 10_000

    def __enter__(self):
        gc.collect()
        gc.freeze()
        self._threshold = gc.get_threshold()
        gc.set_threshold(self.GEN0_THRESHOLD, *self._threshold[1:])
        return self

    def __exit__(self, *exc):
        gc.set_threshold(*self._threshold)
        gc.unfreeze()
        return False


class _Parser:
    """Parses the articles handed to :meth:`add` while the corpus is still being read.

    Once ``PARALLEL_MIN_DOCS`` articles are waiting (and more than one worker is asked
    for), the gazetteer is loaded and a pool of workers is forked; chunks of articles go
    to it as they fill, so the workers parse while this process reads the rest of the
    folder (reading used to be a second of one busy core before parsing started). At most
    a few chunks are in flight: the rest wait here, and the last ones are cut smaller so
    that both workers finish at about the same time. A worker receives the articles
    (about 6 kB each) and sends back small Arrow tables; both are a few hundredths of a
    millisecond per document. With fewer articles, :meth:`results` parses them here.
    """

    CHUNK = 100
    #: Chunks in flight per worker: one running, one queued behind it.
    IN_FLIGHT = 2

    def __init__(self, workers: int):
        self.workers = workers
        self.todo: list[Article] = []
        self._sent = 0  # todo[:_sent] went to the workers
        self._pool: ProcessPoolExecutor | None = None
        self._running: dict = {}  # future -> number of articles
        self._done: list = []  # futures finished while the corpus was being read
        self._gc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stop()
        return False

    def add(self, article: Article) -> None:
        self.todo.append(article)
        if (self._pool is None and self.workers > 1 and len(self.todo) >= PARALLEL_MIN_DOCS
                and "fork" in multiprocessing.get_all_start_methods()):
            self._start_pool()
        if self._pool is not None:
            self._collect_done()
            while len(self.todo) - self._sent >= self.CHUNK and len(self._running) < self._window():
                self._submit(self.CHUNK)

    def results(self, show_progress: bool):
        """Parse what is left; yields ``(errors, tables)`` chunk by chunk."""
        if self._pool is None:
            self._prepare()
            with _progress_bar(show_progress, len(self.todo)) as progress:
                for i in range(0, len(self.todo), 50):
                    chunk = self.todo[i:i + 50]
                    yield _parse_chunk(chunk)
                    progress(len(chunk))
            return
        with _progress_bar(show_progress, len(self.todo)) as progress:
            progress(self._sent - sum(self._running.values()))
            for fut in self._done:
                yield fut.result()
            self._done = []
            while True:
                while self._sent < len(self.todo) and len(self._running) < self._window():
                    # the last chunks are smaller: a worker left without work while the
                    # other parses a full chunk wastes up to that chunk's time on one core
                    left = len(self.todo) - self._sent
                    self._submit(self.CHUNK if left > self.CHUNK * self._window() else max(10, self.CHUNK // 4))
                if not self._running:
                    break
                finished, _ = wait(self._running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    size = self._running.pop(fut)
                    yield fut.result()
                    progress(size)

    def _window(self) -> int:
        return self.workers * self.IN_FLIGHT

    def _prepare(self) -> None:
        """Load the gazetteer and set up the garbage collector (before any fork)."""
        if "gazetteer" not in _WORKER:
            stages = _stages()
            _WORKER.update(gazetteer=stages[0](), stages=stages)
        if self._gc is None:
            self._gc = _parsing_gc().__enter__()

    def _start_pool(self) -> None:
        self._prepare()
        # Workers are forked after the gazetteer is loaded (and frozen, above): they share
        # its pages instead of copying them. All of them fork at the first submit, so
        # before any progress bar thread starts.
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))

    def _submit(self, size: int) -> None:
        chunk = self.todo[self._sent:self._sent + size]
        self._running[self._pool.submit(_parse_chunk, chunk)] = len(chunk)
        self._sent += len(chunk)

    def _collect_done(self) -> None:
        for fut in [f for f in self._running if f.done()]:
            self._running.pop(fut)
            self._done.append(fut)

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._gc is not None:
            self._gc.__exit__(None, None, None)
            self._gc = None
        _WORKER.clear()


# ---------------------------------------------------------------------------- the run


def _sorted(name: str, tbl: pa.Table) -> pa.Table:
    if tbl.num_rows == 0:
        return tbl
    return tbl.sort_by([(key, "ascending") for key in _SORT_KEYS[name]])


def _previous(reader: StoreReader, version: str) -> tuple[dict, dict[str, str], dict[str, str], str | None]:
    """(meta, doc_id -> content_hash, doc_id -> path, why nothing can be reused)."""
    if not reader.exists():
        return {}, {}, {}, "no previous store"
    meta = reader.meta()
    docs = reader.read("documents", columns=["doc_id", "content_hash", "path"])
    hashes = dict(zip(docs["doc_id"], docs["content_hash"]))
    paths = dict(zip(docs["doc_id"], docs["path"]))
    if meta.get("store_version") != schema.STORE_VERSION:
        return meta, hashes, paths, "the store was written by another store version"
    if meta.get("parser_version") != version:
        return meta, hashes, paths, "the extraction code or gazetteer changed"
    return meta, hashes, paths, None


def reader_key(max_bytes: int | None) -> str:
    """Changes when the reader could read the same file differently (its code, the cap)."""
    from naqsha.etl import corpus

    digest = hashlib.sha256(Path(corpus.__file__).read_bytes())
    digest.update(str(max_bytes if max_bytes is not None else corpus.max_bytes_setting()).encode())
    return digest.hexdigest()[:16]


def _previous_rows(reader: StoreReader, name: str, keep: list[str]) -> pa.Table:
    """The previous generation's rows of ``keep`` documents, in the store schema."""
    spec = schema.table(name)
    path = reader.root / reader.version() / f"{name}.parquet"
    if not path.is_file():
        return spec.arrow_schema().empty_table()
    tbl = pq.read_table(path, columns=spec.names)
    mask = pc.is_in(tbl.column("doc_id"), value_set=pa.array(keep, type=pa.string()))
    return tbl.filter(mask).cast(spec.arrow_schema())


def run_etl(corpus_dir, store_root=None, progress: bool = True, workers: int | None = None,
            max_bytes: int | None = None, full: bool = False) -> EtlReport:
    """Read ``corpus_dir``, extract, and write the store at ``store_root`` (default: the
    store setting) in one atomic generation. ``full=True`` re-parses every document."""
    t0 = time.perf_counter()
    reader = StoreReader(store_root)
    report = EtlReport(corpus=str(Path(corpus_dir)), store=str(reader.root))
    version = parser_version()
    report.parser_version = version
    key = reader_key(max_bytes)
    meta, prev_hash, prev_path, why = _previous(reader, version)
    if full:
        why = "a full run was asked for"
    report.full_reparse = why if prev_hash or full else None
    # Files unchanged since the last run (size, mtime, sidecar) are not even read: their
    # documents are carried over. Only when nothing forces a full re-parse.
    known = {}
    if not why and meta.get("reader_key") == key:
        known = {rel: entry for rel, entry in (meta.get("file_stats") or {}).items()
                 if all(d in prev_hash for d in entry.get("doc_ids", ()))}
    report.workers = _workers_setting(workers)

    def parse_if_changed(article: Article) -> None:
        if why or prev_hash.get(article.doc_id) != article.content_hash:
            parser.add(article)

    tables: dict[str, pd.DataFrame] = {}
    counts: dict[str, int] = {}
    with _Parser(report.workers) as parser:
        # parsing starts while the corpus is still being read (see _Parser)
        scan = scan_corpus(corpus_dir, max_bytes=max_bytes, known=known,
                           trust_before_ns=meta.get("run_started_ns"), on_article=parse_if_changed)
        articles, unchanged_ids = scan.articles, sorted(d for ids in scan.unchanged.values() for d in ids)
        report.read, report.rejects = len(articles) + len(unchanged_ids), list(scan.rejects)
        current = {a.doc_id for a in articles} | set(unchanged_ids)
        report.removed = sum(1 for d in prev_hash if d not in current)
        todo = parser.todo
        reuse = {a.doc_id for a in articles} - {a.doc_id for a in todo} | set(unchanged_ids)
        report.reused = len(reuse)
        if len(todo) < PARALLEL_MIN_DOCS:
            report.workers = 1
        nothing_changed = (not todo and not report.removed and not why
                           and all(prev_path.get(a.doc_id) == a.path for a in articles))
        parts: dict[str, list[pa.Table]] = {name: [] for name in ROW_TABLES}
        failed: dict[str, str] = {}
        if todo:
            for errors, chunk_tables in parser.results(progress):
                failed.update(errors)
                for name in ROW_TABLES:
                    parts[name].append(chunk_tables[name])
    if not nothing_changed:
        if todo:
            by_id = {a.doc_id: a for a in todo}
            # in doc_id order, whichever worker finished first
            for doc_id, error in sorted(failed.items()):
                report.rejects.append(Reject(by_id[doc_id].path, "parse_error",
                                             f"extraction failed on this article ({error})"))
            report.parsed = len(todo) - len(failed)
            del by_id
        docs = [documents_table([a for a in articles if a.doc_id not in failed])]
        if unchanged_ids:
            docs.append(_previous_rows(reader, "documents", unchanged_ids))
            documents = _sorted("documents", pa.concat_tables(docs))
        else:
            documents = docs[0]  # the scan returns articles sorted by doc_id
        # the texts live on in the documents table only: free the articles before the
        # tables are assembled and written (the peak of a run)
        del docs, articles, todo
        scan.articles = parser.todo = []
        gc.collect()
        keep = sorted(reuse)
        for name in ROW_TABLES:
            pieces = parts.pop(name)
            if keep:
                pieces.append(_previous_rows(reader, name, keep))
            tbl = pa.concat_tables(pieces) if pieces else schema.table(name).arrow_schema().empty_table()
            counts[name] = tbl.num_rows
            tables[name] = _sorted(name, tbl).to_pandas()
            del tbl, pieces
        tables["documents"] = documents.to_pandas()
        del documents
    tables["rejects"] = pd.DataFrame(
        [{"path": r.path, "reason": r.reason, "detail": r.detail} for r in report.rejects],
        columns=schema.table("rejects").names)
    failed_paths = {r.path for r in report.rejects if r.reason == "parse_error"}
    file_stats = {rel: entry for rel, entry in scan.stats.items() if rel not in failed_paths
                  and not any(p.split("#")[0] == rel for p in failed_paths)}
    gen = write_tables(tables, reader.root, parser_version=version, corpus=str(Path(corpus_dir).resolve()),
                       last_run={"read": report.read, "parsed": report.parsed, "reused": report.reused,
                                 "removed": report.removed, "rejected": len(report.rejects)},
                       reader_key=key, run_started_ns=scan.started_ns, file_stats=file_stats)
    report.generation = gen.name
    if nothing_changed:
        counts = {name: _count_rows(reader, name) for name in ROW_TABLES}
    report.places, report.events, report.claims, report.mentions = (
        counts["places"], counts["events"], counts["claims"], counts["mentions"])
    report.seconds = time.perf_counter() - t0
    return report


def _count_rows(reader: StoreReader, name: str) -> int:
    gen = reader.root / reader.version()
    path = gen / f"{name}.parquet"
    return pq.ParquetFile(path).metadata.num_rows if path.is_file() else 0


class _progress_bar:
    """A rich progress bar over documents to parse, or nothing."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total, self._progress = enabled, total, None

    def __enter__(self):
        if not self.enabled or not self.total:
            return lambda n: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(),
                                  TimeRemainingColumn(), transient=True)
        self._progress.start()
        task = self._progress.add_task("parse", total=self.total)
        return lambda n: self._progress.advance(task, n)

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()
        return False
