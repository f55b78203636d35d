"""Scoring exported JSON lines against a gold file (rules: shared ``eval/README.md``).

Plain functions over the export contract's objects, so they are testable without a store:

- :func:`score(lines, gold, texts=None)` -> :class:`Evaluation` (per document and total).
- Places: a prediction matches a gold place by level (country: adm0; province: adm1;
  district: adm1 and the folded district name; city: adm0 and within 25 km). Gold places
  marked ``required`` count for recall; ``optional`` ones are neutral; anything else is a
  false positive, and so is a place predicted only from a ``not_places`` string
  (organisations, people, agencies). Region-level predictions are not scored.
- (place, role): a role in ``roles`` is a true positive, in ``optional_roles`` neutral,
  otherwise a false positive.
- Claims match on subject, metric, scope and value (within 0.5); attribution is scored
  on matched claims, where a gold list means any of its answers (null = the article's own).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from naqsha.errors import EvaluationError

CITY_RADIUS_KM = 25.0
VALUE_TOLERANCE = 0.5


def fold(text: str | None) -> str:
    """Case-, accent- and punctuation-folded text for comparisons."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _source(name) -> str | None:
    if name is None:
        return None
    folded = fold(name)
    return folded[4:] if folded.startswith("the ") else folded


# ---------------------------------------------------------------------------- inputs


def load_gold(path: str | Path) -> dict:
    path = Path(path)
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationError(f"The gold file {path} does not exist; pass an existing file with --gold.") from None
    except ValueError as exc:
        raise EvaluationError(f"The gold file {path} is not valid JSON ({exc}).") from None
    if not isinstance(gold, dict) or not isinstance(gold.get("docs"), dict):
        raise EvaluationError(f"The gold file {path} has no \"docs\" object; see eval/README.md for the format.")
    return gold


def parse_lines(lines: Iterable) -> dict[str, dict[str, list]]:
    """Exported JSON lines (strings or already-parsed objects) grouped by document."""
    docs: dict[str, dict[str, list]] = {}
    for n, line in enumerate(lines, start=1):
        if isinstance(line, str):
            if not line.strip():
                continue
            try:
                line = json.loads(line)
            except ValueError as exc:
                raise EvaluationError(f"export line {n} is not valid JSON ({exc})") from None
        doc = docs.setdefault(str(line.get("doc_id")), {"places": [], "claims": []})
        if "place" in line:
            doc["places"].append(line)
        elif "claim" in line:
            doc["claims"].append(line["claim"])
    return docs


# ---------------------------------------------------------------------------- matching


def _gold_level(g: dict) -> str:
    if g.get("level"):
        return g["level"]
    key = g.get("key", "")
    if key.startswith("geonames:"):
        return "city"
    if "/" in key:
        return "district"
    return "province" if "-" in key else "country"


def place_matches(pred: dict, g: dict) -> bool:
    """Whether a predicted ``place`` object matches a gold place (README rules)."""
    level = _gold_level(g)
    if pred.get("level") != level:
        return False
    key = g.get("key", "")
    if level == "country":
        return pred.get("adm0") == (g.get("adm0") or key)
    if level == "province":
        return pred.get("adm1") == (g.get("adm1") or key)
    if level == "district":
        adm1, _, adm2 = key.partition("/")
        return pred.get("adm1") == (g.get("adm1") or adm1) and fold(pred.get("adm2")) == fold(g.get("adm2") or adm2)
    if level == "city":
        if pred.get("adm0") != g.get("adm0"):
            return False
        if None in (pred.get("lat"), pred.get("lon"), g.get("lat"), g.get("lon")):
            return False
        return haversine_km(pred["lat"], pred["lon"], g["lat"], g["lon"]) <= CITY_RADIUS_KM
    return False


def _not_place_spans(text: str, not_places: list[str]) -> list[tuple[int, int]]:
    spans = []
    for name in not_places:
        for m in re.finditer(re.escape(name), text, flags=re.I):
            spans.append((m.start(), m.end()))
    return spans


