"""Hand-off links to the Chinese map apps, each in the coordinate system it expects."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from warmbee.core import geo
from warmbee.stations.models import Station


@dataclass(frozen=True)
class NavigationLink:
    app: str
    label: str | Promise
    url: str


def navigation_links(station: Station) -> list[NavigationLink]:
    return navigation_links_to(station.lat_deg, station.lon_deg, station.name)


def navigation_links_to(
    lat_deg: float, lon_deg: float, name: str
) -> list[NavigationLink]:
    """Return Amap (GCJ-02), Baidu (BD-09), Tencent (GCJ-02) and plain geo: (WGS-84) links."""
    gcj = geo.wgs84_to_gcj02(lat_deg, lon_deg)
    bd = geo.wgs84_to_bd09(lat_deg, lon_deg)
    amap = "https://uri.amap.com/navigation?" + urlencode(
        {
            "to": f"{gcj.lon_deg:.6f},{gcj.lat_deg:.6f},{name}",
            "mode": "ride",
            "coordinate": "gaode",
            "callnative": "1",
            "src": "warmbee",
        }
    )
    baidu = "https://api.map.baidu.com/direction?" + urlencode(
        {
            "destination": f"latlng:{bd.lat_deg:.6f},{bd.lon_deg:.6f}|name:{name}",
            "mode": "riding",
            "coord_type": "bd09ll",
            "output": "html",
            "src": "warmbee",
        }
    )
    tencent = "https://apis.map.qq.com/uri/v1/routeplan?" + urlencode(
        {
            "type": "bike",
            "to": name,
            "tocoord": f"{gcj.lat_deg:.6f},{gcj.lon_deg:.6f}",
            "referer": "warmbee",
        }
    )
    geo_link = f"geo:{lat_deg:.6f},{lon_deg:.6f}?" + urlencode(
        {"q": f"{lat_deg:.6f},{lon_deg:.6f}({name})"}
    )
    return [
        NavigationLink("amap", _("Amap"), amap),
        NavigationLink("baidu", _("Baidu Maps"), baidu),
        NavigationLink("tencent", _("Tencent Maps"), tencent),
        NavigationLink("geo", _("Other map app"), geo_link),
    ]
