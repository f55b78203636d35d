"""The comparison's data work, in plain functions (tested without Streamlit):

- :func:`read_assessments`, :func:`assessment_summary`, :func:`national_table`: what the
  store holds (also used by ``naqsha assessments list``);
- :func:`assessment_choices`, :func:`district_values`: one source's district values on
  the common scale (split districts averaged, and flagged);
- :func:`divergence`, :func:`divergence_summary`: two sources district by district
  (difference on the common scale, -4..4, and whether a district is assessed by only one
  of them);
- :func:`national_series`: national figures by source and date (the national series,
  and the share of assessed districts for each district-level import);
- :func:`claim_points`: numeric national claims from articles, on the same axes.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from naqsha import filters as F
from naqsha.schema import CONTROL_LABELS, CONTROL_SCALE


COMMON_LABELS = CONTROL_LABELS
SCORE_KEY = {v: k for k, v in CONTROL_SCALE.items()}


def _empty(columns):
    return pd.DataFrame(columns=columns)


def read_assessments(reader) -> pd.DataFrame:
    if reader is None or not reader.exists():
        return _empty(["source", "as_of"])
    return pd.DataFrame(reader.read("assessments"))


def read_national(reader) -> pd.DataFrame:
    if reader is None or not reader.exists():
        return _empty(["assessor", "as_of"])
    return pd.DataFrame(reader.read("national_assessments"))


# --- summaries (also used by `naqsha assessments list`) ---------------------------------
def assessment_summary(reader) -> pd.DataFrame:
    a = read_assessments(reader)
    if a.empty:
        return _empty(["source", "as_of", "scheme", "rows", "how"])
    out = []
    for (source, as_of, scheme), g in a.groupby(["source", "as_of", "scheme"], sort=True):
        counts = g["match_how"].value_counts()
        how = ", ".join(f"{n} {k}" for k, n in counts.items())
        out.append(dict(source=source, as_of=as_of, scheme=scheme, rows=len(g), how=how))
    return pd.DataFrame(out)


def national_table(reader) -> pd.DataFrame:
    n = read_national(reader)
    if n.empty:
        return _empty(["assessor", "as_of", "figures"])
    out = []
    for r in n.sort_values("as_of").itertuples(index=False):
        parts = [f"{getattr(r, c)} {w}" for c, w in (("government_districts", "government"),
                                                        ("contested_districts", "contested"),
                                                        ("insurgent_districts", "insurgent"))
                 if not pd.isna(getattr(r, c))]
        fig = f"{' / '.join(parts)} of {r.districts_total} districts"
        if not pd.isna(r.government_population_pct):
            fig += f"; government population {r.government_population_pct:g}%"
        out.append(dict(assessor=r.assessor, as_of=r.as_of, figures=fig))
    return pd.DataFrame(out)


# --- one source on the map --------------------------------------------------------------
def assessment_choices(assessments: pd.DataFrame) -> list[tuple[str, str, date]]:
    """(label, source, as_of) for every imported assessment that has district rows."""
    if assessments.empty:
        return []
    d = assessments[(assessments["level"] == "district") & assessments["place_key"].notna()]
    pairs = d[["source", "as_of"]].drop_duplicates().sort_values(["source", "as_of"])
    return [(f"{s} · {pd.Timestamp(a).date().isoformat()}", s, pd.Timestamp(a).date()) for s, a in pairs.itertuples(index=False)]


def district_values(assessments: pd.DataFrame, source: str, as_of, provinces: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per district of ours that the source assessed: ``score`` (the mean of the
    rows on it, weighted by population when every row has one), the common category (or
    ``mixed`` when a split district's parts differ), the source's labels and names."""
    cols = ["place_key", "adm1", "name", "score", "category_common", "category_original", "name_original",
            "n_rows", "relation"]
    if assessments.empty:
        return _empty(cols)
    day = pd.Timestamp(as_of).date()
    a = assessments[(assessments["source"] == source) & (pd.to_datetime(assessments["as_of"]).dt.date == day)
                    & (assessments["level"] == "district") & assessments["place_key"].notna()]
    if provinces:
        a = a[a["adm1"].isin(provinces)]
    out = []
    for key, g in a.groupby("place_key", sort=True):
        scores = g["score"].astype(float)
        pops = g["population"].astype(float)
        if len(g) > 1 and pops.notna().all() and pops.sum() > 0:
            score = float((scores * pops).sum() / pops.sum())
        else:
            score = float(scores.mean())
        cats = sorted(set(g["category_common"]))
        relation = ", ".join(sorted(set(g["relation"].dropna()))) or None
        out.append(dict(place_key=key, adm1=g["adm1"].iloc[0], name=g["name"].iloc[0], score=score,
                        category_common=cats[0] if len(cats) == 1 else "mixed",
                        category_original=" / ".join(dict.fromkeys(g["category_original"])),
                        name_original=" / ".join(dict.fromkeys(g["name_original"])),
                        n_rows=len(g), relation=relation))
    return pd.DataFrame(out, columns=cols)


