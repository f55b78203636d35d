"""Corroborate the numeric control claims found in articles against national assessments.

For each claim with a figure about the whole country (``claims`` rows with metric
``district_share``, ``district_count`` or ``population_share`` and scope ``AFG``), find
the assessment a reader of the article could have checked it against: among the
national assessments *published* (``reported_in``) by the article's date, the one whose
date (``as_of``) is nearest to the date the claim describes (its own ``as_of`` when the
text gives one, else the publication day). When none had been published yet, the
nearest by date is used and the line says so. The answer is a readable line::

    an article of November 2018 (Example Times), citing the New York Times, says the
    government holds 55% of 407 districts; the Resolute Support assessment of 31 July
    2018 had 226 of 407 (55.5%) under government control or influence: agrees (0.5 points)

with the difference in percentage points and a verdict: ``agrees`` (at most 1 point),
``roughly agrees`` (at most 5), ``disagrees`` (more), or ``no comparable figure``.
"""

from __future__ import annotations

import math
import re
from datetime import date

import pandas as pd

from naqsha import store

METRICS = ("district_share", "district_count", "population_share")
AGREE_POINTS = 1.0
ROUGH_POINTS = 5.0

_SUBJECTS = {
    "government": ("government", "afghan government", "gov", "govt", "kabul", "state", "afghan forces"),
    "insurgent": ("taliban", "insurgent", "insurgents", "insurgency", "militants"),
    "contested": ("contested",),
}
_COUNT_COLUMN = {"government": "government_districts", "insurgent": "insurgent_districts",
                 "contested": "contested_districts"}
_CATEGORY_WORDS = {"government": "under government control or influence",
                   "insurgent": "under insurgent control or influence", "contested": "contested"}


def subject_kind(subject: object) -> str | None:
    s = str(subject or "").strip().casefold()
    for kind, words in _SUBJECTS.items():
        if s in words or any(s.startswith(w) for w in words):
            return kind
    return None


def _day(value) -> date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if not m:
        return None
    y, mo, d = m.group(1), m.group(2), m.group(3)
    try:
        if mo is None:
            return date(int(y), 7, 1)  # a bare year: its middle
        return date(int(y), int(mo), int(d) if d else 15)  # a month: its middle
    except ValueError:
        return None


def long_day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _assessor_short(name: str) -> str:
    return re.sub(r"\s*\(.*?\)\s*", " ", str(name)).strip()


