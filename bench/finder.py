"""Finder latency in-process at 12, 10,000 and 100,000 stations, against a full scan.

The finder (``find_nearest_stations``) prefilters by H3 rings. The baseline is what one
would write without it: load every qualifying station's id and position, rank them all by
haversine in Python, then check opening hours nearest first. Both run on the same queries,
interleaved query by query, in the same process, and must give the same stations.
"""

import cProfile
import datetime as dt
import gc
import io
import os
import pstats
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from bench.report import Figure, percentile, print_figures, write_figure
from warmbee.core import geo
from warmbee.coverage.models import RoadNetwork
from warmbee.coverage.routing import forget_network_bounds
from warmbee.devtools.demo import load_demo
from warmbee.regions.models import Region, RegionLevel
from warmbee.stations.choices import AmenityStatus, TravelMode
from warmbee.stations.finder import (
    FinderAnswer,
    FinderQuery,
    check_query,
    find_nearest_stations,
    speed_kmh,
)
from warmbee.stations.models import Amenity, Station, StationAmenity
from warmbee.stations.presets import PRESETS
from warmbee.stations.selectors import list_stations_with_amenities, station_state_at
from warmbee.visits.selectors import count_visits_by_station

SEED = 20260309
QUERIES_PER_SIZE = 200
WARMUP_QUERIES = 20
SIZES = (12, 10_000, 100_000)

# A Shanxi-sized box, and a dense cluster the size of Yangqu's county seat inside it.
PROVINCE_LAT_DEG = (34.6, 40.7)
PROVINCE_LON_DEG = (110.2, 114.6)
COUNTY_LAT_DEG = (38.00, 38.12)
COUNTY_LON_DEG = (112.60, 112.76)
COUNTY_SHARE = 0.1

OPENING_HOURS = (
    ("Mo-Su 08:00-20:00", 0.35),
    ("Mo-Fr 08:00-18:00; Sa,Su 09:00-17:00; PH off", 0.2),
    ("Mo-Su 07:00-22:00", 0.15),
    ("24/7", 0.1),
    ("Mo-Fr 08:30-18:00; PH off", 0.1),
    ("Mo-Sa 08:00-19:00", 0.1),
)
AMENITY_STATUSES = (
    (AmenityStatus.YES, 0.6),
    (AmenityStatus.NO, 0.2),
    (AmenityStatus.UNKNOWN, 0.1),
    (AmenityStatus.BROKEN, 0.05),
    (AmenityStatus.OUT_OF_STOCK, 0.05),
)
# What a rider asks for: one preset button, or "any station nearby".
QUERY_AMENITIES = ((),) + tuple((preset.amenity_code,) for preset in PRESETS)

TARGET_P50_MS = 5.0
TARGET_P99_MS = 20.0
TARGET_SPEEDUP = 20.0
SHANGHAI = ZoneInfo("Asia/Shanghai")
Result = TypeVar("Result")


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _position(rng: random.Random) -> tuple[float, float]:
    if rng.random() < COUNTY_SHARE:
        return rng.uniform(*COUNTY_LAT_DEG), rng.uniform(*COUNTY_LON_DEG)
    return rng.uniform(*PROVINCE_LAT_DEG), rng.uniform(*PROVINCE_LON_DEG)


@transaction.atomic
def add_stations(count: int, rng: random.Random, first_number: int) -> None:
    """Bulk-create ``count`` synthetic stations, each with every amenity's status."""
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY))
    amenities = list(Amenity.objects.all())
    batch_size = 5_000
    for start in range(0, count, batch_size):
        stations = []
        for number in range(start, min(start + batch_size, count)):
            lat_deg, lon_deg = _position(rng)
            stations.append(
                Station(
                    name=f"Bench station {first_number + number}",
                    community=rng.choice(communities),
                    address="bench",
                    lat_deg=lat_deg,
                    lon_deg=lon_deg,
                    h3_cell=geo.station_cell(lat_deg, lon_deg),
                    h3_search_cell=geo.search_cell(lat_deg, lon_deg),
                    opening_hours=_weighted(rng, OPENING_HOURS),
                    capacity=rng.randint(4, 20),
                )
            )
        Station.objects.bulk_create(stations, batch_size=1_000)
        StationAmenity.objects.bulk_create(
            (
                StationAmenity(
                    station=station,
                    amenity=amenity,
                    status=_weighted(rng, AMENITY_STATUSES),
                )
                for station in stations
                for amenity in amenities
            ),
            batch_size=2_000,
        )


