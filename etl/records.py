"""In-memory records passed between ETL stages (reader -> geoparser -> roles/claims).

They mirror the store tables in ``naqsha.schema``; the pipeline turns lists of them into
table rows with ``dataclasses.asdict``. Offsets are Unicode code points into
``Article.text`` (end exclusive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Article:
    doc_id: str
    path: str
    text: str
    content_hash: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    licence: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    dateline: str | None = None
    kind: str | None = None
    metadata_source: str = "text"
    is_sample: bool = False


@dataclass
class Reject:
    path: str
    reason: str
    detail: str


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


@dataclass(frozen=True)
class Place:
    """A resolved place: one gazetteer entry (see ``naqsha.schema._PLACE_COLUMNS``)."""

    place_key: str
    level: str
    name: str
    precision: int
    adm0: str | None = None
    adm1: str | None = None
    adm2: str | None = None
    geonames_id: int | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class Mention:
    start: int
    end: int
    text: str
    place: Place
    resolution: str
    metonymy: bool = False
    sentence: Sentence | None = None


@dataclass
class GeoparseResult:
    sentences: list[Sentence]
    mentions: list[Mention]
    #: Places the text may imply without naming them (the country a national control
    #: claim is about: "the government controls 54% of the country's districts").
    implied: dict[str, Place] = field(default_factory=dict)

    def places(self) -> dict[str, Place]:
        return {m.place.place_key: m.place for m in self.mentions}


@dataclass
class Event:
    place: Place
    role: str
    sentence: Sentence
    event_date: date | None = None
    date_precision: str | None = None
    fatalities: int | None = None
    fatalities_approx: bool | None = None
    actors: list[str] = field(default_factory=list)


@dataclass
class Claim:
    subject: str
    metric: str
    scope: str
    start: int
    end: int
    text: str
    value: float | None = None
    unit: str | None = None
    of_total: int | None = None
    attributed_to: str | None = None
    as_of: str | None = None
    derived: bool = False
