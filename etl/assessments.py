"""Import control assessments into the store, all or nothing.

Two formats.

**District/province assessments** (``import_assessments``; ``naqsha assessments import``):
a CSV (UTF-8, comma, semicolon or tab separated; lines starting with ``#`` are
comments) or an XLSX workbook (first sheet), one row per place, with a header row.
Column names are matched ignoring case and spacing:

=============  ==============================================================  ========
column         meaning                                                          required
=============  ==============================================================  ========
category       the source's label (``status``, ``control``, ``assessment``)     yes
district       district name as the source spells it (``adm2``)                 one of
province       province name, spelling or ISO code (``adm1``)                   these
place          a name when the file has no district/province columns
level          district, province or national (else inferred from the names)   no
population     people in the place (digits, thousands separators allowed)       no
notes          free text kept with the row (``comment``, ``remarks``)           no
=============  ==============================================================  ========

The labels are mapped onto the common scale by a scheme (``etl/schemes.py``): ``rs``,
``lwj`` or a custom file; without one, the built-in scheme that knows every label.
Names are reconciled with our layers (``etl/reconcile.py``). An import replaces the
rows of the same source and date and leaves every other table and source as it was.

It stops, writing nothing, and lists the bad rows when: a column is missing, a label is
not in the scheme, a category or place name is blank, a population is not a number, two
rows give one place different categories, the date is in the future, or the file is not
in the expected encoding. Rows whose place we cannot find are *not* errors: they are
stored as ``unmatched`` with the reason and suggestions, and listed in the report
(``strict=True`` makes them errors). Two different source names landing on one of our
districts are stored and reported as a ``split``; one source row naming two of our
districts ("A and B", "A/B") as a ``merge``.

**National reference series** (``import_national``; ``naqsha assessments
import-national``): the format of SIGAR-style national district-control figures, one row
per assessment, columns::

    assessor,reported_in,as_of,districts_total,government_districts,contested_districts,
    insurgent_districts,government_population_pct,categories,verified

``assessor``, ``as_of`` and ``districts_total`` are required, dates are ISO
(YYYY-MM-DD); ``reported_in`` is when the report carrying the figures came out (the
corroboration only compares an article with assessments published by its date);
government + contested + insurgent districts must add up to the total when all are given.
naqsha ships this importer, not the figures: point it at your own copy of the series.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from naqsha import store
from naqsha.errors import AssessmentError
from naqsha.etl.reconcile import COUNTRY_NAMES, Match, Reconciler, default_reconciler, fold
from naqsha.etl.schemes import Scheme, fold_label, guess_scheme, load_scheme

COLUMN_ALIASES = {
    "district": ("district", "district name", "districtname", "adm2", "wuleswali", "woleswali", "district_name"),
    "province": ("province", "province name", "provincename", "adm1", "province_name", "wilayat"),
    "place": ("place", "place name", "name", "location"),
    "category": ("category", "status", "control", "assessment", "rating", "classification", "category original"),
    "level": ("level", "admin level"),
    "population": ("population", "pop", "population estimate", "people"),
    "notes": ("notes", "note", "comment", "comments", "remarks"),
}
LEVEL_WORDS = {"district": "district", "province": "province", "national": "country", "country": "country",
               "adm2": "district", "adm1": "province", "adm0": "country"}
MAX_LISTED = 25


# --- reading files ----------------------------------------------------------------------
def _decode(raw: bytes, path: Path, encoding: str | None) -> str:
    if encoding:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise AssessmentError(f"{path.name} cannot be read as {encoding}: {exc}.") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = ""
        try:
            from charset_normalizer import from_bytes

            best = from_bytes(raw).best()
            if best is not None and best.encoding not in ("utf_8", "ascii"):
                guess = f" It looks like {best.encoding.replace('_', '-')} (a guess: check the names)."
        except Exception:  # noqa: BLE001 - a guess is only a courtesy
            pass
        raise AssessmentError(
            f"{path.name} is not UTF-8: byte 0x{raw[exc.start]:02x} on line {line} is not valid UTF-8."
            f"{guess} Nothing was imported. Save the file as UTF-8 (in Excel: CSV UTF-8), or "
            "name its encoding with --encoding (for example cp1252 or cp1256)."
        ) from exc


def read_table_file(path: str | Path, encoding: str | None = None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line or row number, cells)]) from a CSV or XLSX file."""
    path = Path(path)
    if not path.is_file():
        raise AssessmentError(f"no file {path}.")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    text = _decode(path.read_bytes(), path, encoding)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise AssessmentError(f"{path.name} holds no rows.")
    first = lines[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for cells in reader:
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = cells
            continue
        rows.append((reader.line_num, cells))
    return header or [], rows


def _read_xlsx(path: Path):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise AssessmentError(f"{path.name} is not a readable XLSX workbook: {exc}") from exc
    try:
        ws = wb.worksheets[0]
        header = None
        rows = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else (v.isoformat() if isinstance(v, (date, datetime)) else str(v)) for v in values]
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = cells
                continue
            rows.append((number, cells))
    finally:
        wb.close()
    return header or [], rows