def make_queries(
    count: int, rng: random.Random, *, county_only: bool
) -> list[FinderQuery]:
    """Return queries at random places and random daytime-to-late moments of a week."""
    monday = dt.datetime(2026, 3, 9, tzinfo=SHANGHAI)
    queries = []
    for _index in range(count):
        if county_only:
            lat_deg, lon_deg = (
                rng.uniform(*COUNTY_LAT_DEG),
                rng.uniform(*COUNTY_LON_DEG),
            )
        else:
            lat_deg, lon_deg = _position(rng)
        at = monday + dt.timedelta(
            days=rng.randrange(7), minutes=rng.randrange(6 * 60, 23 * 60)
        )
        queries.append(
            FinderQuery(
                lat_deg=lat_deg,
                lon_deg=lon_deg,
                mode=rng.choice([TravelMode.WALK, TravelMode.EBIKE]),
                amenity_codes=rng.choice(QUERY_AMENITIES),
                at=at,
            )
        )
    return queries


def full_scan(query: FinderQuery) -> list[int]:
    """Return the ids the straightforward finder picks: rank every station in Python."""
    check_query(query)
    stations = Station.objects.filter(is_active=True)
    for code in query.amenity_codes:
        # EXISTS, as the finder checks amenities: a join makes SQLite's plan several
        # times slower.
        stations = stations.filter(
            Exists(
                StationAmenity.objects.filter(
                    station=OuterRef("pk"), amenity__code=code, status=AmenityStatus.YES
                )
            )
        )
    rows = stations.order_by().values_list("id", "lat_deg", "lon_deg")
    ranked = sorted(
        (geo.haversine_m(query.lat_deg, query.lon_deg, lat, lon), pk)
        for pk, lat, lon in rows
    )
    mode_speed_kmh = speed_kmh(query.mode)
    chosen: list[int] = []
    batch_size = max(2 * query.limit, 10)
    for offset in range(0, len(ranked), batch_size):
        batch = ranked[offset : offset + batch_size]
        by_id = {
            station.pk: station
            for station in list_stations_with_amenities(
                Station.objects.filter(pk__in=[pk for _d, pk in batch])
            )
        }
        for distance_m, pk in batch:
            travel_time_s = (
                distance_m * settings.FINDER_DETOUR_FACTOR / (mode_speed_kmh / 3.6)
            )
            arrival = query.at + dt.timedelta(seconds=travel_time_s)
            if station_state_at(by_id[pk], arrival).is_open or not query.open_only:
                chosen.append(pk)
            if len(chosen) == query.limit:
                break
        if len(chosen) == query.limit:
            break
    count_visits_by_station(
        chosen,
        since=query.at - dt.timedelta(minutes=settings.FINDER_BUSY_WINDOW_MIN),
        until=query.at,
    )
    return chosen


def _answer_ids(answer: FinderAnswer) -> list[int]:
    return [result.station.pk for result in answer.results]


def _timed(
    function: Callable[[FinderQuery], Result], query: FinderQuery
) -> tuple[float, Result]:
    started = time.perf_counter()
    result = function(query)
    return (time.perf_counter() - started) * 1000, result


@dataclass(frozen=True)
class SizeResult:
    stations: int
    finder_ms: list[float]
    full_scan_ms: list[float]
    mismatches: int
    mean_results: float


def measure(queries: list[FinderQuery]) -> SizeResult:
    """Time the finder and the full scan on each query, side by side."""
    for query in queries[:WARMUP_QUERIES]:
        find_nearest_stations(query)
        full_scan(query)
    # As a long-running server would: keep the garbage collector off the objects made
    # so far (Django, the stations), so its pauses depend on each call's own garbage.
    gc.collect()
    gc.freeze()
    finder_ms, full_scan_ms, mismatches, results = [], [], 0, 0
    for query in queries:
        elapsed_ms, answer = _timed(find_nearest_stations, query)
        finder_ms.append(elapsed_ms)
        elapsed_ms, scanned = _timed(full_scan, query)
        full_scan_ms.append(elapsed_ms)
        found = _answer_ids(answer)
        results += len(found)
        # The finder searches a bounded radius: it may find fewer, never others.
        if found != scanned[: len(found)]:
            mismatches += 1
    return SizeResult(
        stations=Station.objects.filter(is_active=True).count(),
        finder_ms=finder_ms,
        full_scan_ms=full_scan_ms,
        mismatches=mismatches,
        mean_results=results / len(queries),
    )


def profile_finder(queries: list[FinderQuery]) -> str:
    """Return the top of a cProfile of the finder over ``queries``."""
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        find_nearest_stations(query)
    profiler.disable()
    out = io.StringIO()
    # Only Warm Bee's own functions: what they cost includes the ORM calls they make.
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"warmbee/", 20)
    return out.getvalue()


