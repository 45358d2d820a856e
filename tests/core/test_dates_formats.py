"""Date and rating cell shapes from European and Shopify-style exports (core.importing.dates)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from core.importing import date_share, parse_date, parse_dates, parse_ratings


def test_decimal_comma_ratings() -> None:
    assert parse_ratings(["4,5", "1,0", "3,5"]) == [4.5, 1.0, 3.5]
    assert parse_ratings(["3,5/5", "4,5 out of 5 stars"]) == [3.5, 4.5]


@pytest.mark.parametrize("cell", ["1,000", "1,2,3", "4, 5", "12,345"])
def test_thousands_and_lists_are_not_ratings(cell: str) -> None:
    assert math.isnan(parse_ratings([cell])[0])


def test_dotted_dates_are_day_first_even_when_every_day_is_small() -> None:
    got = parse_dates(["05.03.2024", "01.02.2024", "12.11.2023 14:05"])
    assert got == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-02-01"), pd.Timestamp("2023-11-12 14:05")]
    # Year first stays ISO; slash dates are still decided across the column.
    assert parse_dates(["2024.03.05"]) == [pd.Timestamp("2024-03-05")]
    assert parse_dates(["03/05/2024", "04/06/2024"]) == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-04-06")]


@pytest.mark.parametrize("cell", [
    "2024-01-10 10:20:00 UTC", "2024-01-10T10:20:00+0000", "2024-01-10T10:20:00+00:00",
    "2024-01-10T10:20:00Z", "2024-01-10 10:20:00 +0000", "2024-01-10 10:20:00 GMT",
])
def test_dates_with_a_zone(cell: str) -> None:
    assert parse_date(cell) == pd.Timestamp("2024-01-10 10:20:00")


def test_zone_is_dropped_keeping_wall_time() -> None:
    assert parse_date("2024-01-10T23:30:00-05:00") == pd.Timestamp("2024-01-10 23:30:00")
    assert parse_date("2024-01-10 08:15 UTC+8") == pd.Timestamp("2024-01-10 08:15")
    # A year after a dash is not an offset: no time, no zone.
    assert parse_date("10-01-2024") == pd.Timestamp("2024-10-01")


def test_excel_serials_count_as_dates_only_when_asked() -> None:
    cells = [45350.5, 45351, "45352.25", None, ""]
    assert date_share(cells) == 0.0
    assert date_share(cells, serials=True) == 1.0
    assert date_share([12.5, 99999, "abc"], serials=True) == 0.0
