"""The filters every view applies (dashboard maps, tables, snapshots), in one place.

A :class:`Filters` value round-trips through URL query parameters so that a dashboard
view can be shared, and through CLI options so that ``naqsha snapshot`` draws exactly
what the dashboard shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class Filters:
    outlets: tuple[str, ...] = ()          # publisher of the article; empty = all
    cited: tuple[str, ...] = ()            # source the article cites (claims); empty = all
    roles: tuple[str, ...] = ()            # violence / negotiation / control; empty = all
    date_from: date | None = None
    date_to: date | None = None
    provinces: tuple[str, ...] = ()        # ISO 3166-2 codes; empty = all

    def with_(self, **changes) -> "Filters":
        return replace(self, **changes)

    # --- URL query parameters -------------------------------------------------------
    def to_query(self) -> dict[str, list[str] | str]:
        q: dict[str, list[str] | str] = {}
        for key in ("outlets", "cited", "roles", "provinces"):
            if getattr(self, key):
                q[key] = list(getattr(self, key))
        if self.date_from:
            q["from"] = self.date_from.isoformat()
        if self.date_to:
            q["to"] = self.date_to.isoformat()
        return q

    @classmethod
    def from_query(cls, query: dict) -> "Filters":
        """Build from ``st.query_params.to_dict()``-like input; bad values are ignored."""

        def many(key):
            value = query.get(key) or ()
            return tuple(value) if isinstance(value, (list, tuple)) else (value,)

        def day(key):
            try:
                return date.fromisoformat(str(query[key])) if query.get(key) else None
            except ValueError:
                return None

        return cls(
            outlets=many("outlets"), cited=many("cited"), roles=many("roles"),
            provinces=many("provinces"), date_from=day("from"), date_to=day("to"),
        )

    def describe(self) -> str:
        """A one-line human summary, for map subtitles and empty-state messages."""
        parts = []
        if self.outlets:
            parts.append("outlet: " + ", ".join(self.outlets))
        if self.cited:
            parts.append("cited source: " + ", ".join(self.cited))
        if self.roles:
            parts.append("role: " + ", ".join(self.roles))
        if self.provinces:
            parts.append("province: " + ", ".join(self.provinces))
        if self.date_from or self.date_to:
            parts.append(f"dates: {self.date_from or '…'} to {self.date_to or '…'}")
        return "; ".join(parts) if parts else "all sources, all dates"


UNKNOWN_OUTLET = "(outlet not named)"
OWN_CLAIM = "(article's own claim)"


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_datetime(frame[column], errors="coerce").dt.date


def _in_range(days: pd.Series, f: Filters) -> pd.Series:
    keep = pd.Series(True, index=days.index)
    if f.date_from:
        keep &= days.apply(lambda d: d is not None and not pd.isna(d) and d >= f.date_from)
    if f.date_to:
        keep &= days.apply(lambda d: d is not None and not pd.isna(d) and d <= f.date_to)
    return keep


def outlet_label(series: pd.Series) -> pd.Series:
    return series.fillna(UNKNOWN_OUTLET).replace("", UNKNOWN_OUTLET)


def filter_events(events: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Events matching the filters. The date is the event's own, else the publication day."""
    keep = pd.Series(True, index=events.index)
    if f.outlets:
        keep &= outlet_label(events["outlet"]).isin(f.outlets)
    if f.roles:
        keep &= events["role"].isin(f.roles)
    if f.provinces:
        keep &= events["adm1"].isin(f.provinces)
    if f.date_from or f.date_to:
        when = _dates(events, "event_date").where(events["event_date"].notna(), _dates(events, "published"))
        keep &= _in_range(when, f)
    return events[keep]


def filter_claims(claims: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Claims matching the filters (role filters other than 'control' hide all claims)."""
    keep = pd.Series(True, index=claims.index)
    if f.roles and "control" not in f.roles:
        keep &= False
    if f.outlets:
        keep &= outlet_label(claims["outlet"]).isin(f.outlets)
    if f.cited:
        keep &= claims["attributed_to"].fillna(OWN_CLAIM).isin(f.cited)
    if f.provinces:
        keep &= claims["scope"].str.slice(0, 6).isin(f.provinces)
    if f.date_from or f.date_to:
        keep &= _in_range(_dates(claims, "published"), f)
    return claims[keep]
