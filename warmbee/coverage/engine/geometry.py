"""Vectorised distances on a spherical Earth: haversine and Earth-centred coordinates.

The kd-trees of the engine work on Earth-centred (ECEF) coordinates in metres: the chord
between two points is never longer than the great-circle arc, so a search of chord radius
``r`` finds every point within ``r`` metres along the surface (and a few more to filter).
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> NDArray[np.float64]:
    """Return great-circle distances in metres, broadcasting the inputs."""
    phi1 = np.radians(np.asarray(lat1_deg, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2_deg, dtype=np.float64))
    dphi = phi2 - phi1
    dlmb = np.radians(
        np.asarray(lon2_deg, dtype=np.float64) - np.asarray(lon1_deg, dtype=np.float64)
    )
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def ecef_m(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.float64]:
    """Return Earth-centred coordinates in metres, shape (n, 3), on a spherical Earth."""
    phi = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lmb = np.radians(np.asarray(lon_deg, dtype=np.float64))
    cos_phi = np.cos(phi)
    return (
        np.column_stack((cos_phi * np.cos(lmb), cos_phi * np.sin(lmb), np.sin(phi)))
        * EARTH_RADIUS_M
    )


def chord_to_arc_m(chord_m: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the great-circle distance in metres for chord lengths in metres."""
    ratio = np.clip(chord_m / (2 * EARTH_RADIUS_M), 0.0, 1.0)
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(ratio))
