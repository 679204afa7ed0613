"""Geodesy helpers: distances, H3 cells and WGS-84 <-> GCJ-02 / BD-09 conversion.

Coordinates are stored in WGS-84; the Chinese map systems are used only at the edges
(navigation hand-off), never stored.
"""

import math
from dataclasses import dataclass

import h3

EARTH_RADIUS_M = 6_371_008.8
STATION_H3_RESOLUTION = 9
SEARCH_H3_RESOLUTION = 7

# A coarse box around mainland China, Hainan and Taiwan included: positions outside
# it are refused; positions inside are then ranked against real stations.
CHINA_LAT_RANGE_DEG = (18.0, 53.6)
CHINA_LON_RANGE_DEG = (73.4, 135.1)


@dataclass(frozen=True)
class LatLon:
    lat_deg: float
    lon_deg: float


def is_in_china(lat_deg: float, lon_deg: float) -> bool:
    lat_min, lat_max = CHINA_LAT_RANGE_DEG
    lon_min, lon_max = CHINA_LON_RANGE_DEG
    return lat_min <= lat_deg <= lat_max and lon_min <= lon_deg <= lon_max


def haversine_m(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float
) -> float:
    """Return the great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2_deg - lon1_deg)
    a = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def station_cell(lat_deg: float, lon_deg: float) -> str:
    return str(h3.latlng_to_cell(lat_deg, lon_deg, STATION_H3_RESOLUTION))


def search_cell(lat_deg: float, lon_deg: float) -> str:
    return str(h3.latlng_to_cell(lat_deg, lon_deg, SEARCH_H3_RESOLUTION))


def search_disk(lat_deg: float, lon_deg: float, rings: int) -> list[str]:
    """Return the search cells within ``rings`` steps of the position's search cell."""
    return list(h3.grid_disk(search_cell(lat_deg, lon_deg), rings))


def search_disk_radius_m(rings: int) -> float:
    """Return a radius that a disk of ``rings`` rings is sure to cover around its centre.

    Any point of the centre cell is at most one edge length from the cell centre, and each
    ring adds at least the inradius twice (sqrt(3) times the edge) of straight progress.
    """
    edge_m = float(h3.average_hexagon_edge_length(SEARCH_H3_RESOLUTION, unit="m"))
    # H3 cells vary in size by about a factor of two; stay on the safe side.
    smallest_edge_m = edge_m * 0.6
    return max(0.0, rings * math.sqrt(3) * smallest_edge_m - smallest_edge_m)


# --- Chinese map coordinate systems -------------------------------------------------
# GCJ-02 is the obfuscated datum required of Chinese web maps (Amap, Tencent);
# BD-09 is Baidu's further offset of GCJ-02. The published forward transform is used.

_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_BD_X_PI = math.pi * 3000.0 / 180.0


def _transform_lat(x: float, y: float) -> float:
    ret = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    )
    ret += (
        (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi))
        * 2.0
        / 3.0
    )
    ret += (
        (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    )
    ret += (
        (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0))
        * 2.0
        / 3.0
    )
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (
        (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi))
        * 2.0
        / 3.0
    )
    ret += (
        (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    )
    ret += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi))
        * 2.0
        / 3.0
    )
    return ret


def wgs84_to_gcj02(lat_deg: float, lon_deg: float) -> LatLon:
    """Convert WGS-84 to GCJ-02 (Amap, Tencent). Positions outside China are unchanged."""
    if not is_in_china(lat_deg, lon_deg):
        return LatLon(lat_deg, lon_deg)
    dlat = _transform_lat(lon_deg - 105.0, lat_deg - 35.0)
    dlon = _transform_lon(lon_deg - 105.0, lat_deg - 35.0)
    rad_lat = math.radians(lat_deg)
    magic = 1 - _GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return LatLon(lat_deg + dlat, lon_deg + dlon)


def gcj02_to_bd09(lat_deg: float, lon_deg: float) -> LatLon:
    z = math.sqrt(lon_deg**2 + lat_deg**2) + 0.00002 * math.sin(lat_deg * _BD_X_PI)
    theta = math.atan2(lat_deg, lon_deg) + 0.000003 * math.cos(lon_deg * _BD_X_PI)
    return LatLon(z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065)


def wgs84_to_bd09(lat_deg: float, lon_deg: float) -> LatLon:
    """Convert WGS-84 to BD-09 (Baidu) through GCJ-02."""
    gcj = wgs84_to_gcj02(lat_deg, lon_deg)
    return gcj02_to_bd09(gcj.lat_deg, gcj.lon_deg)
