"""Relative and absolute dates resolved against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from naqsha.etl.dates import find_date

SAT = date(2020, 3, 14)  # a Saturday


@pytest.mark.parametrize("text,expected,precision", [
    ("the convoy was hit on Friday", date(2020, 3, 13), "day"),
    ("talks opened on Saturday", date(2020, 3, 14), "day"),
    ("it happened last Saturday", date(2020, 3, 7), "day"),
    ("the district fell yesterday", date(2020, 3, 13), "day"),
    ("fighting broke out last week", date(2020, 3, 7), "week"),
    ("two days ago the road was closed", date(2020, 3, 12), "day"),
    ("a couple of days ago the road was closed", date(2020, 3, 12), "week"),
    ("in February the envoy returned", date(2020, 2, 1), "month"),
    ("in September the first round began", date(2019, 9, 1), "month"),
    ("on March 20th the talks resume", date(2020, 3, 20), "day"),
    ("signed on 29 February 2020", date(2020, 2, 29), "day"),
    ("from Mar. 2 to 9 the envoy travels", date(2020, 3, 2), "week"),
    ("the deal signed in February last year", date(2019, 2, 1), "month"),
    ("in 2017 the fighting spread", date(2017, 1, 1), "year"),
    ("Till Sunday the roads stayed shut", date(2020, 3, 8), "day"),
])
def test_resolves(text, expected, precision):
    ref = find_date(text, SAT, SAT)
    assert ref is not None, text
    assert (ref.date, ref.precision) == (expected, precision)


def test_month_wraps_to_previous_year():
    ref = find_date("talks began in December", date(2021, 1, 10))
    assert ref.date == date(2020, 12, 1)


def test_near_future_month_day():
    ref = find_date("before it leaves office on January 20", date(2021, 1, 8))
    assert ref.date == date(2021, 1, 20)


def test_no_anchor_only_absolute_dates():
    assert find_date("on Friday the talks opened", None) is None
    assert find_date("last week", None) is None
    assert find_date("on 9 November 2018", None).date == date(2018, 11, 9)


def test_wide_publication_range_degrades_precision():
    ref = find_date("on Friday the talks opened", date(2019, 5, 1), date(2019, 8, 31))
    assert ref is not None and ref.precision == "year"
    ref = find_date("on Friday the talks opened", date(2019, 5, 1), date(2019, 5, 20))
    assert ref.precision == "month"


def test_no_date_and_modal_may():
    assert find_date("the talks may resume", SAT) is None
    assert find_date("17 years of war", SAT) is None


def test_impossible_dates_are_ignored():
    assert find_date("on February 31 the talks", SAT) is None
    ref = find_date("on 31 February 2019", SAT)  # the day is impossible, the month is not
    assert ref is None or ref.precision == "month"


def test_long_input_is_capped():
    text = "word " * 100_000 + "on Friday"
    assert find_date(text, SAT) is None