def _fmt(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def nearest_assessment(national: pd.DataFrame, target: date | None, published: date | None) -> tuple[pd.Series | None, str]:
    """The assessment to compare with, and a note when it was not yet published."""
    if national.empty:
        return None, ""
    rows = national.copy()
    rows["_as_of"] = pd.to_datetime(rows["as_of"]).dt.date
    rows["_reported"] = pd.to_datetime(rows["reported_in"]).dt.date
    target = target or published
    note = ""
    if published is not None:
        known = rows[rows["_reported"].isna() | (rows["_reported"] <= published)]
        known = known[known["_as_of"] <= published]
        if known.empty:
            note = " (published after the article)"
        else:
            rows = known
    if target is None:
        return rows.sort_values("_as_of").iloc[-1], note
    distance = rows["_as_of"].map(lambda d: abs((d - target).days))
    return rows.loc[distance.sort_values(kind="stable").index[0]], note


def corroborate(claims: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    """One row per numeric national claim, with the comparison and a readable line."""
    cols = ["claim_id", "doc_id", "outlet", "published", "attributed_to", "subject", "metric", "value",
            "of_total", "assessor", "assessment_as_of", "assessment_value", "difference", "agreement", "line"]
    if claims is None or claims.empty:
        return pd.DataFrame(columns=cols)
    keep = claims["metric"].isin(METRICS) & claims["value"].notna()
    if "scope" in claims:
        keep &= claims["scope"].fillna("AFG").isin(["AFG", ""])
    if "derived" in claims:
        keep &= ~claims["derived"].fillna(False).astype(bool)
    out = []
    for c in claims[keep].itertuples(index=False):
        published = _day(getattr(c, "published", None))
        target = _day(getattr(c, "as_of", None)) or published
        kind = subject_kind(c.subject)
        value = float(c.value)
        of_total = None if c.of_total is None or pd.isna(c.of_total) else int(c.of_total)
        who = {"government": "the government holds", "insurgent": "the Taliban hold",
               "contested": "contested are"}.get(kind, f"{c.subject} holds")
        if c.metric == "district_share":
            said = f"{_fmt(value)}% of {of_total or 'the'} districts"
        elif c.metric == "district_count":
            said = f"{_fmt(value)} of {of_total or '?'} districts"
        else:
            said = f"{_fmt(value)}% of the population"
        when = f"an article of {published:%B %Y}" if published else "an article of unknown date"
        outlet = getattr(c, "outlet", None)
        if outlet and not pd.isna(outlet):
            when += f" ({outlet})"
        cited = getattr(c, "attributed_to", None)
        head = when + (f", citing {cited}," if cited and not pd.isna(cited) else "") + f" says {who} {said}"
        a, note = nearest_assessment(national, target, published)
        row = dict(claim_id=c.claim_id, doc_id=c.doc_id, outlet=outlet, published=published, attributed_to=cited,
                   subject=c.subject, metric=c.metric, value=value, of_total=of_total, assessor=None,
                   assessment_as_of=None, assessment_value=None, difference=None, agreement="no comparable figure")
        if a is None:
            row["line"] = head + "; no national assessment in the store to compare with"
            out.append(row)
            continue
        row["assessor"], row["assessment_as_of"] = a["assessor"], a["_as_of"]
        what = f"the {_assessor_short(a['assessor'])} assessment of {long_day(a['_as_of'])}{note}"
        total = int(a["districts_total"])
        theirs: float | None = None
        if c.metric == "population_share":
            pct = a.get("government_population_pct")
            if kind == "government" and pct is not None and not pd.isna(pct):
                theirs = float(pct)
                tail = f"had {_fmt(theirs)}% of the population under government control or influence"
                claimed = value
        elif kind in _COUNT_COLUMN and a.get(_COUNT_COLUMN[kind]) is not None and not pd.isna(a.get(_COUNT_COLUMN[kind])):
            count = int(a[_COUNT_COLUMN[kind]])
            share = 100.0 * count / total
            tail = f"had {count} of {total} ({share:.1f}%) {_CATEGORY_WORDS[kind]}"
            if c.metric == "district_share":
                theirs, claimed = share, value
            else:
                theirs, claimed = share, 100.0 * value / (of_total or total)
            row["assessment_value"] = float(count) if c.metric == "district_count" else share
        if theirs is None:
            row["line"] = f"{head}; {what} has no comparable figure"
            out.append(row)
            continue
        if row["assessment_value"] is None:
            row["assessment_value"] = theirs
        diff = claimed - theirs
        row["difference"] = round(diff, 1)
        verdict = "agrees" if abs(diff) <= AGREE_POINTS else "roughly agrees" if abs(diff) <= ROUGH_POINTS else "disagrees"
        row["agreement"] = verdict
        extra = ""
        if c.metric == "district_count" and kind in _COUNT_COLUMN:
            extra = f"; {abs(value - int(a[_COUNT_COLUMN[kind]])):.0f} districts apart"
        if c.metric != "population_share" and of_total and of_total != total:
            extra += f"; note the article counts {of_total} districts, the assessment {total}"
        row["line"] = f"{head}; {what} {tail}: {verdict} ({abs(diff):.1f} points){extra}"
        out.append(row)
    return pd.DataFrame(out, columns=cols)


def with_outlets(claims: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Claims whose outlet is blank take their article's outlet from ``documents``."""
    if claims.empty or documents is None or documents.empty or "outlet" not in documents:
        return claims
    by_doc = documents.drop_duplicates("doc_id").set_index("doc_id")["outlet"]
    claims = claims.copy()
    claims["outlet"] = claims["outlet"].where(claims["outlet"].notna() & (claims["outlet"] != ""),
                                              claims["doc_id"].map(by_doc))
    return claims


def corroborate_store(root=None) -> pd.DataFrame:
    reader = store.StoreReader(root)
    docs = reader.read("documents", columns=["doc_id", "outlet"]) if reader.has("documents") else None
    return corroborate(with_outlets(reader.read("claims"), docs), reader.read("national_assessments"))
