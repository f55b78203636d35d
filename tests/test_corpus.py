"""The corpus reader: every file type, metadata sources, and each kind of bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from naqsha.errors import CorpusError
from naqsha.etl import corpus as corpus_mod
from naqsha.etl.corpus import html_to_text, read_corpus, text_metadata


def write(folder: Path, name: str, content, mode="w"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def reasons(rejects):
    return {Path(r.path).name.split("#")[0].split(":")[0]: r.reason for r in rejects}


def test_txt_md_html_json_jsonl_recursive(tmp_path):
    write(tmp_path, "a.txt", "Fighting closed the road near Ghazni.\n")
    write(tmp_path, "sub/deeper/b.md", "---\ntitle: Talks resume\noutlet: Sample Desk\n"
          "date: 2020-09-12\nkind: sample\n---\nTalks opened in Doha.\n")
    write(tmp_path, "c.html", "<html><head><title>Envoy visit</title><style>p{color:red}</style>"
          "<script>var hidden = 'Kandahar';</script><meta property='og:site_name' content='Desk'>"
          "</head><body><h1>Envoy visit</h1><p>The envoy <b>met</b> officials in Kabul.</p>"
          "<p>Then he left &lt;img src=x onerror=alert(1)&gt;.</p></body></html>")
    write(tmp_path, "d.json", json.dumps([{"id": "rec-1", "text": "Talks in Moscow.", "outlet": "X"},
                                          {"text": "A second record.", "published": "2019-02-05"}]))
    write(tmp_path, "e.jsonl", json.dumps({"text": "One line.", "title": "L"}) + "\n\n"
          + json.dumps({"doc_id": "e-two", "body": "Two lines."}) + "\n")
    articles, rejects = read_corpus(tmp_path)
    assert rejects == []
    by_id = {a.doc_id: a for a in articles}
    assert sorted(by_id) == ["a", "b", "c", "d-1", "e-0", "e-two", "rec-1"]
    assert by_id["b"].title == "Talks resume" and by_id["b"].outlet == "Sample Desk"
    assert by_id["b"].published_from == date(2020, 9, 12) == by_id["b"].published_to
    assert by_id["b"].is_sample and by_id["b"].metadata_source == "front_matter"
    assert by_id["b"].text.strip() == "Talks opened in Doha." and by_id["b"].path == "sub/deeper/b.md"
    html = by_id["c"]
    assert "Kandahar" not in html.text and "color" not in html.text
    assert "The envoy met officials in Kabul." in html.text
    assert "<img src=x onerror=alert(1)>" in html.text  # entities decoded, still plain text
    assert html.title == "Envoy visit" and html.outlet == "Desk"
    assert by_id["rec-1"].outlet == "X" and by_id["d-1"].published_from == date(2019, 2, 5)
    assert by_id["e-0"].title == "L" and by_id["e-two"].text == "Two lines."


def test_html_paragraphs_are_separated():
    text, head = html_to_text("<body><nav>Home | Asia</nav><div>One<br>two</div><ul><li>three</li><li>four</li></ul>"
                              "<noscript>hidden</noscript><template>no</template><p hidden>Kabul</p>"
                              "<span style='display: none'>Herat</span></body>")
    assert text.split("\n\n") == ["One", "two", "three", "four"]


def test_sidecar_metadata(tmp_path):
    write(tmp_path, "x.txt", "Some text about talks.")
    write(tmp_path, "corpus.json", json.dumps({"articles": [
        {"file": "x.txt", "outlet": "Side Outlet", "published_from": "2018-11-10",
         "published_to": "2018-11-20", "dateline": "Tehran", "kind": "opinion", "licence": None}]}))
    (article,), rejects = read_corpus(tmp_path)
    assert rejects == []
    assert article.outlet == "Side Outlet" and article.metadata_source == "sidecar"
    assert (article.published_from, article.published_to) == (date(2018, 11, 10), date(2018, 11, 20))
    assert article.kind == "opinion" and article.dateline == "Tehran"


def test_metadata_from_the_text():
    shown = text_metadata("A headline without a full stop\n\nBody text here.\n\nSource: Example Wire")
    assert shown["title"] == "A headline without a full stop" and shown["outlet"] == "Example Wire"
    shown = text_metadata("MAZAR (Example Agency) - Something happened.\n\nMore.")
    assert shown["dateline"] == "Mazar" and shown["outlet"] == "Example Agency"
    shown = text_metadata("Kabul, Afghanistan – The talks went on.\n")
    assert shown["dateline"] == "Kabul"
    shown = text_metadata("HERAT _ Text. Body. All Content by Some Agency is licensed under a Creative "
                          "Commons Attribution 4.0 International License.")
    assert shown["outlet"] == "Some Agency" and shown["licence"] == "CC BY 4.0"
    assert shown["dateline"] == "Herat"
    assert "dateline" not in text_metadata("Meanwhile, the talks - we hear - went on.")


def test_cp1256_file_decodes(tmp_path):
    text = ("Ghazni report. تقرير من غزني: القتال مستمر في مديرية جاغوري والناس يفرون من منازلهم "
            "بعد هجوم على مركز الشرطة في المدينة.")
    (tmp_path / "arabic.txt").write_bytes(((text + "\n") * 3).encode("cp1256"))
    (article,), rejects = read_corpus(tmp_path)
    assert rejects == []
    assert "جاغوري" in article.text and article.text.startswith("Ghazni report.")


def test_pdf_renamed_txt_is_rejected(tmp_path):
    write(tmp_path, "report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n")
    write(tmp_path, "ok.txt", "Fine text.")
    articles, rejects = read_corpus(tmp_path)
    assert [a.doc_id for a in articles] == ["ok"]
    assert reasons(rejects) == {"report.txt": "binary"}
    assert "PDF" in rejects[0].detail


def test_binary_with_nul_bytes_is_rejected(tmp_path):
    write(tmp_path, "blob.txt", bytes(range(256)) * 10)
    _, rejects = read_corpus(tmp_path)
    assert reasons(rejects) == {"blob.txt": "binary"}


def test_empty_and_blank_files_are_rejected(tmp_path):
    write(tmp_path, "empty.txt", "")
    write(tmp_path, "blank.md", "  \n\n ")
    write(tmp_path, "nofront.md", "---\ntitle: only metadata\n---\n")
    articles, rejects = read_corpus(tmp_path)
    assert articles == []
    assert reasons(rejects) == {"empty.txt": "empty", "blank.md": "empty", "nofront.md": "empty"}


def test_file_over_the_cap_is_rejected_without_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # a 50 MB text file, made sparse-free but quickly
        block = b"Fighting continued near the district centre. " * 1000
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(block)
    write(tmp_path, "small.txt", "Small text.")
    opened = []
    real_open = open

    def spy_open(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", spy_open)
    articles, rejects = read_corpus(tmp_path)
    assert [a.doc_id for a in articles] == ["small"]
    assert reasons(rejects) == {"big.txt": "too_large"}
    assert "big.txt" not in opened
    monkeypatch.setenv("NAQSHA_MAX_ARTICLE_BYTES", "5")
    _, rejects = read_corpus(tmp_path)
    assert reasons(rejects) == {"big.txt": "too_large", "small.txt": "too_large"}


def test_invalid_json_and_jsonl_lines(tmp_path):
    write(tmp_path, "broken.json", '{"text": "unterminated')
    write(tmp_path, "mixed.jsonl", json.dumps({"text": "good"}) + "\n{bad line\n" + json.dumps({"no": "text"}) + "\n")
    write(tmp_path, "wrong.json", json.dumps(42))
    articles, rejects = read_corpus(tmp_path)
    assert [a.doc_id for a in articles] == ["mixed-0"]
    got = sorted((r.path, r.reason) for r in rejects)
    assert got == [("broken.json", "invalid_json"), ("mixed.jsonl#1", "invalid_json"),
                   ("mixed.jsonl:2", "invalid_json"), ("wrong.json", "invalid_json")]


def test_impossible_dates_are_rejected(tmp_path):
    write(tmp_path, "feb30.md", "---\ndate: 2019-02-30\n---\nText.\n")
    write(tmp_path, "reversed.md", "---\npublished_from: 2020-05-02\npublished_to: 2020-01-01\n---\nText.\n")
    write(tmp_path, "far.json", json.dumps({"text": "Text.", "published": "3020-01-01"}))
    write(tmp_path, "words.md", "---\ndate: not a date at all\n---\nText.\n")
    write(tmp_path, "side.txt", "Text.")
    write(tmp_path, "corpus.json", json.dumps({"articles": [{"file": "side.txt", "published_from": "2018-13-01"}]}))
    articles, rejects = read_corpus(tmp_path)
    assert articles == []
    assert {r.path: r.reason for r in rejects} == {
        "feb30.md": "bad_metadata", "reversed.md": "bad_metadata", "far.json": "bad_metadata",
        "words.md": "bad_metadata", "side.txt": "bad_metadata"}


def test_broken_front_matter_and_sidecar(tmp_path):
    write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nText.\n")
    write(tmp_path, "x.txt", "Plain text.\n\nSource: Text Wire")
    write(tmp_path, "corpus.json", "{not json")
    articles, rejects = read_corpus(tmp_path)
    assert [a.doc_id for a in articles] == ["x"]
    assert articles[0].outlet == "Text Wire"  # falls back on what the text shows
    assert {r.path: r.reason for r in rejects} == {"bad.md": "bad_metadata", "corpus.json": "invalid_json"}


def test_file_vanishing_during_the_run(tmp_path, monkeypatch):
    write(tmp_path, "a.txt", "Stays.")
    gone = write(tmp_path, "b.txt", "Will vanish.")
    real_list = corpus_mod._list_files

    def list_then_delete(root):
        files = real_list(root)
        gone.unlink()  # deleted between listing and reading
        return files

    monkeypatch.setattr(corpus_mod, "_list_files", list_then_delete)
    articles, rejects = read_corpus(tmp_path)
    assert [a.doc_id for a in articles] == ["a"]
    assert reasons(rejects) == {"b.txt": "vanished"}


def test_unsupported_and_duplicate_ids_are_reported(tmp_path):
    write(tmp_path, "notes.docx", b"PK\x03\x04 zip")
    write(tmp_path, "one/same.txt", "First.")
    write(tmp_path, "two/same.md", "Second.")
    write(tmp_path, ".hidden.txt", "ignored: hidden files are not articles")
    articles, rejects = read_corpus(tmp_path)
    assert [a.path for a in articles] == ["one/same.txt"]
    assert {r.path: r.reason for r in rejects} == {"notes.docx": "unsupported", "two/same.md": "duplicate_id"}


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        read_corpus(tmp_path / "nope")


def test_content_hash_changes_with_text_and_metadata(tmp_path):
    write(tmp_path, "a.md", "---\noutlet: One\n---\nSame text.\n")
    (first,), _ = read_corpus(tmp_path)
    write(tmp_path, "a.md", "---\noutlet: Two\n---\nSame text.\n")
    (second,), _ = read_corpus(tmp_path)
    write(tmp_path, "a.md", "---\noutlet: Two\n---\nOther text.\n")
    (third,), _ = read_corpus(tmp_path)
    assert len({first.content_hash, second.content_hash, third.content_hash}) == 3
    (again,), _ = read_corpus(tmp_path)
    assert again.content_hash == third.content_hash


def test_seed_corpus_metadata():
    seeds = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared seeds not available")
    articles, rejects = read_corpus(seeds)
    assert rejects == [] and len(articles) == 5
    assert all(a.published_from and a.published_to for a in articles)
    assert all(a.metadata_source == "sidecar" for a in articles)


def test_lone_surrogates_from_json_escapes_are_replaced(tmp_path):
    write(tmp_path, "s.json", '{"id": "s", "title": "bad \\ud800 title", "text": "Text \\udc00 here."}')
    (article,), rejects = read_corpus(tmp_path)
    assert rejects == []
    assert article.text == "Text \ufffd here." and article.title == "bad \ufffd title"
    article.text.encode("utf-8")


def test_cap_applies_per_record_in_jsonl(tmp_path, monkeypatch):
    monkeypatch.setenv("NAQSHA_MAX_ARTICLE_BYTES", "1000")
    lines = [json.dumps({"text": f"Record {i}. " + "word " * 150}) for i in range(5)]  # ~800 B each
    lines.append(json.dumps({"text": "x" * 1500}))
    write(tmp_path, "many.jsonl", "\n".join(lines) + "\n")  # ~5.5 KB: over the cap, under 20x
    articles, rejects = read_corpus(tmp_path)
    assert len(articles) == 5
    assert [(r.path, r.reason) for r in rejects] == [("many.jsonl#5", "too_large")]
