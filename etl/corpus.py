"""Reading a folder of articles: text, metadata and the list of what could not be read.

``read_corpus(folder)`` walks the folder recursively and returns ``(articles, rejects)``.

- ``.txt``: the text as it is.
- ``.md``: optional YAML front matter (title, outlet, date or published_from/_to, url,
  licence, dateline, kind, is_sample), then the text.
- ``.html``/``.htm``: the visible text only, through a real HTML parser (selectolax);
  script, style, template and head contents are dropped, block elements become
  paragraphs. ``<title>`` and the usual ``<meta>`` tags give metadata.
- ``.json``: one record, a list of records, or ``{"articles"|"records"|"documents": [...]}``;
  ``.jsonl``: one record a line. A record has a text field (``text``, ``body`` or
  ``content``) and metadata fields; its doc_id is its ``id``/``doc_id``, else the file name
  plus the record's index. The size cap applies to each record's text; the file itself
  may be ``CONTAINER_FACTOR`` times the cap.

Metadata comes, in this order, from front matter or the record itself, a ``corpus.json``
sidecar in the same folder (``{"articles": [{"file": ..., "outlet": ..., ...}]}``), and
what the text shows (a closing "Source: X" line, a licence line naming the agency, a
dateline such as "KABUL (Reuters) -", a short first line as the title).

Text is decoded as UTF-8, else the encoding is detected (charset-normalizer). Binary
files, empty files, files over the size cap, invalid JSON, impossible dates, files that
vanish while the run reads them and unsupported file types become :class:`Reject` rows
with a reason code and one sentence for the user; they are never skipped silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from naqsha.errors import CorpusError
from naqsha.etl.records import Article, Reject

#: Largest article file read, in bytes (override with NAQSHA_MAX_ARTICLE_BYTES).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: A .json/.jsonl file (many articles) may be this many times the per-article cap.
CONTAINER_FACTOR = 20
SIDECAR = "corpus.json"
TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES
TEXT_FIELDS = ("text", "body", "content")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def max_bytes_setting() -> int:
    value = os.environ.get("NAQSHA_MAX_ARTICLE_BYTES")
    if not value:
        return DEFAULT_MAX_BYTES
    try:
        return max(1, int(value))
    except ValueError:
        raise CorpusError(
            f"NAQSHA_MAX_ARTICLE_BYTES={value!r} is not a number of bytes; set it to an "
            "integer such as 10485760 (10 MB) or unset it."
        ) from None


class _RejectError(Exception):
    """Raised inside the reader for one file or record; becomes a Reject."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class _Meta:
    """Metadata gathered for one article before it becomes an Article."""

    values: dict = field(default_factory=dict)
    source: str | None = None

    def fill(self, other: dict, source: str) -> None:
        used = False
        for key, value in other.items():
            if value in (None, "") or self.values.get(key) not in (None, ""):
                continue
            self.values[key] = value
            used = True
        if used and self.source is None:
            self.source = source


# ---------------------------------------------------------------------------- listing


