"""Import an OpenStreetMap extract as a county's road network, with progress and a summary."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from warmbee.core.errors import DomainError
from warmbee.coverage.engine.osm_import import ImportProgress
from warmbee.coverage.selectors import get_county
from warmbee.coverage.services import import_road_network


class Command(BaseCommand):
    help = (
        "Import the roads and paths of an OpenStreetMap .osm.pbf extract as the "
        "county's road network; the previous network stays in use if this fails."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("extract", help="path of the .osm.pbf file")
        parser.add_argument(
            "--county",
            required=True,
            help="division code of the county (6 or 12 digits, e.g. 140122)",
        )
        parser.add_argument(
            "--generated",
            action="store_true",
            help="label the network as generated (a demo, not real roads)",
        )

    def _progress(self, step: ImportProgress) -> None:
        if step.stage == "reading":
            self.stdout.write(f"  read {step.ways_read:,} ways ...")
        elif step.stage == "building":
            self.stdout.write(
                f"  building the network from {step.routable_ways:,} routable ways "
                f"of {step.ways_read:,} ..."
            )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            county = get_county(options["county"])
            self.stdout.write(f"Importing {options['extract']} for {county.name} ...")
            network = import_road_network(
                county=county,
                path=options["extract"],
                is_generated=options["generated"],
                progress=self._progress,
            )
        except DomainError as error:
            raise CommandError(error.detail) from error
        summary = network.summary
        built = summary.get("built_node_count") or network.node_count
        kept_percent = 100.0 * network.node_count / built if built else 100.0
        on_network = summary.get("stations_on_network", 0)
        in_service = summary.get("stations_in_service", 0)
        label = " (generated)" if network.is_generated else ""
        self.stdout.write(
            self.style.SUCCESS(f"Road network #{network.pk}{label} is now in use.")
        )
        self.stdout.write(
            f"  nodes {network.node_count:,}, edges {network.edge_count:,}, "
            f"roads {network.road_length_km:,.1f} km\n"
            f"  largest connected component kept: {network.node_count:,} of "
            f"{built:,} nodes ({kept_percent:.1f} %)\n"
            f"  bounding box: {network.min_lat_deg:.5f},{network.min_lon_deg:.5f} - "
            f"{network.max_lat_deg:.5f},{network.max_lon_deg:.5f} (lat,lon)\n"
            f"  stations within reach of a road: {on_network} of {in_service}\n"
            f"  file: {network.path}\n"
            f"  time: {time.perf_counter() - started:.1f} s"
        )
        if in_service and on_network < in_service:
            self.stdout.write(
                self.style.WARNING(
                    "  Some stations are far from every road of this extract: "
                    "is it the right county?"
                )
            )