def _from_not_places(pred: dict, not_places: list[str], text: str | None) -> bool:
    mentions = pred.get("mentions") or []
    if not mentions or not not_places:
        return False
    if text is not None:
        spans = _not_place_spans(text, not_places)
        return all(any(s <= m["start"] and m["end"] <= e for s, e in spans) for m in mentions)
    folded = {fold(n) for n in not_places}
    return all(fold(m.get("text")) in folded for m in mentions)


def _describe(pred: dict) -> str:
    p = pred["place"]
    key = p.get("key") or p.get("adm2") or p.get("adm1") or p.get("adm0")
    texts = sorted({m.get("text") for m in pred.get("mentions") or [] if m.get("text")})
    return f"{p.get('name')} [{p.get('level')} {key}]" + (f" from {', '.join(map(repr, texts))}" if texts else "")


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * p * r / (p + r) if p is not None and r is not None and p + r else (0.0 if p == 0 or r == 0 else None)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


@dataclass
class DocScore:
    doc_id: str
    place_tp: int = 0
    place_fp: int = 0
    place_fn: int = 0
    role_tp: int = 0
    role_fp: int = 0
    role_fn: int = 0
    claim_tp: int = 0
    claim_fp: int = 0
    claim_fn: int = 0
    attribution_right: int = 0
    attribution_total: int = 0
    place_misses: list[str] = field(default_factory=list)
    place_false_positives: list[str] = field(default_factory=list)
    role_misses: list[str] = field(default_factory=list)
    role_false_positives: list[str] = field(default_factory=list)
    claim_misses: list[str] = field(default_factory=list)
    claim_false_positives: list[str] = field(default_factory=list)
    attribution_errors: list[str] = field(default_factory=list)

    def add(self, other: DocScore) -> None:
        for name in ("place_tp", "place_fp", "place_fn", "role_tp", "role_fp", "role_fn", "claim_tp",
                     "claim_fp", "claim_fn", "attribution_right", "attribution_total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> dict:
        return {
            "places": _prf(self.place_tp, self.place_fp, self.place_fn),
            "place_roles": _prf(self.role_tp, self.role_fp, self.role_fn),
            "claims": _prf(self.claim_tp, self.claim_fp, self.claim_fn),
            "attribution_accuracy": (self.attribution_right / self.attribution_total
                                     if self.attribution_total else None),
        }


@dataclass
class Evaluation:
    docs: dict[str, DocScore]
    total: DocScore
    unscored_docs: list[str]

    def to_dict(self) -> dict:
        out = {"total": self.total.summary(), "unscored_docs": self.unscored_docs, "docs": {}}
        for doc_id, s in self.docs.items():
            out["docs"][doc_id] = {**s.summary(), **{k: getattr(s, k) for k in (
                "place_misses", "place_false_positives", "role_misses", "role_false_positives",
                "claim_misses", "claim_false_positives", "attribution_errors")}}
        return out


def _claim_matches(pred: dict, g: dict) -> bool:
    if pred.get("subject") != g.get("subject") or pred.get("metric") != g.get("metric"):
        return False
    if pred.get("scope") != g.get("scope"):
        return False
    pv, gv = pred.get("value"), g.get("value")
    if gv is None or pv is None:
        return gv is None and pv is None
    try:
        return abs(float(pv) - float(gv)) <= VALUE_TOLERANCE
    except (TypeError, ValueError):
        return False


def _attribution_ok(pred: dict, g: dict) -> bool:
    accepted = g.get("attributed_to")
    accepted = accepted if isinstance(accepted, list) else [accepted]
    return _source(pred.get("attributed_to")) in {_source(a) for a in accepted}


def _claim_label(c: dict) -> str:
    value = "" if c.get("value") is None else f" {c.get('value')}"
    unit = f" {c['unit']}" if c.get("unit") else ""
    src = f" (attributed to {c.get('attributed_to')})" if c.get("attributed_to") else ""
    return f"{c.get('subject')} {c.get('metric')}{value}{unit} scope {c.get('scope')}{src}"


def score_document(doc_id: str, pred: dict, gold_doc: dict, text: str | None = None) -> DocScore:
    s = DocScore(doc_id)
    gold_places = gold_doc.get("places", [])
    not_places = gold_doc.get("not_places", [])
    matched: dict[int, dict] = {}  # gold index -> first matching prediction
    found_roles: set[tuple[int, str]] = set()
    for pr in pred.get("places", []):
        place = pr.get("place") or {}
        if place.get("level") == "region":
            continue
        roles = list(pr.get("roles") or [])
        if _from_not_places(pr, not_places, text):
            s.place_fp += 1
            s.place_false_positives.append(_describe(pr) + " (a not-place)")
            for role in roles:
                s.role_fp += 1
                s.role_false_positives.append(f"{_describe(pr)}: {role}")
            continue
        candidates = [i for i, g in enumerate(gold_places) if place_matches(place, g)]
        fresh = [i for i in candidates if i not in matched]
        fresh.sort(key=lambda i: gold_places[i].get("need") != "required")
        if not candidates:
            s.place_fp += 1
            s.place_false_positives.append(_describe(pr))
            for role in roles:
                s.role_fp += 1
                s.role_false_positives.append(f"{_describe(pr)}: {role}")
            continue
        if fresh:
            gi = fresh[0]
            matched[gi] = pr
            if gold_places[gi].get("need") == "required":
                s.place_tp += 1
        else:
            gi = candidates[0]  # a second prediction of a place already found: neutral
        g = gold_places[gi]
        for role in roles:
            if role in (g.get("roles") or []):
                if (gi, role) not in found_roles:
                    s.role_tp += 1
                    found_roles.add((gi, role))
            elif role in (g.get("optional_roles") or []):
                continue
            else:
                s.role_fp += 1
                s.role_false_positives.append(f"{g.get('name')} [{g.get('key')}]: {role}")
    for gi, g in enumerate(gold_places):
        if g.get("need") == "required" and gi not in matched:
            s.place_fn += 1
            s.place_misses.append(f"{g.get('name')} [{g.get('key')}]")
        if g.get("need") == "required" or gi in matched:
            for role in g.get("roles") or []:
                if (gi, role) not in found_roles:
                    s.role_fn += 1
                    s.role_misses.append(f"{g.get('name')} [{g.get('key')}]: {role}")

    preds = list(pred.get("claims", []))
    used: set[int] = set()
    gold_claims = sorted(enumerate(gold_doc.get("control_claims", [])),
                         key=lambda t: t[1].get("need", "required") != "required")
    for _, g in gold_claims:
        options = [i for i, c in enumerate(preds) if i not in used and _claim_matches(c, g)]
        options.sort(key=lambda i: not _attribution_ok(preds[i], g))
        required = g.get("need", "required") == "required"
        if not options:
            if required:
                s.claim_fn += 1
                s.claim_misses.append(_claim_label({**g, "attributed_to": g.get("attributed_to")}))
            continue
        i = options[0]
        used.add(i)
        if required:
            s.claim_tp += 1
        s.attribution_total += 1
        if _attribution_ok(preds[i], g):
            s.attribution_right += 1
        else:
            s.attribution_errors.append(f"{_claim_label(preds[i])}; expected {g.get('attributed_to')!r}")
    for i, c in enumerate(preds):
        if i in used:
            continue
        if any(_claim_matches(c, g) for g in gold_doc.get("control_claims", [])):
            continue  # a repeat of a claim already matched: neutral
        s.claim_fp += 1
        s.claim_false_positives.append(_claim_label(c))
    return s


def score(lines: Iterable, gold: dict, texts: dict[str, str] | None = None) -> Evaluation:
    """Score exported JSON lines against ``gold`` (the parsed gold file). ``texts``
    (doc_id -> text) lets predictions made from a not-place string be recognised by
    their offsets; without it, by their text."""
    preds = parse_lines(lines)
    docs = {}
    total = DocScore("total")
    for doc_id, gold_doc in gold["docs"].items():
        s = score_document(doc_id, preds.get(doc_id, {"places": [], "claims": []}), gold_doc,
                           (texts or {}).get(doc_id))
        docs[doc_id] = s
        total.add(s)
    unscored = sorted(d for d in preds if d not in gold["docs"])
    return Evaluation(docs, total, unscored)