def _list_files(root: Path) -> list[Path]:
    """Every file under ``root`` (sorted, hidden files and folders left out)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                found.append(Path(dirpath) / name)
    return found


def read_corpus(folder: str | os.PathLike, max_bytes: int | None = None) -> tuple[list[Article], list[Reject]]:
    """Read every article under ``folder``: ``(articles sorted by doc_id, rejects)``.

    A folder that does not exist or is not a folder is a :class:`CorpusError`; a single
    bad file is a reject and the rest is read.
    """
    scan = scan_corpus(folder, max_bytes=max_bytes)
    return scan.articles, scan.rejects


@dataclass
class CorpusScan:
    """What :func:`scan_corpus` found.

    ``unchanged`` maps the files that were not read again (same size, modification time
    and sidecar as last run, per ``known``) to their doc_ids; ``stats`` holds, for every
    file whose documents were all read cleanly (or were unchanged), the file signature and
    doc_ids to pass as ``known`` next time."""

    articles: list[Article]
    rejects: list[Reject]
    unchanged: dict[str, list[str]] = field(default_factory=dict)
    stats: dict[str, dict] = field(default_factory=dict)
    started_ns: int = 0


def _signature(st: os.stat_result, sidecar: tuple[int, int]) -> list[int]:
    return [st.st_size, st.st_mtime_ns, *sidecar]


def _sidecar_signature(directory: Path) -> tuple[int, int]:
    try:
        st = (directory / SIDECAR).stat()
        return st.st_size, st.st_mtime_ns
    except OSError:
        return 0, 0


#: Files modified this close to the start of the run that recorded them are read again
#: (coarse file-system clocks could hide a change of the same size).
RACY_MARGIN_NS = 2_000_000_000


def scan_corpus(folder: str | os.PathLike, max_bytes: int | None = None, known: dict[str, dict] | None = None,
                trust_before_ns: int | None = None, on_article: Callable[[Article], None] | None = None) -> CorpusScan:
    """:func:`read_corpus`, skipping files that ``known`` (a previous scan's ``stats``)
    says are unchanged: same size, modification time (older than ``trust_before_ns``
    minus a margin) and sidecar signature. ``on_article`` is called with each article as
    soon as it is accepted (in reading order, before the final sort by doc_id), so the
    caller can start work on it while the rest of the folder is read."""
    started_ns = time.time_ns()
    root = Path(folder).expanduser()
    if not root.exists():
        raise CorpusError(f"The corpus folder {root} does not exist. Pass an existing folder with --corpus.")
    if not root.is_dir():
        raise CorpusError(f"{root} is not a folder. Pass the folder that holds the articles with --corpus.")
    root = root.resolve()
    cap = max_bytes if max_bytes is not None else max_bytes_setting()
    known = known or {}
    trust_ns = (trust_before_ns or 0) - RACY_MARGIN_NS
    scan = CorpusScan([], [], started_ns=started_ns)
    rejects = scan.rejects
    sidecars: dict[Path, dict[str, dict]] = {}
    sidecar_sigs: dict[Path, tuple[int, int]] = {}
    seen: dict[str, str] = {}
    for path in _list_files(root):
        rel = path.relative_to(root).as_posix()
        if path.name == SIDECAR:
            continue  # read with the folder it describes
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED:
            rejects.append(Reject(rel, "unsupported", f"{suffix or 'no extension'} files are not read; "
                                  f"use .txt, .md, .html, .json or .jsonl"))
            continue
        if path.parent not in sidecar_sigs:
            sidecar_sigs[path.parent] = _sidecar_signature(path.parent)
        signature = None
        if known:
            try:
                signature = _signature(path.stat(), sidecar_sigs[path.parent])
            except OSError:
                signature = None
            entry = known.get(rel)
            if (signature is not None and entry and entry.get("signature") == signature
                    and signature[1] < trust_ns and not any(d in seen for d in entry["doc_ids"])):
                for doc_id in entry["doc_ids"]:
                    seen[doc_id] = rel
                scan.unchanged[rel] = list(entry["doc_ids"])
                scan.stats[rel] = {"signature": signature, "doc_ids": list(entry["doc_ids"])}
                continue
        if path.parent not in sidecars:
            sidecars[path.parent] = _load_sidecar(path.parent, root, rejects)
        try:
            if signature is None:
                signature = _signature(path.stat(), sidecar_sigs[path.parent])
            records = _read_file(path, rel, suffix, cap, sidecars[path.parent].get(path.name, {}))
        except FileNotFoundError:
            rejects.append(Reject(rel, "vanished", "the file disappeared while the corpus was being read"))
            continue
        except _RejectError as exc:
            rejects.append(Reject(rel, exc.reason, exc.detail))
            continue
        clean, doc_ids = True, []
        for item in records:
            if isinstance(item, Reject):
                rejects.append(item)
                clean = False
                continue
            if item.doc_id in seen:
                rejects.append(Reject(rel, "duplicate_id", f"doc_id {item.doc_id!r} is already used by "
                                      f"{seen[item.doc_id]}; rename one of the files"))
                clean = False
                continue
            seen[item.doc_id] = rel
            scan.articles.append(item)
            if on_article is not None:
                on_article(item)
            doc_ids.append(item.doc_id)
        if clean and doc_ids:
            scan.stats[rel] = {"signature": signature, "doc_ids": doc_ids}
    scan.articles.sort(key=lambda a: a.doc_id)
    return scan


def _load_sidecar(directory: Path, root: Path, rejects: list[Reject]) -> dict[str, dict]:
    path = directory / SIDECAR
    if not path.is_file():
        return {}
    rel = path.relative_to(root).as_posix()
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        entries = data["articles"] if isinstance(data, dict) else data
        out = {}
        for entry in entries:
            if isinstance(entry, dict) and entry.get("file"):
                out[str(entry["file"])] = entry
        return out
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        rejects.append(Reject(rel, "invalid_json", f"the metadata sidecar cannot be read ({exc}); "
                              "its articles are read with the metadata their text shows"))
        return {}


# ---------------------------------------------------------------------------- bytes -> text


def _read_bytes(path: Path, cap: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > cap:
            raise _RejectError("too_large", f"{size / 1e6:.1f} MB is over the {cap / 1e6:.1f} MB cap "
                               "(NAQSHA_MAX_ARTICLE_BYTES)")
        with open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except FileNotFoundError:
        raise _RejectError("vanished", "the file disappeared while the corpus was being read") from None
    except IsADirectoryError:
        raise _RejectError("unreadable", "this is a folder, not a file") from None
    except PermissionError:
        raise _RejectError("unreadable", "permission denied") from None
    except OSError as exc:
        raise _RejectError("unreadable", f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > cap:
        raise _RejectError("too_large", f"the file grew over the {cap / 1e6:.1f} MB cap while being read")
    if not data.strip():
        raise _RejectError("empty", "the file is empty")
    return data


_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF",
                 b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"Rar!", b"7z\xbc\xaf")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes: ``(text, encoding)``. UTF-8 first, else detected; binary
    content raises a reject."""
    for magic in _BINARY_MAGIC:
        if data.startswith(magic):
            kind = "PDF" if magic == b"%PDF" else "binary"
            raise _RejectError("binary", f"this is a {kind} file, not text")
    if not data.startswith(_BOMS) and b"\x00" in data[:8192]:
        raise _RejectError("binary", "the file holds NUL bytes: it is binary, not text")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise _RejectError("encoding", "the text encoding cannot be recognised; save it as UTF-8") from None
        text, encoding = str(best), best.encoding
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    controls = len(_CONTROL_CHARS.findall(text, 0, 20000))
    if controls > max(8, min(len(text), 20000) // 50):
        raise _RejectError("binary", f"the file decodes as {encoding} but is mostly control characters")
    return text, encoding


# ---------------------------------------------------------------------------- one file


def _read_file(path: Path, rel: str, suffix: str, cap: int, sidecar: dict) -> list:
    container = suffix in JSON_SUFFIXES or suffix in JSONL_SUFFIXES
    # a .json/.jsonl file holds many articles: the cap applies to each record's text,
    # and the file may be CONTAINER_FACTOR times larger
    data = _read_bytes(path, cap * CONTAINER_FACTOR if container else cap)
    text, _ = decode_bytes(data)
    stem = path.stem
    if container:
        return _read_records(text, rel, stem, suffix, sidecar, cap)
    meta = _Meta()
    if suffix in MARKDOWN_SUFFIXES:
        text, front = _front_matter(text)
        meta.fill(front, "front_matter")
    elif suffix in HTML_SUFFIXES:
        text, head = html_to_text(text)
        meta.fill(head, "html")
    meta.fill(_sidecar_values(sidecar), "sidecar")
    doc_id = str(meta.values.pop("doc_id", None) or stem)
    return [_make_article(doc_id, rel, text, meta)]


def _front_matter(text: str) -> tuple[str, dict]:
    if not text.lstrip().startswith("---"):
        return text, {}
    import frontmatter
    import yaml

    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise _RejectError("bad_metadata", f"the front matter is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(post.metadata, dict):
        raise _RejectError("bad_metadata", "the front matter is not a mapping of field: value")
    return post.content, _normalise_fields(post.metadata)


def _read_records(text: str, rel: str, stem: str, suffix: str, sidecar: dict, cap: int = DEFAULT_MAX_BYTES) -> list:
    out: list = []
    if suffix in JSONL_SUFFIXES:
        records = []
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                records.append((lineno, json.loads(line)))
            except ValueError as exc:
                out.append(Reject(f"{rel}:{lineno}", "invalid_json", f"line {lineno} is not valid JSON ({exc})"))
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _RejectError("invalid_json", f"not valid JSON ({exc})") from None
        if isinstance(data, dict) and not any(f in data for f in TEXT_FIELDS):
            for key in ("articles", "records", "documents", "items"):
                if isinstance(data.get(key), list):
                    data = data[key]
                    break
        single = isinstance(data, dict)
        records = [(None, data)] if single else list(enumerate(data)) if isinstance(data, list) else None
        if records is None:
            raise _RejectError("invalid_json", "expected a record, a list of records or {\"articles\": [...]}")
    single = len(records) == 1 and suffix in JSON_SUFFIXES and records[0][0] is None
    for index, (key, record) in enumerate(records):
        where = rel if single else f"{rel}#{index}"
        if not isinstance(record, dict):
            out.append(Reject(where, "invalid_json", "a record must be a JSON object with a text field"))
            continue
        body = next((record[f] for f in TEXT_FIELDS if isinstance(record.get(f), str)), None)
        if body is None:
            out.append(Reject(where, "invalid_json", f"the record has no text field ({', '.join(TEXT_FIELDS)})"))
            continue
        meta = _Meta()
        meta.fill(_normalise_fields({k: v for k, v in record.items() if k not in TEXT_FIELDS}), "record")
        meta.fill(_sidecar_values(sidecar), "sidecar")
        doc_id = meta.values.pop("doc_id", None) or (stem if single else f"{stem}-{index}")
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        if len(body) > cap // 4 and len(body.encode("utf-8", "surrogatepass")) > cap:
            out.append(Reject(where, "too_large", f"the record's text is over the {cap / 1e6:.1f} MB cap "
                              "(NAQSHA_MAX_ARTICLE_BYTES)"))
            continue
        try:
            out.append(_make_article(str(doc_id), where, body, meta))
        except _RejectError as exc:
            out.append(Reject(where, exc.reason, exc.detail))
    return out


# ---------------------------------------------------------------------------- HTML

_DROP_TAGS = ["script", "style", "noscript", "template", "head", "svg", "iframe", "object", "canvas", "nav"]
_HIDDEN = "[hidden], [aria-hidden=true], [style*='display:none'], [style*='display: none']"
_BLOCK_TAGS = ("p,div,br,hr,h1,h2,h3,h4,h5,h6,li,ul,ol,tr,table,section,article,header,footer,"
               "blockquote,pre,figure,figcaption,main,aside,nav,dd,dt,dl,address,form,fieldset")
_BREAK = "\ue000"


def html_to_text(html: str) -> tuple[str, dict]:
    """The visible text of an HTML page (paragraphs separated by blank lines) and the
    metadata its head declares."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    head: dict = {}
    title = tree.css_first("title")
    if title is not None and title.text(strip=True):
        head["title"] = title.text(strip=True)
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        value = (attrs.get("content") or "").strip()
        if not value:
            continue
        target = {
            "og:site_name": "outlet", "og:title": "title", "og:url": "url",
            "article:published_time": "published", "date": "published", "dc.date": "published",
            "author": None, "dc.publisher": "outlet", "publisher": "outlet", "dcterms.license": "licence",
            "naqsha:kind": "kind", "naqsha:dateline": "dateline", "naqsha:is_sample": "is_sample",
        }.get(key)
        if target and target not in head:
            head[target] = value
    canonical = tree.css_first("link[rel=canonical]")
    if canonical is not None and canonical.attributes.get("href") and "url" not in head:
        head["url"] = canonical.attributes["href"]
    license_link = tree.css_first("link[rel=license]")
    if license_link is not None and license_link.attributes.get("href") and "licence" not in head:
        head["licence"] = license_link.attributes["href"]
    tree.strip_tags(_DROP_TAGS)
    for node in tree.css(_HIDDEN):
        node.decompose()
    for node in tree.css(_BLOCK_TAGS):
        node.insert_before(_BREAK)
        if node.tag != "br":
            node.insert_after(_BREAK)
    body = tree.body if tree.body is not None else tree.root
    raw = body.text(deep=True) if body is not None else ""
    paragraphs = (re.sub(r"\s+", " ", part).strip() for part in raw.split(_BREAK))
    return "\n\n".join(p for p in paragraphs if p), _normalise_fields(head)


# ---------------------------------------------------------------------------- metadata

_FIELD_ALIASES = {
    "id": "doc_id", "doc_id": "doc_id",
    "title": "title", "headline": "title",
    "outlet": "outlet", "source": "outlet", "publisher": "outlet", "site_name": "outlet",
    "url": "url", "link": "url",
    "licence": "licence", "license": "licence",
    "date": "published", "published": "published", "published_at": "published", "pubdate": "published",
    "published_from": "published_from", "published_to": "published_to",
    "dateline": "dateline", "kind": "kind", "type": "kind", "is_sample": "is_sample",
}


def _normalise_fields(raw: dict) -> dict:
    out = {}
    for key, value in raw.items():
        name = _FIELD_ALIASES.get(str(key).strip().lower())
        if name and value not in (None, "") and name not in out:
            out[name] = value
    return out


def _sidecar_values(entry: dict) -> dict:
    return _normalise_fields({k: v for k, v in entry.items() if k not in ("file", "doc_id", "id")})


def parse_date(value, field_name: str) -> date | None:
    """A calendar day from metadata; an impossible date is a reject."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text)
        try:
            if match:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            elif re.fullmatch(r"\d{4}", text):
                day = date(int(text), 1, 1)
            else:
                from dateutil import parser as dateparser

                day = dateparser.parse(text, default=datetime(2000, 1, 1)).date()
        except (ValueError, OverflowError):
            raise _RejectError("bad_metadata", f"{field_name} {text!r} is not a possible date") from None
    if not _MIN_YEAR <= day.year <= _MAX_YEAR:
        raise _RejectError("bad_metadata", f"{field_name} {day.isoformat()} is outside {_MIN_YEAR}-{_MAX_YEAR}")
    return day


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "on")
    return bool(value)


_SOURCE_LINE = re.compile(r"^[ \t]*Source:[ \t]*([^\n]{2,80}?)[ \t]*$", re.M | re.I)
_LICENCE_LINE = re.compile(
    r"All (?:content|contents|material|articles)s? (?:by|from|of|on) ([^.\n]{2,80}?) (?:is|are) "
    r"licen[cs]ed under (?:a |the )?([^\n]{4,160}?licen[cs]e)", re.I)
_DATELINES = (
    # "KABUL (Reuters) -", "TEHRAN _", "KABUL, Afghanistan —"
    re.compile(r"^([A-Z][A-Z'.-]{2,}(?: [A-Z][A-Z'.-]{2,}){0,2})(?:, ?[A-Z][A-Za-z .]{1,30}?)?"
               r"(?: ?\(([A-Za-z][A-Za-z .&-]{1,40})\))? ?[_\-–—]{1,2} "),
    # "Doha, Qatar –"
    re.compile(r"^([A-Z][a-z]+(?: [A-Z][a-z]+)?), ?[A-Z][a-z]+(?: [A-Z][a-z]+)?"
               r"(?: ?\(([A-Za-z][A-Za-z .&-]{1,40})\))? ?[–—-]{1,2} "),
)


def text_metadata(text: str) -> dict:
    """What the text itself shows: title (a short first line), outlet ("Source: X", a
    licence line naming the agency, an agency in the dateline), licence, dateline."""
    out: dict = {}
    tail = text[-1500:]
    lowered = tail.lower()
    sources = _SOURCE_LINE.findall(tail) if "source:" in lowered else None
    if sources:
        out["outlet"] = sources[-1].strip().rstrip(".")
    licence = _LICENCE_LINE.search(tail) if "licen" in lowered else None
    if licence:
        out.setdefault("outlet", licence[1].strip())
        terms = licence[2].strip()
        cc = re.search(r"Creative Commons (Attribution[A-Za-z -]*?) (\d\.\d)", terms)
        if cc:
            parts = {"Attribution": "BY", "NonCommercial": "NC", "NoDerivatives": "ND", "NoDerivs": "ND",
                     "ShareAlike": "SA"}
            code = "-".join(parts[w] for w in re.findall(r"[A-Za-z]+", cc[1]) if w in parts)
            out["licence"] = f"CC {code} {cc[2]}"
        else:
            out["licence"] = terms
    paragraphs = [p.strip() for p in text[:4000].split("\n", 12)[:12] if p.strip()]
    for para in paragraphs[:8]:
        for pattern in _DATELINES:
            match = pattern.match(para)
            if match:
                out["dateline"] = match[1].title() if match[1].isupper() else match[1]
                if match.lastindex and match.lastindex >= 2 and match[2]:
                    out.setdefault("outlet", match[2].strip())
                break
        if "dateline" in out:
            break
    if paragraphs:
        first = paragraphs[0]
        if len(first) <= 160 and not first.endswith((".", ":", ";", ",")) and not _is_dateline(first):
            out["title"] = first
    return out


def _is_dateline(line: str) -> bool:
    return any(p.match(line) for p in _DATELINES)


def content_hash(text: str, meta: dict) -> str:
    """sha256 over the text and the metadata (what decides every extracted row)."""
    digest = hashlib.sha256(text.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(json.dumps(meta, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


_SURROGATES = re.compile("[\ud800-\udfff]")


def _valid_unicode(text: str) -> str:
    """Lone surrogates (which JSON escapes can carry) become U+FFFD: the store is UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)


def _make_article(doc_id: str, rel: str, text: str, meta: _Meta) -> Article:
    text = _valid_unicode(text)
    doc_id = _valid_unicode(doc_id)
    if not text.strip():
        raise _RejectError("empty", "the article has no text")
    values = dict(meta.values)
    source = meta.source
    shown = text_metadata(text)
    for key, value in shown.items():
        if values.get(key) in (None, ""):
            values[key] = value
            source = source or "text"
    published = parse_date(values.get("published"), "published")
    start = parse_date(values.get("published_from"), "published_from") or published
    end = parse_date(values.get("published_to"), "published_to") or published or start
    start = start or end
    if start and end and start > end:
        raise _RejectError("bad_metadata", f"published_from {start} is after published_to {end}")
    kind = values.get("kind")
    is_sample = _truthy(values.get("is_sample")) or (str(kind).lower() == "sample" if kind else False)
    fields = {
        "title": _str(values.get("title")), "outlet": _str(values.get("outlet")), "url": _str(values.get("url")),
        "licence": _str(values.get("licence")), "published_from": start, "published_to": end,
        "dateline": _str(values.get("dateline")), "kind": _str(kind), "is_sample": is_sample,
    }
    return Article(
        doc_id=doc_id, path=rel, text=text, content_hash=content_hash(text, {"doc_id": doc_id, **fields}),
        metadata_source=source or "text", **fields,
    )


def _str(value) -> str | None:
    if value in (None, ""):
        return None
    return _valid_unicode(str(value)).strip() or None