def _columns(header: list[str], path: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        key = fold_label(name)
        for col, aliases in COLUMN_ALIASES.items():
            if key in {fold_label(a) for a in aliases} and col not in found:
                found[col] = i
    missing = []
    if "category" not in found:
        missing.append("category")
    if not {"district", "province", "place"} & set(found):
        missing.append("district or province")
    if missing:
        national = {"government districts", "districts total"} <= {fold_label(h) for h in header}
        hint = (" This looks like a national series: import it with "
                "`naqsha assessments import-national FILE`." if national else "")
        raise AssessmentError(
            f"{path.name}: no {' and no '.join(missing)} column (found: "
            f"{', '.join(repr(h) for h in header) or 'no header'}). Nothing was imported. "
            "Expected a header row with category, district and/or province, and optionally "
            f"level, population, notes.{hint}"
        )
    return found


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(str(text).strip()[:10])
    except ValueError:
        raise AssessmentError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD.") from None


def _population(text: str) -> float | None:
    t = re.sub(r"[\s,_']", "", str(text or ""))
    if not t:
        return None
    value = float(t)  # ValueError handled by caller
    if value < 0:
        raise ValueError("negative")
    return value


# --- import -----------------------------------------------------------------------------
@dataclass
class ImportReport:
    source: str
    as_of: date
    scheme: str
    file: str
    rows_read: int = 0
    rows_stored: int = 0
    by_how: Counter = field(default_factory=Counter)
    unmatched: list[dict] = field(default_factory=list)
    splits: list[str] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    replaced: int = 0

    def lines(self) -> list[str]:
        out = [
            f"imported {self.file}: {self.source}, as of {self.as_of.isoformat()}, scheme {self.scheme}",
            f"{self.rows_read} rows read, {self.rows_stored} stored"
            + (f" (replacing {self.replaced} rows of the same source and date)" if self.replaced else ""),
            "matched: " + (", ".join(f"{n} {how}" for how, n in sorted(self.by_how.items()) if how != "unmatched") or "none"),
        ]
        for text in self.merges:
            out.append(f"merge: {text}")
        for text in self.splits:
            out.append(f"split: {text}")
        for text in self.duplicates:
            out.append(f"duplicate: {text}")
        if self.unmatched:
            out.append(f"{len(self.unmatched)} unmatched (stored, not on the map; fix the names or add aliases and re-import):")
            for u in self.unmatched:
                sugg = f"; suggestions: {', '.join(u['suggestions'])}" if u["suggestions"] else ""
                out.append(f"  row {u['row']}: {u['name']!r} [{u['reason']}] {u['detail']}{sugg}")
        return out


def _fail(path: Path, problems: list[tuple[int, str]]) -> None:
    problems = sorted(problems)
    listed = [f"  row {row}: {msg}" for row, msg in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        listed.append(f"  ... and {len(problems) - MAX_LISTED} more")
    raise AssessmentError(
        f"{path.name}: {len(problems)} bad row(s); nothing was imported.\n" + "\n".join(listed)
    )


def import_assessments(
    path: str | Path,
    source: str,
    as_of: date | str,
    scheme: str | Scheme | None = None,
    store_root: str | Path | None = None,
    reconciler: Reconciler | None = None,
    encoding: str | None = None,
    strict: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Read, check, reconcile and store one assessment file (see the module docstring)."""
    path = Path(path)
    source = (source or "").strip()
    if not source:
        raise AssessmentError("give the assessment's source (--source), e.g. 'Resolute Support'.")
    as_of = as_of if isinstance(as_of, date) else parse_day(as_of, "--as-of")
    today = today or date.today()
    if as_of > today:
        raise AssessmentError(
            f"--as-of {as_of.isoformat()} is in the future (today is {today.isoformat()}); "
            "an assessment describes a past date. Nothing was imported."
        )
    header, rows = read_table_file(path, encoding)
    cols = _columns(header, path)
    if not rows:
        raise AssessmentError(f"{path.name} has a header but no rows; nothing was imported.")

    def cell(cells: list[str], col: str) -> str:
        i = cols.get(col)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    labels = sorted({cell(c, "category") for _, c in rows if cell(c, "category")})
    if scheme is None:
        scheme_obj = guess_scheme(labels)
        if scheme_obj is None:
            raise AssessmentError(
                f"{path.name}: no built-in scheme knows all its categories ({', '.join(map(repr, labels))}); "
                "name one with --scheme rs|lwj or give a scheme file. Nothing was imported."
            )
    else:
        scheme_obj = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)

    problems: list[tuple[int, str]] = []
    parsed = []
    for number, cells in rows:
        label = cell(cells, "category")
        district, province, place = cell(cells, "district"), cell(cells, "province"), cell(cells, "place")
        level_text = cell(cells, "level")
        if level_text:
            level = LEVEL_WORDS.get(fold_label(level_text))
            if level is None:
                problems.append((number, f"level {level_text!r} is not district, province or national"))
                continue
        elif district:
            level = "district"
        elif province:
            level = "province"
        elif place:
            level = "country" if fold(place) in COUNTRY_NAMES else "district"
        else:
            problems.append((number, "no place name (district, province or place are all blank)"))
            continue
        if level in ("district", "country") and not district:
            district = place
        if level == "province" and not province:
            province = place or district
        if level == "district" and not district:
            problems.append((number, "a district row without a district name"))
            continue
        if not label:
            problems.append((number, "blank category"))
            continue
        mapped = scheme_obj.lookup(label)
        if mapped is None:
            problems.append((number, f"unknown category {label!r} for scheme {scheme_obj.name} "
                                     f"(known: {', '.join(scheme_obj.known())})"))
            continue
        try:
            population = _population(cell(cells, "population"))
        except ValueError:
            problems.append((number, f"population {cell(cells, 'population')!r} is not a number"))
            continue
        parsed.append(dict(row=number, level=level, district=district, province=province, label=label,
                           common=mapped[0], score=mapped[1], population=population,
                           notes=cell(cells, "notes") or None))

    # duplicates: the same source place twice
    seen: dict[tuple, dict] = {}
    kept = []
    duplicates = []
    for p in parsed:
        if p["level"] == "country":  # every name of Afghanistan is one place
            key = ("country", "", "afghanistan" if fold(p["district"] or "afghanistan") in COUNTRY_NAMES
                   else fold(p["district"]))
        else:
            key = (p["level"], fold(p["province"]), fold(p["district"]) if p["level"] == "district" else "")
        if key in seen:
            first = seen[key]
            name = p["district"] or p["province"] or "Afghanistan"
            if first["common"] != p["common"] or first["label"] != p["label"]:
                problems.append((p["row"], f"{name!r} is also on row {first['row']} with another category "
                                           f"({first['label']!r} vs {p['label']!r}); keep one"))
            else:
                duplicates.append(f"row {p['row']} repeats row {first['row']} ({name!r}, {p['label']!r}); kept once")
                first["notes"] = "; ".join(filter(None, [first["notes"], f"repeated on row {p['row']}"]))
            continue
        seen[key] = p
        kept.append(p)
    if problems:
        _fail(path, problems)

    rec = reconciler or default_reconciler()
    report = ImportReport(source, as_of, scheme_obj.name, path.name, rows_read=len(rows), duplicates=duplicates)
    out = []
    for p in kept:
        m: Match = rec.place(p["level"], p["district"], p["province"])
        base = dict(source=source, as_of=as_of, scheme=scheme_obj.name, level=p["level"],
                    name_original=p["district"] if p["level"] == "district" else (p["province"] or p["district"] or "Afghanistan"),
                    province_original=p["province"] or None, category_original=p["label"],
                    category_common=p["common"], score=p["score"], population=p["population"],
                    notes=p["notes"], file=path.name, row=p["row"], relation=None)
        if m.how == "merge":
            report.merges.append(f"row {p['row']} {m.name_original!r} covers " + ", ".join(x.place_key for x in m.parts))
            for part in m.parts:
                out.append({**base, "place_key": part.place_key, "adm1": part.adm1, "name": part.name,
                            "match_how": "merge", "match_score": part.score, "relation": "merge",
                            "population": None,
                            "notes": "; ".join(filter(None, [p["notes"], f"population {p['population']:.0f} is for the whole row" if p["population"] else None])) or None,
                            "match_detail": f"part {part.name_original!r} by {part.how}"
                                            + (f" ({part.detail})" if part.detail else "")})
            continue
        if not m.matched:
            if strict:
                problems.append((p["row"], f"{m.name_original!r} unmatched [{m.reason}]: {m.detail}"
                                           + (f"; suggestions: {', '.join(m.suggestions)}" if m.suggestions else "")))
                continue
            report.unmatched.append(dict(row=p["row"], name=m.name_original, reason=m.reason, detail=m.detail,
                                         suggestions=m.suggestions))
            detail = f"[{m.reason}] {m.detail}" + (f"; suggestions: {', '.join(m.suggestions)}" if m.suggestions else "")
            out.append({**base, "place_key": None, "adm1": None, "name": None, "match_how": "unmatched",
                        "match_score": None, "match_detail": detail})
            continue
        out.append({**base, "place_key": m.place_key, "adm1": m.adm1, "name": m.name, "match_how": m.how,
                    "match_score": m.score, "match_detail": m.detail or None})
    if problems:
        _fail(path, problems)

    # splits: several different source rows on one of our districts
    groups = defaultdict(list)
    for r in out:
        if r["place_key"] and r["level"] == "district":
            groups[r["place_key"]].append(r)
    for key, members in groups.items():
        if len(members) > 1:
            names = ", ".join(f"{r['name_original']!r} (row {r['row']})" for r in members)
            report.splits.append(f"{key}: {names}")
            for r in members:
                if r["relation"] is None:
                    r["relation"] = "split"
                r["match_detail"] = "; ".join(filter(None, [r["match_detail"], f"source splits {key} into {len(members)} rows"]))

    report.by_how = Counter(r["match_how"] for r in out)
    report.rows_stored = len(out)
    new = pd.DataFrame(out)
    reader = store.StoreReader(store_root)
    previous = reader.read("assessments") if reader.exists() else store.empty("assessments")
    same = (previous["source"] == source) & (pd.to_datetime(previous["as_of"]).dt.date == as_of)
    report.replaced = int(same.sum())
    table = pd.concat([previous[~same], new], ignore_index=True) if len(previous[~same]) else new
    store.write_tables({"assessments": table}, store_root)
    return report


# --- national reference series ----------------------------------------------------------
NATIONAL_COLUMNS = ("assessor", "reported_in", "as_of", "districts_total", "government_districts",
                    "contested_districts", "insurgent_districts", "government_population_pct",
                    "categories", "verified")


def read_national(path: str | Path, encoding: str | None = None, today: date | None = None) -> pd.DataFrame:
    """Parse and check a national series file; every problem is listed, nothing half-read."""
    path = Path(path)
    header, rows = read_table_file(path, encoding)
    names = [fold_label(h).replace(" ", "_") for h in header]
    missing = [c for c in ("assessor", "as_of", "districts_total") if c not in names]
    if missing:
        raise AssessmentError(
            f"{path.name}: missing column(s) {', '.join(missing)} (found: {', '.join(header) or 'no header'}). "
            f"The national format's columns are: {', '.join(NATIONAL_COLUMNS)}. Nothing was imported."
        )
    today = today or date.today()
    problems: list[tuple[int, str]] = []
    out = []
    for number, cells in rows:
        rec = {n: (cells[i].strip() if i < len(cells) else "") for i, n in enumerate(names)}
        row: dict = {"file": path.name}
        try:
            row["assessor"] = rec["assessor"] or None
            if not row["assessor"]:
                raise ValueError("blank assessor")
            row["as_of"] = parse_day(rec["as_of"], "as_of")
            row["reported_in"] = parse_day(rec["reported_in"], "reported_in") if rec.get("reported_in") else None
            for col in ("districts_total", "government_districts", "contested_districts", "insurgent_districts"):
                text = rec.get(col, "")
                row[col] = int(text) if text else None
                if row[col] is not None and row[col] < 0:
                    raise ValueError(f"{col} is negative")
            if not row["districts_total"]:
                raise ValueError("districts_total is blank or zero")
            pct = rec.get("government_population_pct", "")
            row["government_population_pct"] = float(pct.rstrip("%")) if pct else None
            if row["government_population_pct"] is not None and not 0 <= row["government_population_pct"] <= 100:
                raise ValueError(f"government_population_pct {pct} is not between 0 and 100")
            row["categories"] = rec.get("categories") or None
            row["verified"] = rec.get("verified") or None
        except AssessmentError as exc:
            problems.append((number, str(exc)))
            continue
        except ValueError as exc:
            problems.append((number, str(exc).replace("invalid literal for int() with base 10", "not a whole number")))
            continue
        parts = [row[c] for c in ("government_districts", "contested_districts", "insurgent_districts")]
        if all(v is not None for v in parts) and sum(parts) != row["districts_total"]:
            problems.append((number, f"{parts[0]} + {parts[1]} + {parts[2]} = {sum(parts)} districts, "
                                     f"not the total {row['districts_total']}"))
            continue
        if any(v is not None and v > row["districts_total"] for v in parts):
            problems.append((number, "a count is larger than districts_total"))
            continue
        if row["as_of"] > today or (row["reported_in"] and row["reported_in"] > today):
            problems.append((number, f"date in the future ({row['as_of']}, reported {row['reported_in']})"))
            continue
        if row["reported_in"] and row["reported_in"] < row["as_of"]:
            problems.append((number, f"reported_in {row['reported_in']} is before the date it describes ({row['as_of']})"))
            continue
        out.append((number, row))
    seen: dict[tuple, int] = {}
    for number, row in out:
        key = (fold(row["assessor"]), row["as_of"])
        if key in seen:
            problems.append((number, f"{row['assessor']!r} as of {row['as_of']} is also on row {seen[key]}"))
        seen[key] = number
    if problems:
        _fail(path, problems)
    if not out:
        raise AssessmentError(f"{path.name} holds no rows; nothing was imported.")
    return pd.DataFrame([r for _, r in out])


def import_national(path: str | Path, store_root: str | Path | None = None, encoding: str | None = None,
                    today: date | None = None) -> tuple[int, int]:
    """Store a national series; rows of the same assessor and date are replaced.
    Returns (rows stored from this file, rows replaced)."""
    new = read_national(path, encoding, today)
    reader = store.StoreReader(store_root)
    previous = reader.read("national_assessments") if reader.exists() else store.empty("national_assessments")
    old_keys = set(zip(previous["assessor"].map(fold), pd.to_datetime(previous["as_of"]).dt.date))
    new_keys = set(zip(new["assessor"].map(fold), new["as_of"]))
    keep = [k not in new_keys for k in zip(previous["assessor"].map(fold), pd.to_datetime(previous["as_of"]).dt.date)]
    kept = previous[keep] if len(previous) else previous
    table = pd.concat([kept, new], ignore_index=True) if len(kept) else new
    store.write_tables({"national_assessments": table}, store_root)
    return len(new), len(old_keys & new_keys)