def _print_table(sizes: list[SizeResult]) -> None:
    print(f"\n== Finder latency, {QUERIES_PER_SIZE} queries per size (ms)")
    print(
        f"{'stations':>9} {'finder p50':>11} {'finder p99':>11} "
        f"{'scan p50':>9} {'scan p99':>9} {'speedup':>8} {'results':>8} {'mismatch':>9}"
    )
    for size in sizes:
        p50 = percentile(size.finder_ms, 0.5)
        scan_p50 = percentile(size.full_scan_ms, 0.5)
        print(
            f"{size.stations:>9,} {p50:>11.2f} {percentile(size.finder_ms, 0.99):>11.2f} "
            f"{scan_p50:>9.2f} {percentile(size.full_scan_ms, 0.99):>9.2f} "
            f"{scan_p50 / p50:>7.1f}x {size.mean_results:>8.2f} {size.mismatches:>9}"
        )


def _figures(
    largest: SizeResult, sizes: list[SizeResult], load_average: tuple[float, ...]
) -> list[Figure]:
    p50 = percentile(largest.finder_ms, 0.5)
    p99 = percentile(largest.finder_ms, 0.99)
    scan_p50 = percentile(largest.full_scan_ms, 0.5)
    scan_p99 = percentile(largest.full_scan_ms, 0.99)
    details = {
        "stations": largest.stations,
        "queries": len(largest.finder_ms),
        "mismatches_vs_full_scan": largest.mismatches,
        # The machine is shared: the 1-minute load average before and after the run.
        "load_average_1min": [round(value, 2) for value in load_average],
        "by_size": {
            str(size.stations): {
                "finder_p50_ms": round(percentile(size.finder_ms, 0.5), 3),
                "finder_p99_ms": round(percentile(size.finder_ms, 0.99), 3),
                "full_scan_p50_ms": round(percentile(size.full_scan_ms, 0.5), 3),
                "full_scan_p99_ms": round(percentile(size.full_scan_ms, 0.99), 3),
                "mismatches_vs_full_scan": size.mismatches,
            }
            for size in sizes
        },
    }
    return [
        Figure(
            name="finder_latency_p50",
            value=round(p50, 3),
            unit="ms",
            target=f"< {TARGET_P50_MS:g} ms",
            meets_target=p50 < TARGET_P50_MS,
            baseline_name="full_scan_latency_p50_ms",
            baseline_value=round(scan_p50, 3),
            details=details,
        ),
        Figure(
            name="finder_latency_p99",
            value=round(p99, 3),
            unit="ms",
            target=f"< {TARGET_P99_MS:g} ms",
            meets_target=p99 < TARGET_P99_MS,
            baseline_name="full_scan_latency_p99_ms",
            baseline_value=round(scan_p99, 3),
            details=details,
        ),
        Figure(
            name="finder_speedup_vs_full_scan",
            value=round(scan_p50 / p50, 2),
            unit="x",
            target=f">= {TARGET_SPEEDUP:g}x",
            meets_target=scan_p50 / p50 >= TARGET_SPEEDUP,
            baseline_name="full_scan_latency_p50_ms",
            baseline_value=round(scan_p50, 3),
            details={"ratio": "full scan p50 / finder p50, same queries", **details},
        ),
    ]


def run() -> list[Figure]:
    load_before = os.getloadavg()[0]
    rng = random.Random(SEED)
    load_demo(visits=300, seed=SEED)
    # The targets are for the straight-line ranking (H3 prefilter); the demo's generated
    # road network is measured by bench/finder_network.py instead.
    RoadNetwork.objects.update(is_active=False)
    forget_network_bounds()
    sizes = []
    for size in SIZES:
        present = Station.objects.count()
        if present > size:
            print(f"Skipping {size:,} stations: the database already has {present:,}.")
            continue
        if size > present:
            print(f"Adding {size - present:,} stations…", flush=True)
            add_stations(size - present, rng, first_number=present)
        queries = make_queries(
            QUERIES_PER_SIZE, random.Random(SEED + size), county_only=size == SIZES[0]
        )
        sizes.append(measure(queries))
    _print_table(sizes)
    figures = _figures(sizes[-1], sizes, (load_before, os.getloadavg()[0]))
    for figure in figures:
        write_figure(figure)
    print_figures("Finder targets at 100,000 stations", figures)
    if not all(figure.meets_target for figure in figures):
        print("\nTargets not met; where the finder spends its time:")
        print(profile_finder(queries[:50]))
    return figures