def divergence(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Two sources' district values side by side: ``difference`` = score b - score a
    (positive: b sees more government control), ``apart`` = its absolute value, and
    ``status``: ``agree``, ``differ`` or ``only a`` / ``only b``."""
    keep = ["place_key", "adm1", "name", "score", "category_common", "category_original", "name_original"]
    left = a[keep].rename(columns={c: f"{c}_a" for c in keep[3:]})
    right = b[keep].rename(columns={c: f"{c}_b" for c in keep[3:]})
    m = left.merge(right, on="place_key", how="outer", suffixes=("", "_r"))
    for col in ("adm1", "name"):
        m[col] = m[col].fillna(m[f"{col}_r"])
        m = m.drop(columns=f"{col}_r")
    m["difference"] = m["score_b"] - m["score_a"]
    m["apart"] = m["difference"].abs()
    m["status"] = "differ"
    m.loc[m["apart"] == 0, "status"] = "agree"
    m.loc[m["score_a"].isna(), "status"] = "only b"
    m.loc[m["score_b"].isna(), "status"] = "only a"
    return m.sort_values(["apart", "place_key"], ascending=[False, True], na_position="last").reset_index(drop=True)


def divergence_summary(div: pd.DataFrame) -> dict:
    both = div[div["status"].isin(["agree", "differ"])]
    return dict(
        both=len(both),
        agree=int((both["apart"] == 0).sum()),
        differ=int((both["apart"] > 0).sum()),
        differ_2_or_more=int((both["apart"] >= 2).sum()),
        mean_apart=round(float(both["apart"].mean()), 2) if len(both) else None,
        only_a=int((div["status"] == "only a").sum()),
        only_b=int((div["status"] == "only b").sum()),
    )


# --- national timeline ----------------------------------------------------------------
SERIES_METRICS = {
    "government districts %": "share of districts under government control or influence",
    "contested districts %": "share of districts contested",
    "insurgent districts %": "share of districts under insurgent control or influence",
    "government population %": "share of the population under government control or influence",
}


def national_series(reader, filters: F.Filters | None = None) -> pd.DataFrame:
    """Long frame (source, as_of, metric, value, detail, kind='assessment'): the national
    series, plus for each district-level import the share of the districts it assessed."""
    f = filters or F.Filters()
    rows = []
    n = read_national(reader)
    for r in n.itertuples(index=False):
        total = float(r.districts_total)
        for col, metric in (("government_districts", "government districts %"),
                            ("contested_districts", "contested districts %"),
                            ("insurgent_districts", "insurgent districts %")):
            v = getattr(r, col)
            if not pd.isna(v):
                rows.append(dict(source=r.assessor, as_of=pd.Timestamp(r.as_of).date(), metric=metric,
                                 value=round(100.0 * float(v) / total, 1),
                                 detail=f"{int(v)} of {int(total)} districts", kind="assessment"))
        if not pd.isna(r.government_population_pct):
            rows.append(dict(source=r.assessor, as_of=pd.Timestamp(r.as_of).date(), metric="government population %",
                             value=float(r.government_population_pct), detail="of the population", kind="assessment"))
    a = read_assessments(reader)
    if not a.empty:
        d = a[(a["level"] == "district") & a["place_key"].notna()]
        for (source, as_of), g in d.groupby(["source", "as_of"]):
            vals = district_values(d, source, as_of)
            total = len(vals)
            if not total:
                continue
            for metric, mask in (("government districts %", vals["score"] > 0),
                                 ("contested districts %", vals["score"] == 0),
                                 ("insurgent districts %", vals["score"] < 0)):
                k = int(mask.sum())
                rows.append(dict(source=f"{source} (district file)", as_of=pd.Timestamp(as_of).date(), metric=metric,
                                 value=round(100.0 * k / total, 1),
                                 detail=f"{k} of the {total} districts it assessed", kind="assessment"))
    out = pd.DataFrame(rows, columns=["source", "as_of", "metric", "value", "detail", "kind"])
    if f.date_from:
        out = out[out["as_of"] >= f.date_from]
    if f.date_to:
        out = out[out["as_of"] <= f.date_to]
    return out.sort_values(["source", "metric", "as_of"]).reset_index(drop=True)


def claim_points(claims: pd.DataFrame, filters: F.Filters | None = None) -> pd.DataFrame:
    """Numeric national claims from articles, as points on the timeline's axes."""
    cols = ["source", "as_of", "metric", "value", "detail", "kind"]
    if claims is None or claims.empty:
        return _empty(cols)
    c = F.filter_claims(claims, filters or F.Filters()) if filters else claims
    c = c[c["metric"].isin(["district_share", "district_count", "population_share"]) & c["value"].notna()]
    if "scope" in c:
        c = c[c["scope"].fillna("AFG") == "AFG"]
    if "derived" in c:
        c = c[~c["derived"].fillna(False).astype(bool)]
    from naqsha.etl.corroborate import _day, subject_kind

    rows = []
    for r in c.itertuples(index=False):
        kind = subject_kind(r.subject)
        when = _day(getattr(r, "as_of", None)) or _day(r.published)
        if when is None or kind is None:
            continue
        value = float(r.value)
        if r.metric == "district_count":
            if pd.isna(r.of_total) or not r.of_total:
                continue
            value = 100.0 * value / float(r.of_total)
        if r.metric == "population_share":
            if kind != "government":
                continue
            metric = "government population %"
        else:
            metric = {"government": "government districts %", "insurgent": "insurgent districts %",
                      "contested": "contested districts %"}[kind]
        outlet = r.outlet if isinstance(r.outlet, str) and r.outlet else F.UNKNOWN_OUTLET
        cited = r.attributed_to if isinstance(r.attributed_to, str) and r.attributed_to else None
        rows.append(dict(source=f"claim: {cited or outlet}", as_of=when, metric=metric, value=round(value, 1),
                         detail=f"{outlet}" + (f", citing {cited}" if cited else "") + f": {str(r.text)[:160]}",
                         kind="article claim"))
    return pd.DataFrame(rows, columns=cols)


def find_choice(assessments: pd.DataFrame, label: str) -> tuple[str, str, date]:
    """A choice by its label ("Source · 2018-07-31") or by source name alone (latest date)."""
    from naqsha.errors import SnapshotError

    choices = assessment_choices(assessments)
    for c in choices:
        if c[0] == label:
            return c
    same = [c for c in choices if c[1] == label]
    if same:
        return same[-1]
    known = "; ".join(c[0] for c in choices) or "none (import some with `naqsha assessments import`)"
    raise SnapshotError(f"no district-level assessment {label!r} in the store; known: {known}")


def split_label(label: str) -> tuple[str, date]:
    source, _, day = label.rpartition(" · ")
    return source, date.fromisoformat(day)
