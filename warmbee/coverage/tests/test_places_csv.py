"""Reading a places CSV: what is accepted, and each problem with its row and message."""

import pytest
from django.utils import translation

from warmbee.coverage.errors import InvalidPlacesFileError
from warmbee.coverage.places_csv import MAX_PLACES, parse_places_csv

# One station of the county, at the county seat.
STATION = {"station_lat_deg": [38.06], "station_lon_deg": [112.68]}


def parse(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_places_csv(data, **STATION)


def problems_of(text: str | bytes) -> list[str]:
    with translation.override("en"), pytest.raises(InvalidPlacesFileError) as caught:
        parse(text)
    return caught.value.problems


def test_reads_names_positions_and_weights():
    table = parse(
        "name,lat,lon,weight\n"
        "Xinyang hot spot,38.0612,112.6803,25\n"
        '"Market, north gate",38.07,112.69,2.5\n'
    )

    assert table.name == ["Xinyang hot spot", "Market, north gate"]
    assert table.lat_deg == [38.0612, 38.07]
    assert table.lon_deg == [112.6803, 112.69]
    assert table.weight == [25.0, 2.5]
    assert table.total_weight == 27.5


def test_weight_is_optional_and_defaults_to_one():
    without_column = parse("name,lat,lon\nA,38.06,112.68\n")
    empty_cell = parse("name,lat,lon,weight\nA,38.06,112.68,\nB,38.07,112.68,3\n")

    assert without_column.weight == [1.0]
    assert empty_cell.weight == [1.0, 3.0]


def test_accepts_a_byte_order_mark_chinese_headers_and_blank_rows():
    data = "\ufeff名称,纬度,经度,权重\r\n新阳街,38.06,112.68,4\r\n\r\n,,,\r\n".encode()

    table = parse(data)

    assert table.name == ["新阳街"]
    assert table.weight == [4.0]


def test_columns_may_come_in_any_order_and_case():
    table = parse(" LON , Weight ,Name,LAT\n112.68,2,A,38.06\n")

    assert (table.name, table.lat_deg, table.lon_deg, table.weight) == (
        ["A"],
        [38.06],
        [112.68],
        [2.0],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name,lat,lon\n,38.06,112.68\n",
            "Row 2: the name is empty.",
        ),
        (
            "name,lat,lon\n" + "x" * 101 + ",38.06,112.68\n",
            "Row 2: the name is longer than 100 characters.",
        ),
        (
            "name,lat,lon\nA,north,112.68\n",
            "Row 2: the latitude “north” is not a number.",
        ),
        (
            "name,lat,lon\nA,nan,112.68\n",
            "Row 2: the latitude “nan” is not a number.",
        ),
        (
            "name,lat,lon\nA,38.06,112,68\n",
            "Row 2 has 4 fields, but the header has 3.",
        ),
        (
            "name,lat,lon\nA,95,112.68\n",
            "Row 2: the latitude 95 is not between -90 and 90.",
        ),
        (
            "name,lat,lon\nA,38.06,200\n",
            "Row 2: the longitude 200 is not between -180 and 180.",
        ),
        (
            "name,lat,lon,weight\nA,38.06,112.68,lots\n",
            "Row 2: the weight “lots” is not a number.",
        ),
        (
            "name,lat,lon,weight\nA,38.06,112.68,0\n",
            "Row 2: the weight 0 must be more than 0.",
        ),
        (
            "name,lat,lon,weight\nA,38.06,112.68,-2\n",
            "Row 2: the weight -2 must be more than 0.",
        ),
        (
            "name,lat,lon\nSwapped,112.68,38.06\n",
            "Row 2: the latitude 112.68 is not between -90 and 90.",
        ),
        (
            "name,lat,lon\nTaiyuan south,37.5,112.68\n",
            "Row 2: the place (37.5, 112.68) is 62 km from the nearest station of the "
            "county; places must be within 50 km. Are latitude and longitude swapped?",
        ),
    ],
)
def test_each_wrong_row_is_named_with_its_problem(text, expected):
    assert problems_of(text) == [expected]


def test_lists_every_problem_of_every_row_at_once():
    problems = problems_of(
        "name,lat,lon,weight\ngood,38.06,112.68,1\n,38.06,east,1\n\nfar,30,112.68,1\n"
    )

    assert problems == [
        "Row 3: the name is empty.",
        "Row 3: the longitude “east” is not a number.",
        "Row 5: the place (30, 112.68) is 896 km from the nearest station of the "
        "county; places must be within 50 km. Are latitude and longitude swapped?",
    ]


def test_a_long_list_of_problems_is_cut_short():
    text = "name,lat,lon\n" + "A,x,112.68\n" * 60

    problems = problems_of(text)

    assert len(problems) == 51
    assert problems[0] == "Row 2: the latitude “x” is not a number."
    assert problems[-1] == "… and 10 more problems."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (b"name,lat,lon\n\n", "The file has a header but no places."),
        (
            "名称,纬度,经度\n新阳,38.06,112.68\n".encode("gbk"),
            "The file is not UTF-8 text (byte 1). In Excel or WPS, save it as “CSV "
            "UTF-8”.",
        ),
        (b"name,lat,lon\nA\x00,38.06,112.68\n", "The file is not a text (CSV) file."),
        (
            b"a" * 1_000_001,
            "The file is larger than 1 MB; split it into smaller files.",
        ),
        (
            ("name,lat,lon\n" + "A,38.06,112.68\n" * (MAX_PLACES + 1)).encode(),
            "The file has 20,001 places; at most 20,000 can be imported at once.",
        ),
    ],
)
def test_refuses_files_that_are_not_a_list_of_places(data, expected):
    assert problems_of(data) == [expected]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "name,latitude,x",
            "Row 1 must be a header naming the columns name, lat, lon and optionally "
            "weight; missing: lon.",
        ),
        (
            "A,38.06,112.68",
            "Row 1 must be a header naming the columns name, lat, lon and optionally "
            "weight; missing: name, lat, lon.",
        ),
    ],
)
def test_the_first_row_must_name_the_columns(header, expected):
    assert problems_of(f"{header}\nB,38.07,112.68\n") == [expected]


def test_a_column_named_twice_is_refused():
    assert problems_of("name,lat,lon,纬度\nA,38.06,112.68,38.06\n") == [
        "Row 1: the column lat appears twice."
    ]


def test_exactly_the_largest_file_allowed_is_read():
    table = parse("name,lat,lon\n" + "A,38.06,112.68\n" * MAX_PLACES)

    assert len(table.name) == MAX_PLACES


def test_without_a_station_nothing_can_be_checked():
    with translation.override("en"), pytest.raises(InvalidPlacesFileError) as caught:
        parse_places_csv(
            b"name,lat,lon\nA,38.06,112.68\n", station_lat_deg=[], station_lon_deg=[]
        )

    assert caught.value.problems == [
        "The county has no station in service, so the places cannot be checked "
        "against it; add the stations first."
    ]


def test_a_file_that_is_not_readable_csv_is_refused_with_its_row():
    data = b'name,lat,lon\n"' + b"x" * 200_000 + b'",38.06,112.68\n'
    [problem] = problems_of(data)
    assert problem.startswith("Row ")
    assert "cannot be read as CSV" in problem
