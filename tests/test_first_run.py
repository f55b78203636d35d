"""A new user's first run: nothing built yet, only the mirror setting (or a network).
`naqsha etl --corpus` must build the boundaries itself, as `naqsha demo` does."""

from naqsha.cli import main
from naqsha.store import StoreReader


def test_first_etl_builds_the_boundaries_it_needs(tmp_path, monkeypatch):
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(tmp_path / "fresh-cache"))
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "report.txt").write_text(
        "Taliban fighters attacked a police post in Sangin district of Helmand province on Monday, "
        "killing six officers, officials said.\n"
    )
    store = tmp_path / "store"
    assert main(["etl", "--corpus", str(corpus), "--store", str(store), "--no-progress"]) == 0
    assert (tmp_path / "fresh-cache" / "districts.parquet").is_file()
    events = StoreReader(store).read("events")
    assert "violence" in set(events.role)
    assert "AF-HEL" in set(events.adm1)


def test_a_missing_corpus_folder_is_reported_before_any_download(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NAQSHA_GEODATA_CACHE", str(tmp_path / "fresh-cache"))
    assert main(["etl", "--corpus", str(tmp_path / "nowhere"), "--store", str(tmp_path / "s")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "fresh-cache" / "districts.parquet").exists()
