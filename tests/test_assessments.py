"""Importing assessments: schemes, all-or-nothing, every kind of bad input, the CLI."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from naqsha import store
from naqsha.errors import AssessmentError
from naqsha.etl.assessments import import_assessments, import_national, read_national
from naqsha.etl.reconcile import Reconciler
from naqsha.etl.schemes import load_scheme, guess_scheme

FIXTURES = Path(__file__).parent / "fixtures" / "assessments"
SHARED_NATIONAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "national_control_assessments.csv"


@pytest.fixture(scope="module")
def rec() -> Reconciler:
    return Reconciler(pd.read_csv(FIXTURES / "districts_layer.csv", comment="#"))


def _import(path, root, rec, source="Fixture RS", as_of="2018-07-31", **kw):
    return import_assessments(path, source, as_of, store_root=root, reconciler=rec, **kw)


# --- schemes ------------------------------------------------------------------------------
def test_builtin_schemes_map_onto_the_common_scale():
    rs, lwj = load_scheme("rs"), load_scheme("lwj")
    assert rs.lookup("Government control") == ("government_control", 2)
    assert rs.lookup("  insurgent   CONTROL ") == ("insurgent_control", -2)
    assert rs.lookup("GIRoA influence") == ("government_influence", 1)
    assert lwj.lookup("Taliban controlled") == ("insurgent_control", -2)
    assert lwj.lookup("Unconfirmed Taliban claim") == ("insurgent_influence", -1)
    assert lwj.lookup("Government control") is None  # never guessed across schemes
    assert guess_scheme(["Government", "Contested"]).name == "lwj"
    assert guess_scheme(["Contested"]).lookup("Contested") == ("contested", 0)  # both agree on it
    assert guess_scheme(["Contested", "Mostly fine"]) is None


@pytest.mark.parametrize("name", ["custom_scheme.yaml", "custom_scheme.csv"])
def test_custom_scheme_files(name, tmp_path, rec):
    scheme = load_scheme(FIXTURES / name)
    assert scheme.lookup("amber") == ("contested", 0)
    report = _import(FIXTURES / "custom_traffic_light.csv", tmp_path, rec, scheme=str(FIXTURES / name))
    assert report.rows_stored == 4
    rows = store.StoreReader(tmp_path).read("assessments")
    assert set(rows["category_original"]) == {"Amber", "Red", "Orange", "Green"}
    assert rows.set_index("name_original").loc["Malistan", "score"] == -2


def test_bad_scheme_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "s.csv"
    bad.write_text("label,category_common\nGreen,mostly_fine\n")
    with pytest.raises(AssessmentError, match="unknown common categories"):
        load_scheme(bad)
    with pytest.raises(AssessmentError, match="no scheme"):
        load_scheme("nato")


# --- the realistic messy fixture ----------------------------------------------------------
def test_rs_fixture_every_row_is_matched_or_listed(tmp_path, rec):
    report = _import(FIXTURES / "rs_style_2018.csv", tmp_path, rec, scheme="rs")
    rows = store.StoreReader(tmp_path).read("assessments")
    assert report.rows_read == 24
    # 24 rows: one duplicate collapsed, one merge row stored as two districts
    assert report.rows_stored == len(rows) == 24 - 1 + 1
    # without the shipped alias table (see test_reconcile for it): 8 exact, 4 alias, 4 fuzzy
    assert report.by_how == {"exact": 8, "alias": 4, "fuzzy": 4, "merge": 2, "unmatched": 6}
    reasons = sorted(u["reason"] for u in report.unmatched)
    assert reasons == ["ambiguous", "merge_partial", "no_match", "other_province", "other_province",
                       "unknown_province"]
    assert all(u["suggestions"] for u in report.unmatched)
    assert len(report.splits) == 1 and "AF-HEL/Lashkar Gah" in report.splits[0]
    assert len(report.merges) == 1 and "AF-GHA/Dih Yak" in report.merges[0]
    assert len(report.duplicates) == 1
    # nothing dropped silently: every source line is in the store
    assert set(rows["row"]) | {26} == set(range(4, 28))  # lines 4-27; line 26 repeats 25
    split = rows[rows["relation"] == "split"]
    assert set(split["name_original"]) == {"Lashkar Gah", "Lashkar Gah City"}
    panj = rows[rows["level"] == "province"].iloc[0]
    assert (panj["place_key"], panj["category_common"]) == ("AF-PAN", "government_control")
    jag = rows.set_index("name_original").loc["Jaghori"]
    assert jag["place_key"] == "AF-GHA/Jaghuri" and jag["category_original"] == "Government influence"
    assert jag["population"] == 190000
    text = "\n".join(report.lines())
    assert "unmatched" in text and "Marjah" in text and "suggestions" in text


def test_lwj_fixture_with_guessed_scheme(tmp_path, rec):
    report = _import(FIXTURES / "lwj_style_2018.csv", tmp_path, rec, source="Fixture LWJ")
    assert report.scheme == "lwj" and report.by_how == {"exact": 12}


def test_reimport_replaces_same_source_and_date_and_keeps_the_rest(tmp_path, rec):
    store.write_tables({"claims": store.empty("claims")}, tmp_path, parser_version="x")
    _import(FIXTURES / "rs_style_2018.csv", tmp_path, rec)
    _import(FIXTURES / "lwj_style_2018.csv", tmp_path, rec, source="Fixture LWJ", as_of="2018-08-15")
    report = _import(FIXTURES / "rs_style_2018.csv", tmp_path, rec)
    assert report.replaced == 24
    reader = store.StoreReader(tmp_path)
    rows = reader.read("assessments")
    assert rows.groupby("source").size().to_dict() == {"Fixture LWJ": 12, "Fixture RS": 24}
    assert reader.has("claims") and reader.meta()["parser_version"] == "x"


def test_xlsx_import(tmp_path, rec):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["# TEST FIXTURE - INVENTED DATA"])
    ws.append(["Province", "District", "Category", "Population"])
    ws.append(["Ghazni", "Jaghuri", "Contested", 190000])
    ws.append(["Hilmand", "Nad-e Ali", "Insurgent control", None])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    report = _import(path, tmp_path / "store", rec)
    rows = store.StoreReader(tmp_path / "store").read("assessments")
    assert report.rows_stored == 2
    assert set(rows["place_key"]) == {"AF-GHA/Jaghuri", "AF-HEL/Nad Ali"}
    assert list(rows["row"]) == [3, 4]


# --- bad input: clear errors, nothing written -----------------------------------------------
def _store_with_one_import(tmp_path, rec):
    _import(FIXTURES / "lwj_style_2018.csv", tmp_path, rec, source="Fixture LWJ")
    return store.StoreReader(tmp_path).version()


def _unchanged(tmp_path, before):
    reader = store.StoreReader(tmp_path)
    assert reader.version() == before
    assert set(reader.read("assessments")["source"]) == {"Fixture LWJ"}


def test_unknown_and_blank_categories_list_the_rows(tmp_path, rec):
    before = _store_with_one_import(tmp_path, rec)
    with pytest.raises(AssessmentError) as err:
        _import(FIXTURES / "bad_unknown_category.csv", tmp_path, rec, scheme="rs")
    msg = str(err.value)
    assert "2 bad row(s); nothing was imported" in msg
    assert "row 4: unknown category 'Mostly fine'" in msg and "row 5: blank category" in msg
    _unchanged(tmp_path, before)


def test_unknown_categories_without_a_scheme(tmp_path, rec):
    with pytest.raises(AssessmentError, match="no built-in scheme knows"):
        _import(FIXTURES / "bad_unknown_category.csv", tmp_path, rec)
    assert not store.StoreReader(tmp_path).exists()


def test_conflicting_duplicate_rows(tmp_path, rec):
    before = _store_with_one_import(tmp_path, rec)
    with pytest.raises(AssessmentError, match=r"row 5: 'JAGHURI' is also on row 3 with another category"):
        _import(FIXTURES / "bad_conflicting_duplicate.csv", tmp_path, rec, scheme="rs")
    _unchanged(tmp_path, before)


def test_date_in_the_future(tmp_path, rec):
    before = _store_with_one_import(tmp_path, rec)
    with pytest.raises(AssessmentError, match="in the future"):
        _import(FIXTURES / "rs_style_2018.csv", tmp_path, rec, as_of="2031-01-01")
    with pytest.raises(AssessmentError, match="not a date"):
        _import(FIXTURES / "rs_style_2018.csv", tmp_path, rec, as_of="last July")
    _unchanged(tmp_path, before)


def test_missing_column(tmp_path, rec):
    with pytest.raises(AssessmentError, match=r"no category column \(found: 'province', 'district', 'population'\)"):
        _import(FIXTURES / "bad_missing_column.csv", tmp_path, rec)
    assert not store.StoreReader(tmp_path).exists()


def test_bad_population(tmp_path, rec):
    with pytest.raises(AssessmentError, match="population 'about 200k' is not a number"):
        _import(FIXTURES / "bad_population.csv", tmp_path, rec)


def test_cp1252_file_is_refused_with_a_hint_and_read_with_encoding(tmp_path, rec):
    path = tmp_path / "excel.csv"
    path.write_bytes("province,district,category,notes\nHelmand,Musa Qala,Contested,Musa Qal\u2019a in the press\n"
                     .encode("cp1252"))
    before = _store_with_one_import(tmp_path / "s", rec)
    with pytest.raises(AssessmentError, match=r"not UTF-8.*line 2.*--encoding"):
        _import(path, tmp_path / "s", rec)
    _unchanged(tmp_path / "s", before)
    report = _import(path, tmp_path / "s", rec, encoding="cp1252")
    rows = store.StoreReader(tmp_path / "s").read("assessments")
    assert report.rows_stored == 1
    assert "Qal\u2019a" in rows[rows["source"] == "Fixture RS"]["notes"].iloc[0]


def test_cp1256_file_with_dari_names(tmp_path, rec):
    path = tmp_path / "dari.csv"
    path.write_bytes("province,district,category\n\u063a\u0632\u0646\u06cc,\u062c\u063a\u0648\u0631\u06cc,Contested\n"
                     .replace("\u06cc", "\u064a").encode("cp1256"))
    with pytest.raises(AssessmentError, match="not UTF-8"):
        _import(path, tmp_path, rec)
    assert not store.StoreReader(tmp_path).exists()
    report = _import(path, tmp_path, rec, encoding="cp1256")  # read, but our layer has Latin names
    assert [u["reason"] for u in report.unmatched] == ["unknown_province"]


def test_strict_makes_unmatched_rows_errors(tmp_path, rec):
    with pytest.raises(AssessmentError, match="6 bad row"):
        _import(FIXTURES / "rs_style_2018.csv", tmp_path, rec, strict=True)
    assert not store.StoreReader(tmp_path).exists()


def test_empty_and_missing_files(tmp_path, rec):
    empty = tmp_path / "e.csv"
    empty.write_text("# only a comment\n")
    with pytest.raises(AssessmentError, match="holds no rows"):
        _import(empty, tmp_path / "s", rec)
    with pytest.raises(AssessmentError, match="no file"):
        _import(tmp_path / "nope.csv", tmp_path / "s", rec)
    header_only = tmp_path / "h.csv"
    header_only.write_text("district,category\n")
    with pytest.raises(AssessmentError, match="no rows"):
        _import(header_only, tmp_path / "s", rec)


# --- national series ------------------------------------------------------------------------
def test_national_fixture_format(tmp_path):
    stored, replaced = import_national(FIXTURES / "national_format.csv", tmp_path)
    assert (stored, replaced) == (4, 0)
    assert import_national(FIXTURES / "national_format.csv", tmp_path) == (4, 4)
    rows = store.StoreReader(tmp_path).read("national_assessments")
    assert len(rows) == 4
    b = rows[rows["assessor"] == "Test Assessor B"].iloc[0]
    assert pd.isna(b["reported_in"]) and b["districts_total"] == 400


def test_national_reference_file_when_present(tmp_path):
    if not SHARED_NATIONAL.is_file():
        pytest.skip("no ../shared reference file on this machine")
    frame = read_national(SHARED_NATIONAL)
    row = frame[frame["as_of"] == date(2018, 7, 31)].iloc[0]
    assert (row["government_districts"], row["districts_total"], row["reported_in"]) == (226, 407, date(2018, 10, 30))


@pytest.mark.parametrize("line,message", [
    ("X,2018-01-01,2017-12-31,407,230,130,40,,c,v", "= 400 districts, not the total 407"),
    ("X,2017-01-01,2017-12-31,407,230,130,47,,c,v", "before the date it describes"),
    ("X,2018-01-01,2017-12-31,407,230,130,47,140,c,v", "not between 0 and 100"),
    ("X,2018-01-01,31/12/2017,407,230,130,47,,c,v", "not a date"),
    ("X,2040-01-01,2039-12-31,407,230,130,47,,c,v", "future"),
    ("X,2018-01-01,2017-12-31,four hundred,230,130,47,,c,v", "not a whole number"),
])
def test_national_bad_rows(tmp_path, line, message):
    path = tmp_path / "n.csv"
    path.write_text("assessor,reported_in,as_of,districts_total,government_districts,contested_districts,"
                    "insurgent_districts,government_population_pct,categories,verified\n" + line + "\n")
    with pytest.raises(AssessmentError, match=message):
        import_national(path, tmp_path / "s")
    assert not store.StoreReader(tmp_path / "s").exists()


def test_national_missing_column(tmp_path):
    path = tmp_path / "n.csv"
    path.write_text("assessor,as_of\nX,2018-01-01\n")
    with pytest.raises(AssessmentError, match="missing column.*districts_total"):
        import_national(path, tmp_path / "s")


# --- command line -----------------------------------------------------------------------------
def test_cli_import_list_and_errors(tmp_path, geodata, capsys):
    from naqsha.cli import main

    root = str(tmp_path / "store")
    assert main(["assessments", "import", str(FIXTURES / "rs_style_2018.csv"), "--source", "Fixture RS",
                 "--as-of", "2018-07-31", "--scheme", "rs", "--store", root]) == 0
    out = capsys.readouterr().out
    assert "6 unmatched" in out and "split: AF-HEL/Lashkar Gah" in out
    assert main(["assessments", "import-national", str(FIXTURES / "national_format.csv"), "--store", root]) == 0
    assert main(["assessments", "list", "--unmatched", "--store", root]) == 0
    out = capsys.readouterr().out
    assert "Fixture RS | as of 2018-07-31 | scheme rs" in out and "Test Assessor A" in out and "Marjah" in out
    assert main(["assessments", "import", str(FIXTURES / "bad_missing_column.csv"), "--source", "X",
                 "--as-of", "2018-07-31", "--store", root]) == 2
    assert "no category column" in capsys.readouterr().err
    assert main(["assessments", "corroborate", "--store", root]) == 0
    assert "no numeric national control claims" in capsys.readouterr().out


def test_levels_national_and_province_rows(tmp_path, rec):
    path = tmp_path / "levels.csv"
    path.write_text("# TEST FIXTURE - INVENTED DATA\nlevel,place,category\nnational,Afghanistan,Contested\n"
                    "province,Hilmand,Insurgent control\nnational,Pakistan,Contested\ncountry,AFG,Insurgent control\n")
    with pytest.raises(AssessmentError, match="row 6: 'AFG' is also on row 3"):
        _import(path, tmp_path / "s", rec)
    path.write_text("level,place,category\nnational,Afghanistan,Contested\nprovince,Hilmand,Insurgent control\n"
                    "national,Pakistan,Contested\nregion,South,Contested\n")
    with pytest.raises(AssessmentError, match="row 5: level 'region' is not district, province or national"):
        _import(path, tmp_path / "s", rec)
    path.write_text("level,place,category\nnational,Afghanistan,Contested\nprovince,Hilmand,Insurgent control\n"
                    "national,Pakistan,Contested\n")
    report = _import(path, tmp_path / "s", rec)
    rows = store.StoreReader(tmp_path / "s").read("assessments").set_index("name_original")
    assert rows.loc["Afghanistan", "place_key"] == "AFG" and rows.loc["Hilmand", "place_key"] == "AF-HEL"
    assert [u["name"] for u in report.unmatched] == ["Pakistan"]


def test_a_file_that_is_not_a_workbook(tmp_path, rec):
    path = tmp_path / "fake.xlsx"
    path.write_text("province,district,category\nGhazni,Jaghuri,Contested\n")
    with pytest.raises(AssessmentError, match="not a readable XLSX workbook"):
        _import(path, tmp_path / "s", rec)


def test_a_national_series_given_to_import_points_at_import_national(tmp_path):
    from naqsha.errors import AssessmentError
    from naqsha.etl.assessments import import_assessments

    f = tmp_path / "series.csv"
    f.write_text("assessor,as_of,districts_total,government_districts\nX,2018-07-31,407,226\n")
    with pytest.raises(AssessmentError, match="import-national"):
        import_assessments(f, "X", "2018-07-31", "rs", tmp_path / "store")
    assert not (tmp_path / "store" / "CURRENT").exists()
