"""Finder latency on the demo's generated street network, against the straight line.

Report only (issue 4 names no target for it). The demo (``load_demo``) installs a
generated 40 x 55 street grid around Yangqu's county seat; the same queries, at random
places on the grid, run with that network active (one bounded Dijkstra per query) and
with it switched off (straight line), interleaved query by query. Also measured: the first
query after a cold start (reading the network file, building the graph and kd-tree) and a
station's 15-minute area, computed and cached.

Run alone with ``python -m bench.finder_network`` (a throwaway SQLite database).
"""

import datetime as dt
import gc
import random
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.report import Figure, percentile, print_figures, write_figure

if __name__ == "__main__":
    # Run alone: Django must be set up (on a throwaway database) before the app imports.
    from bench.__main__ import _setup_django

    _DATA_DIR = tempfile.TemporaryDirectory(prefix="warmbee-bench-")
    _setup_django(Path(_DATA_DIR.name))

from warmbee.coverage import routing  # noqa: E402
from warmbee.coverage.models import RoadNetwork  # noqa: E402
from warmbee.coverage.selectors import clear_network_cache, get_county  # noqa: E402
from warmbee.devtools.demo import _add_generated_network, load_demo  # noqa: E402
from warmbee.stations.choices import TravelMode  # noqa: E402
from warmbee.stations.finder import NETWORK, FinderQuery, find_nearest_stations  # noqa: E402
from warmbee.stations.models import Station  # noqa: E402
from warmbee.stations.presets import PRESETS  # noqa: E402

SEED = 20260310
QUERIES = 200
WARMUP_QUERIES = 20
SHANGHAI = ZoneInfo("Asia/Shanghai")
QUERY_AMENITIES = ((),) + tuple((preset.amenity_code,) for preset in PRESETS)


def _network() -> RoadNetwork:
    network = RoadNetwork.objects.filter(is_active=True).first()
    if network is None:
        _add_generated_network(get_county("140122"))
        network = RoadNetwork.objects.get(is_active=True)
    return network


def _set_active(network: RoadNetwork, *, active: bool) -> None:
    RoadNetwork.objects.filter(pk=network.pk).update(is_active=active)
    routing.forget_network_bounds()


def _queries(network: RoadNetwork, rng: random.Random) -> list[FinderQuery]:
    monday = dt.datetime(2026, 3, 9, tzinfo=SHANGHAI)
    return [
        FinderQuery(
            lat_deg=rng.uniform(network.min_lat_deg, network.max_lat_deg),
            lon_deg=rng.uniform(network.min_lon_deg, network.max_lon_deg),
            mode=rng.choice([TravelMode.WALK, TravelMode.EBIKE]),
            amenity_codes=rng.choice(QUERY_AMENITIES),
            at=monday
            + dt.timedelta(
                days=rng.randrange(7), minutes=rng.randrange(6 * 60, 23 * 60)
            ),
        )
        for _index in range(QUERIES)
    ]


def _timed_ms(query: FinderQuery) -> tuple[float, str]:
    started = time.perf_counter()
    answer = find_nearest_stations(query)
    return (time.perf_counter() - started) * 1000, answer.method


def run() -> list[Figure]:
    load_demo(visits=300, seed=SEED)
    network = _network()
    queries = _queries(network, random.Random(SEED))
    station_count = Station.objects.filter(is_active=True).count()

    clear_network_cache()
    routing.clear_routing_caches()
    cold_ms, _method = _timed_ms(queries[0])

    for query in queries[:WARMUP_QUERIES]:
        find_nearest_stations(query)
    gc.collect()
    gc.freeze()
    network_ms, straight_ms, on_network = [], [], 0
    for query in queries:
        elapsed_ms, method = _timed_ms(query)
        network_ms.append(elapsed_ms)
        on_network += method == NETWORK
        _set_active(network, active=False)
        elapsed_ms, _method = _timed_ms(query)
        straight_ms.append(elapsed_ms)
        _set_active(network, active=True)

    stations = list(Station.objects.filter(is_active=True))
    started = time.perf_counter()
    for station in stations:
        routing.station_area(
            station.pk, station.lat_deg, station.lon_deg, TravelMode.WALK, 15
        )
    area_ms = (time.perf_counter() - started) * 1000 / len(stations)
    started = time.perf_counter()
    for station in stations:
        routing.station_area(
            station.pk, station.lat_deg, station.lon_deg, TravelMode.WALK, 15
        )
    cached_area_ms = (time.perf_counter() - started) * 1000 / len(stations)

    details = {
        "network": network.name,
        "is_generated": network.is_generated,
        "nodes": network.node_count,
        "edges": network.edge_count,
        "stations": station_count,
        "queries": QUERIES,
        "answered_on_the_network": on_network,
        "network_p99_ms": round(percentile(network_ms, 0.99), 3),
        "straight_line_p99_ms": round(percentile(straight_ms, 0.99), 3),
        "cold_first_query_ms": round(cold_ms, 1),
        "station_area_walk_15_min_ms": round(area_ms, 2),
        "station_area_cached_ms": round(cached_area_ms, 3),
    }
    figures = [
        Figure(
            name="finder_network_latency_p50",
            value=round(percentile(network_ms, 0.5), 3),
            unit="ms",
            target="report only",
            meets_target=True,
            baseline_name="straight_line_latency_p50_ms",
            baseline_value=round(percentile(straight_ms, 0.5), 3),
            details=details,
        ),
        Figure(
            name="finder_network_station_area_ms",
            value=round(area_ms, 2),
            unit="ms",
            target="report only",
            meets_target=True,
            baseline_name="cached_ms",
            baseline_value=round(cached_area_ms, 3),
            details=details,
        ),
    ]
    for figure in figures:
        write_figure(figure)
    print_figures("Finder on the demo's generated street network", figures)
    for key, value in details.items():
        print(f"  {key}: {value}")
    return figures


if __name__ == "__main__":
    try:
        run()
    finally:
        _DATA_DIR.cleanup()
