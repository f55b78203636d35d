"""Control schemes: how a source's category labels map onto naqsha's common scale.

The common scale (``naqsha.schema.CONTROL_SCALE``) has five levels with a score::

    government_control    2      insurgent_influence  -1
    government_influence  1      insurgent_control    -2
    contested             0

A source keeps its own label (``assessments.category_original``); the scheme gives the
common key and score beside it. Built-in schemes ship as small files in
``naqsha/geodata`` (``scheme_rs.csv``: Resolute Support's five categories;
``scheme_lwj.csv``: the Long War Journal's four). A custom scheme is a file of the same
format, or YAML:

CSV (UTF-8; lines starting with ``#`` are comments; ``# name: NAME`` names it)::

    # name: myteam
    label,category_common
    Green,government_control
    Amber,contested
    Red,insurgent_control

YAML::

    name: myteam
    title: Our team's monthly assessment
    categories:
      Green: government_control
      Amber: contested
      Red: insurgent_control

Several labels may map to one common key. Labels are matched ignoring case, accents,
hyphens, underscores, dots and repeated spaces; a label not in the scheme is an error
(never guessed).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from naqsha.errors import AssessmentError
from naqsha.schema import CONTROL_LABELS, CONTROL_SCALE

BUILTIN = {"rs": "scheme_rs.csv", "lwj": "scheme_lwj.csv"}

COMMON_LABELS = CONTROL_LABELS


def fold_label(label: str) -> str:
    text = unicodedata.normalize("NFKD", str(label))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[-_./()]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Scheme:
    name: str
    title: str
    labels: dict[str, tuple[str, str]]  # folded label -> (label as written, common key)

    def lookup(self, label: str) -> tuple[str, int] | None:
        """(common key, score) for a source label, or None when the scheme lacks it."""
        hit = self.labels.get(fold_label(label))
        if hit is None:
            return None
        return hit[1], CONTROL_SCALE[hit[1]]

    def known(self) -> list[str]:
        return [written for written, _ in self.labels.values()]


def _build(name: str, title: str, pairs: list[tuple[str, str]], origin: str) -> Scheme:
    if not pairs:
        raise AssessmentError(f"scheme {origin} maps no labels; see `naqsha assessments import --help`.")
    labels: dict[str, tuple[str, str]] = {}
    bad = []
    for label, common in pairs:
        key = fold_label(common).replace(" ", "_")
        if key not in CONTROL_SCALE:
            bad.append(f"{label!r} -> {common!r}")
            continue
        folded = fold_label(label)
        if folded in labels and labels[folded][1] != key:
            raise AssessmentError(f"scheme {origin}: label {label!r} is mapped twice, to different categories.")
        labels[folded] = (label.strip(), key)
    if bad:
        raise AssessmentError(
            f"scheme {origin}: unknown common categories: {'; '.join(bad)}. "
            f"Use one of: {', '.join(CONTROL_SCALE)}."
        )
    return Scheme(name=name, title=title or name, labels=labels)


def parse_scheme_text(text: str, origin: str, yaml_format: bool = False) -> Scheme:
    if yaml_format:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise AssessmentError(f"scheme {origin} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
            raise AssessmentError(f"scheme {origin}: expected a mapping with 'name' and 'categories'.")
        pairs = [(str(k), str(v)) for k, v in data["categories"].items()]
        return _build(str(data.get("name") or Path(origin).stem), str(data.get("title") or ""), pairs, origin)
    meta: dict[str, str] = {}
    body = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            m = re.match(r"\s*#\s*(name|title)\s*:\s*(.+)", line)
            if m:
                meta[m.group(1)] = m.group(2).strip()
            continue
        if line.strip():
            body.append(line)
    rows = list(csv.DictReader(io.StringIO("\n".join(body))))
    if not rows or not {"label", "category_common"} <= set(rows[0]):
        raise AssessmentError(f"scheme {origin}: expected a CSV with columns label,category_common.")
    pairs = [(r["label"] or "", r["category_common"] or "") for r in rows if (r["label"] or "").strip()]
    return _build(meta.get("name") or Path(origin).stem, meta.get("title", ""), pairs, origin)


def load_scheme(spec: str | Path) -> Scheme:
    """A built-in scheme by name (``rs``, ``lwj``) or a custom scheme file (CSV or YAML)."""
    key = str(spec).strip()
    if key.lower() in BUILTIN:
        text = resources.files("naqsha.geodata").joinpath(BUILTIN[key.lower()]).read_text("utf-8")
        return parse_scheme_text(text, key.lower())
    path = Path(key).expanduser()
    if not path.is_file():
        raise AssessmentError(
            f"no scheme {key!r}: use a built-in scheme ({', '.join(BUILTIN)}) or the path of a "
            "scheme file (CSV with label,category_common, or YAML; see etl/schemes.py)."
        )
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AssessmentError(f"scheme file {path} is not UTF-8; save it as UTF-8.") from exc
    return parse_scheme_text(text, str(path), yaml_format=path.suffix.lower() in (".yaml", ".yml"))


def builtin_schemes() -> list[Scheme]:
    return [load_scheme(name) for name in BUILTIN]


def guess_scheme(labels: list[str]) -> Scheme | None:
    """The built-in scheme that knows every label; when several do, the first, provided
    they all map every label to the same common category; else None."""
    fits = [s for s in builtin_schemes() if all(s.lookup(lab) for lab in labels)]
    if not fits:
        return None
    if all(f.lookup(lab) == fits[0].lookup(lab) for f in fits[1:] for lab in labels):
        return fits[0]
    return None
