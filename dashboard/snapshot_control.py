"""The control map: sub-national claims as a choropleth by who is said to control the
place (the latest claim per place), national claims as cards, one per source and
publication day; and the one-line phrasing of a claim and its source."""

from __future__ import annotations

import pandas as pd

from naqsha.filters import outlet_label

from . import cartography as carto
from .cartography import LAND, MUTED, TEXT
from .snapshot_data import SnapshotData, as_day


MAX_CLAIM_LABELS = 15


SUBJECT_COLOURS = {
    "government": "#2166ac",
    "taliban": "#b2182b",
    "insurgents": "#b2182b",
    "contested": "#f1a340",
    "isis": "#542788",
    "islamic state": "#542788",
}
OTHER_SUBJECT = "#8c8c8c"


def claim_phrase(row) -> str:
    """One line for a claim: 'government: 55% of 407 districts (as of 2018)'."""
    metric, value, total = row.get("metric"), row.get("value"), row.get("of_total")
    subject = str(row.get("subject") or "?")
    v = f"{float(value):g}" if value is not None and pd.notna(value) else None
    total = int(total) if total is not None and pd.notna(total) else None
    if metric == "district_share" and v is not None:
        what = f"{v}% of {total} districts" if total else f"{v}% of districts"
    elif metric == "population_share" and v is not None:
        what = f"{v}% of the population"
    elif metric == "territory_share" and v is not None:
        what = f"{v}% of the territory"
    elif metric == "district_count" and v is not None:
        what = f"{v} districts" + (f" of {total}" if total else "")
    else:
        text = " ".join(str(row.get("text") or "").split())
        what = "“" + (text[:90] + "…" if len(text) > 90 else text) + "”"
    as_of = row.get("as_of")
    when = f" (as of {as_of})" if as_of is not None and pd.notna(as_of) and str(as_of) else ""
    if metric == "qualitative" or v is None:
        return f"{subject}: {what}{when}"
    if subject.lower() == "contested":
        return f"{what} contested{when}"
    return f"{subject} controls {what}{when}"


def _national(claims: pd.DataFrame) -> pd.DataFrame:
    if claims.empty:
        return claims.assign(_outlet=None, _cited=None, _pub=None)
    nat = claims[claims["scope"].eq("AFG") & ~claims["derived"].fillna(False).astype(bool)]
    return nat.assign(_outlet=outlet_label(nat["outlet"].astype(object)),
                      _cited=nat["attributed_to"].astype(object).fillna(""),
                      _pub=pd.to_datetime(nat["published"], errors="coerce"))


_CARD_KEYS = ["_pub", "_outlet", "_cited"]


def count_national_cards(claims: pd.DataFrame) -> int:
    nat = _national(claims)
    return 0 if nat.empty else len(nat[_CARD_KEYS].drop_duplicates())


def national_cards(claims: pd.DataFrame, limit: int | None = None) -> list[tuple[str, list[str]]]:
    """National claims grouped by (publication day, outlet, cited source), newest first
    (unknown days last): a heading and its lines, for the first ``limit`` groups. Derived
    complements are left out (they repeat the claim they come from)."""
    nat = _national(claims)
    if nat.empty:
        return []
    groups = nat[_CARD_KEYS].drop_duplicates().sort_values(
        _CARD_KEYS, ascending=[False, True, True], na_position="last", kind="stable")
    if limit is not None:
        groups = groups.head(limit)
    chosen = nat.merge(groups.assign(_order=range(len(groups))), on=_CARD_KEYS, how="inner")
    cards = []
    for (_, pub, outlet, cited), group in chosen.groupby(["_order"] + _CARD_KEYS, sort=True, dropna=False):
        when = f"{pub:%d %b %Y}" if pd.notna(pub) else "date unknown"
        head = f"{outlet}, {when}" + (f", citing {cited}" if cited else "")
        lines = list(dict.fromkeys(claim_phrase(r) for r in group.to_dict("records")))
        cards.append((head, lines))
    return cards


def claim_source(row) -> str:
    """'Al Jazeera citing Resolute Support, 12 Nov 2018'."""
    outlet = row.get("outlet")
    outlet = outlet if isinstance(outlet, str) and outlet else "(outlet not named)"
    cited = row.get("attributed_to")
    pub = as_day(row.get("published"))
    text = outlet + (f" citing {cited}" if isinstance(cited, str) and cited else "")
    return text + (f", {pub:%d %b %Y}" if pub else "")


def subject_colour(subject) -> str:
    return SUBJECT_COLOURS.get(str(subject).lower(), OTHER_SUBJECT)


