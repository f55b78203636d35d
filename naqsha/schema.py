"""The store's data model: every table, its columns, their types, in one place.

The ETL writes these tables and everything else (dashboard, snapshots, export) reads
them. A table with ``geometry=True`` is written as GeoParquet with a point geometry
built from its ``lon``/``lat`` columns (EPSG:4326). Bump ``STORE_VERSION`` when a
column changes meaning or type: a store of another version is rebuilt, not misread.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

STORE_VERSION = 1

ROLES = ("violence", "negotiation", "control")
LEVELS = ("country", "province", "district", "city", "region")
# UCDP GED where_prec: 1 exact place, 2 within ~25 km, 3 district, 4 province,
# 5 larger part of a country or vague, 6 country, 7 international waters or airspace.
PRECISION_BY_LEVEL = {"city": 1, "district": 3, "province": 4, "region": 5, "country": 6}


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool = True
    doc: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    geometry: bool = False
    doc: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, c.nullable) for c in self.columns])


def _c(name, type_, nullable=True, doc=""):
    return Column(name, type_, nullable, doc)


STR = pa.string()
LIST_STR = pa.list_(pa.string())

# Columns that place a row on the map; shared by places and events.
_PLACE_COLUMNS = (
    _c("place_key", STR, False, "country ISO3, province ISO 3166-2, 'AF-XXX/District', 'geonames:ID' or 'region:slug'"),
    _c("level", STR, False, "one of LEVELS"),
    _c("adm0", STR, True, "ISO 3166-1 alpha-3 (or ISO 3166-3 for former countries)"),
    _c("adm1", STR, True, "ISO 3166-2 code for places in a province"),
    _c("adm2", STR, True, "district name as spelled in the geoBoundaries AFG ADM2 layer"),
    _c("name", STR, False, "display name"),
    _c("geonames_id", pa.int64(), True),
    _c("lat", pa.float64(), True, "WGS84; for an area, a point inside it"),
    _c("lon", pa.float64(), True),
    _c("precision", pa.int8(), False, "UCDP where_prec"),
)

TABLES: dict[str, Table] = {}


def _register(table: Table) -> Table:
    TABLES[table.name] = table
    return table


DOCUMENTS = _register(Table("documents", (
    _c("doc_id", STR, False, "file name without extension (or record id in a json file)"),
    _c("path", STR, False, "path relative to the corpus folder"),
    _c("content_hash", STR, False, "sha256 of the text and metadata, for incremental runs"),
    _c("title", STR),
    _c("outlet", STR, doc="publisher of the article"),
    _c("url", STR),
    _c("licence", STR),
    _c("published_from", pa.date32(), doc="earliest plausible publication day"),
    _c("published_to", pa.date32(), doc="latest plausible publication day"),
    _c("dateline", STR),
    _c("kind", STR, doc="news, opinion, analysis, sample ..."),
    _c("metadata_source", STR, doc="front_matter, sidecar, record or text"),
    _c("is_sample", pa.bool_(), False, "true for the built-in sample articles"),
    _c("n_chars", pa.int32(), False),
    _c("text", pa.large_string(), False, "the text as read; mention offsets index into it"),
), doc="One row per article read."))

REJECTS = _register(Table("rejects", (
    _c("path", STR, False),
    _c("reason", STR, False, "short code: binary, empty, too_large, encoding, invalid_json, bad_metadata, vanished, ..."),
    _c("detail", STR, False, "one sentence for the user"),
), doc="Articles the last run could not read, and why."))

MENTIONS = _register(Table("mentions", (
    _c("doc_id", STR, False),
    _c("place_key", STR, False),
    _c("start", pa.int32(), False, "code-point offset into documents.text"),
    _c("end", pa.int32(), False, "end exclusive"),
    _c("text", STR, False),
    _c("resolution", STR, False, "how the place was resolved (exact, alias, fuzzy, contained, ...)"),
    _c("metonymy", pa.bool_(), False, "the name stands for an actor (the Kabul government): nothing happens there"),
    _c("sentence_start", pa.int32(), False),
    _c("sentence_end", pa.int32(), False),
), doc="Every mention of a resolved place."))

PLACES = _register(Table("places", (
    _c("doc_id", STR, False),
    *_PLACE_COLUMNS,
    _c("roles", LIST_STR, False, "roles the text reports there; empty when only mentioned"),
    _c("n_mentions", pa.int32(), False),
    _c("resolution", STR, False, "how the first mention was resolved"),
), geometry=True, doc="One row per (document, resolved place)."))

EVENTS = _register(Table("events", (
    _c("event_id", STR, False, "stable hash of doc_id, place_key and role"),
    _c("doc_id", STR, False),
    _c("role", STR, False, "violence, negotiation or control"),
    *_PLACE_COLUMNS,
    _c("sentence_start", pa.int32(), False),
    _c("sentence_end", pa.int32(), False),
    _c("evidence", STR, False, "the sentence that links the place to the event"),
    _c("event_date", pa.date32(), doc="when it happened, where the text says"),
    _c("date_precision", STR, doc="day, week, month, year, or null when unknown"),
    _c("fatalities", pa.int32(), doc="deaths stated in the text"),
    _c("fatalities_approx", pa.bool_(), doc="'around a dozen', 'dozens'"),
    _c("actors", LIST_STR, doc="actors the clause names"),
    _c("outlet", STR, doc="publisher of the article (copied from documents)"),
    _c("published", pa.date32(), doc="publication day (earliest plausible)"),
), geometry=True, doc="One row per (document, place, role)."))

CLAIMS = _register(Table("claims", (
    _c("claim_id", STR, False),
    _c("doc_id", STR, False),
    _c("subject", STR, False, "government, taliban, ..."),
    _c("metric", STR, False, "district_share, population_share, territory_share, district_count, qualitative"),
    _c("value", pa.float64(), doc="null for qualitative claims"),
    _c("unit", STR, doc="percent, districts, or null"),
    _c("of_total", pa.int32(), doc="the district total the figure is out of"),
    _c("scope", STR, False, "place key the claim is about (AFG, AF-XXX, AF-XXX/District)"),
    _c("attributed_to", STR, doc="the source the article cites; null when it is the article's own"),
    _c("as_of", STR, doc="ISO date or year the claim describes"),
    _c("start", pa.int32(), False),
    _c("end", pa.int32(), False),
    _c("text", STR, False),
    _c("derived", pa.bool_(), False, "computed from another claim (the complement of a share)"),
    _c("outlet", STR),
    _c("published", pa.date32()),
), doc="Statements about who controls territory or population."))


# --- control assessments (issue 7: etl/assessments.py writes these) ---------------------
# The common scale every scheme maps onto (etl/schemes.py): key -> score; + is government.
CONTROL_SCALE = {
    "government_control": 2,
    "government_influence": 1,
    "contested": 0,
    "insurgent_influence": -1,
    "insurgent_control": -2,
}
CONTROL_LABELS = {key: key.replace("_", " ") for key in CONTROL_SCALE}

ASSESSMENTS = _register(Table("assessments", (
    _c("source", STR, False, "who made the assessment (--source), e.g. 'Resolute Support'"),
    _c("as_of", pa.date32(), False, "the date the assessment describes"),
    _c("scheme", STR, False, "rs, lwj, or the custom scheme's name"),
    _c("level", STR, False, "district, province or country"),
    _c("place_key", STR, True, "AF-XXX/District, AF-XXX or AFG; null when unmatched"),
    _c("adm1", STR, True, "ISO 3166-2 province code of the matched place"),
    _c("name", STR, True, "our name for the matched place"),
    _c("name_original", STR, False, "the place as the source wrote it"),
    _c("province_original", STR, True, "the province as the source wrote it"),
    _c("category_original", STR, False, "the source's own label, kept verbatim"),
    _c("category_common", STR, False, "key of CONTROL_SCALE"),
    _c("score", pa.int8(), False, "CONTROL_SCALE value: 2 government control .. -2 insurgent control"),
    _c("population", pa.float64(), True),
    _c("notes", STR, True),
    _c("match_how", STR, False, "exact, alias, fuzzy, merge or unmatched"),
    _c("match_score", pa.float64(), True, "rapidfuzz score for fuzzy matches"),
    _c("match_detail", STR, True, "which name matched, or why nothing did, with suggestions"),
    _c("relation", STR, True, "null, 'split' (several source rows for one district) or 'merge' (one row for several)"),
    _c("file", STR, False, "file name imported"),
    _c("row", pa.int32(), False, "line (CSV) or row (XLSX) number in that file"),
), doc="District/province/national control assessments by source, on a common scale."))

NATIONAL_ASSESSMENTS = _register(Table("national_assessments", (
    _c("assessor", STR, False, "who assessed, as cited"),
    _c("reported_in", pa.date32(), True, "publication date of the report that carries the figures"),
    _c("as_of", pa.date32(), False, "the date the figures describe"),
    _c("districts_total", pa.int32(), False),
    _c("government_districts", pa.int32(), True, "under government control or influence"),
    _c("contested_districts", pa.int32(), True),
    _c("insurgent_districts", pa.int32(), True, "under insurgent control or influence"),
    _c("government_population_pct", pa.float64(), True),
    _c("categories", STR, True, "the assessor's categories, as cited"),
    _c("verified", STR, True, "how the figures were checked"),
    _c("file", STR, False, "file name imported"),
), doc="National district-control figures (the reference-series format; see etl/assessments.py)."))


def table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no store table named {name!r}; known: {', '.join(TABLES)}") from None