def local_claims(claims: pd.DataFrame, provinces, districts):
    """Sub-national claims joined to their polygons: the latest claim per place."""
    if claims.empty:
        return claims.assign(geometry=None), claims
    local = claims[claims["scope"].ne("AFG") & ~claims["derived"].fillna(False).astype(bool)]
    local = local.sort_values(["scope", "published", "claim_id"], na_position="first").groupby("scope").tail(1)
    is_district = local["scope"].str.contains("/", regex=False)
    d = local[is_district].merge(districts[["code", "geometry"]], left_on="scope", right_on="code", how="left")
    p = local[~is_district].merge(provinces[["code", "geometry"]], left_on="scope", right_on="code", how="left")
    both = pd.concat([p.assign(_level="province"), d.assign(_level="district")], ignore_index=True)
    return both[both["geometry"].notna()], both[both["geometry"].isna()]


def draw_control(ax, side, data: SnapshotData, provinces, districts, placer, fontsize, legend_size, wrap_width,
             portrait):
    from matplotlib.patches import Patch

    claims = data.claims
    names = dict(zip(provinces["code"], provinces["label"]))
    local, unmatched = local_claims(claims, provinces, districts)
    subjects = []
    if len(local):
        g = carto.geo_frame(local, provinces.crs)
        for level in ("province", "district"):
            part = g[g["_level"].eq(level)]
            if not len(part):
                continue
            part.plot(ax=ax, color=[subject_colour(s) for s in part["subject"]], alpha=0.55 if level == "district" else 0.35,
                      edgecolor="#333333", linewidth=0.5, hatch=None if level == "district" else "\\\\", zorder=4)
        # label the places when they are few enough to read; else the legend and the note
        few = len(g) <= MAX_CLAIM_LABELS
        if not few:
            data.notes.append(f"{len(g):,} places carry a sub-national claim; they are too many to label "
                              "here (the dashboard's table lists them, with sources).")
        for _, row in (g.sort_values(["_level", "scope"]) if few else g.iloc[:0]).iterrows():
            pt = row["geometry"].representative_point()
            v = f" {row['value']:g}%" if pd.notna(row["value"]) and row["metric"] != "qualitative" else ""
            place = row["scope"].split("/")[-1] if row["_level"] == "district" else names.get(row["scope"], row["scope"])
            placer.place(pt.x, pt.y, f"{place}: {row['subject']}{v}\n{claim_source(row)}",
                         offsets=((0, 0), (0, 8), (0, -8)), fontsize=fontsize - 0.5, color=TEXT, zorder=12,
                         halo=2.2, linespacing=1.1, fontweight="bold")
        subjects = sorted(set(local["subject"].astype(str)))
    if len(unmatched):
        data.notes.append(f"{len(unmatched)} sub-national claim(s) name a place missing from the boundary layer: "
                          + ", ".join(sorted(set(unmatched["scope"].astype(str)))[:5]) + ".")
    handles = [Patch(facecolor=subject_colour(s), alpha=0.55, edgecolor="#333333",
                     label=f"{s[:1].upper() + s[1:]}") for s in subjects]
    if len(local) and local["_level"].eq("province").any():
        handles.append(Patch(facecolor="#bbbbbb", edgecolor="#333333", hatch="\\\\", label="Hatched: the claim is about a whole province"))
    handles.append(Patch(facecolor=LAND, edgecolor="#333333", label="No claim about the place"))
    leg = carto.legend(side, handles, "Who controls the place, per the latest claim", legend_size,
                  loc="upper left" if not portrait else "upper left")
    return leg


def draw_cards(side, cards, top_y, size, wrap_width, x=0.0, width=1.0, floor=None, total=None):
    """National claim cards stacked from ``top_y`` (axes fraction) downwards; the ones
    that do not fit are counted in a final line."""
    fig = side.figure
    renderer = fig.canvas.get_renderer()
    frame = side.get_window_extent(renderer)
    y = top_y
    side.text(x, y, "National claims (one card per source and publication day)", transform=side.transAxes,
              fontsize=size + 1, fontweight="bold", va="top", color=TEXT)
    y -= (size + 6) / 72 * fig.dpi / frame.height
    if not cards:
        side.text(x, y, "None match the filters.", transform=side.transAxes, fontsize=size, va="top", color=MUTED)
        return
    shown = 0
    for head, lines in cards:
        body = carto.wrap(head, wrap_width) + "\n" + "\n".join(carto.wrap("– " + ln, wrap_width) for ln in lines)
        t = side.text(x + 0.01, y, body, transform=side.transAxes, fontsize=size, va="top", ha="left", color=TEXT,
                      linespacing=1.3, bbox=dict(boxstyle="round,pad=0.4", fc="#f3f1ec", ec="#c9c5bb", lw=0.6))
        ext = t.get_window_extent(renderer)
        if ext.y0 < (floor if floor is not None else frame.y0) + 14:
            t.remove()
            break
        shown += 1
        y -= (ext.height + 10) / frame.height
    total = len(cards) if total is None else total
    if shown < total:
        side.text(x, max(y, 0.0), f"… and {total - shown:,} more cards (narrow the filters to see them)",
                  transform=side.transAxes, fontsize=size, va="top", color=MUTED)
