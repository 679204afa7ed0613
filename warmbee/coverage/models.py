"""Road networks imported per county, demand layers and coverage runs; no domain logic."""

from pathlib import Path

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RoadNetwork(models.Model):
    """One import of a county's road network; its arrays live in an ``.npz`` file.

    At most one network per county is active; older ones stay for the runs that used
    them. ``file_name`` is relative to ``settings.NETWORK_DIR``.
    """

    county = models.ForeignKey(
        "regions.Region",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="road_networks",
        limit_choices_to={"level": "county"},
    )
    name = models.CharField(_("source file"), max_length=200)
    file_name = models.CharField(_("network file"), max_length=200, unique=True)
    node_count = models.PositiveIntegerField(_("nodes"))
    edge_count = models.PositiveIntegerField(_("edges"))
    road_length_km = models.FloatField(_("road length (km)"))
    min_lat_deg = models.FloatField(_("south edge (latitude)"))
    min_lon_deg = models.FloatField(_("west edge (longitude)"))
    max_lat_deg = models.FloatField(_("north edge (latitude)"))
    max_lon_deg = models.FloatField(_("east edge (longitude)"))
    is_generated = models.BooleanField(
        _("generated (not a real road network)"),
        default=False,
        help_text=_("A street network made up for the demo, not real roads."),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    summary = models.JSONField(_("import summary"), default=dict, blank=True)
    is_active = models.BooleanField(_("in use"), default=False)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("road network")
        verbose_name_plural = _("road networks")
        constraints = [
            models.UniqueConstraint(
                fields=["county"],
                condition=models.Q(is_active=True),
                name="road_network_one_active_per_county",
            ),
            models.CheckConstraint(
                condition=models.Q(min_lat_deg__lte=models.F("max_lat_deg"))
                & models.Q(min_lon_deg__lte=models.F("max_lon_deg")),
                name="road_network_bbox_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> Path:
        """Return where the network's arrays are stored."""
        return Path(settings.NETWORK_DIR) / self.file_name


class DemandLayer(models.Model):
    """An imported list of places (a CSV) that a coverage run can use as its demand.

    ``points`` holds the places as columns, ``{"name": [...], "lat_deg": [...],
    "lon_deg": [...], "weight": [...]}`` (WGS-84): a run reads them all at once as
    arrays and nothing queries one place, so a JSON document (at most 20,000 places)
    beats 20,000 child rows. A layer is never edited; runs keep pointing at it.
    """

    county = models.ForeignKey(
        "regions.Region",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="demand_layers",
        limit_choices_to={"level": "county"},
    )
    name = models.CharField(pgettext_lazy("demand layer", "name"), max_length=100)
    source_file_name = models.CharField(_("file"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    point_count = models.PositiveIntegerField(_("places"))
    total_weight = models.FloatField(_("total weight"))
    points = models.JSONField(_("places (columns)"))

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("demand layer")
        verbose_name_plural = _("demand layers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(point_count__gte=1),
                name="demand_layer_has_places",
            ),
            models.CheckConstraint(
                condition=models.Q(total_weight__gt=0),
                name="demand_layer_positive_weight",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CoverageRunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class CoverageRunStage(models.TextChoices):
    """Where a run is; the label is the progress message shown to the planner."""

    WAITING = "waiting", _("Waiting for the background worker")
    LOADING = "loading", _("Loading the road network and stations")
    COVERAGE = "coverage", _("Computing travel times to the nearest station")
    CANDIDATES = "candidates", _("Computing what each candidate site would cover")
    SITING = "siting", _("Choosing the new sites")
    FINISHED = "finished", _("Finished")


class CoverageRun(models.Model):
    """One coverage analysis of a county, computed by the background worker.

    Without a network (``network`` empty) travel times are straight-line distance times
    a detour factor. ``parameters`` holds mode, minutes, k, candidate source and demand
    layer as checked by ``services.check_coverage_parameters``; ``result`` is filled
    when done (``tasks.compute_coverage``). Errors are stored as a code and named values
    so they can be shown in each reader's language.
    """

    county = models.ForeignKey(
        "regions.Region",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="coverage_runs",
        limit_choices_to={"level": "county"},
    )
    network = models.ForeignKey(
        RoadNetwork,
        verbose_name=_("road network"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
    )
    demand_layer = models.ForeignKey(
        DemandLayer,
        verbose_name=_("demand layer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
        help_text=_("The imported places used as demand, when the run uses some."),
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CoverageRunStatus.choices,
        default=CoverageRunStatus.QUEUED,
    )
    progress_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    progress_stage = models.CharField(
        _("progress"),
        max_length=16,
        choices=CoverageRunStage.choices,
        default=CoverageRunStage.WAITING,
    )
    result = models.JSONField(_("result"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_params = models.JSONField(_("error details"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("coverage run")
        verbose_name_plural = _("coverage runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100),
                name="coverage_run_progress_at_most_100",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(result__isnull=False),
                name="coverage_run_done_has_result",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "-created_at"], name="coverage_run_county")
        ]

    def __str__(self) -> str:
        return f"{self.county} #{self.pk}"


class RoadNetworkImportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("road network import", "waiting")
    RUNNING = "running", pgettext_lazy("road network import", "importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class RoadNetworkImportStage(models.TextChoices):
    """Where an import is; the label is the progress message shown to the administrator."""

    WAITING = "waiting", _("Waiting for the background worker")
    READING = "reading", _("Reading the roads and paths of the extract")
    BUILDING = "building", _("Building the road network")
    SAVING = "saving", _("Saving the network and checking the stations")
    FINISHED = "finished", _("Finished")


NETWORK_UPLOAD_FOLDER = "uploads"  # inside settings.NETWORK_DIR


class RoadNetworkImport(models.Model):
    """An extract uploaded on the planner's network page, imported by the background worker.

    The upload is kept at ``upload_file_name`` (relative to ``settings.NETWORK_DIR``) until
    the import ends, done or failed; ``network`` is the network it made. At most one import
    per county waits or runs. Errors are stored as a code and named values, like a run's.
    """

    county = models.ForeignKey(
        "regions.Region",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="road_network_imports",
        limit_choices_to={"level": "county"},
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    original_file_name = models.CharField(_("file"), max_length=200)
    upload_file_name = models.CharField(_("stored upload"), max_length=200, unique=True)
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RoadNetworkImportStatus.choices,
        default=RoadNetworkImportStatus.PENDING,
    )
    progress_stage = models.CharField(
        _("progress"),
        max_length=16,
        choices=RoadNetworkImportStage.choices,
        default=RoadNetworkImportStage.WAITING,
    )
    ways_read = models.PositiveIntegerField(_("ways read"), default=0)
    routable_ways = models.PositiveIntegerField(_("routable ways"), default=0)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_params = models.JSONField(_("error details"), default=dict, blank=True)
    network = models.ForeignKey(
        RoadNetwork,
        verbose_name=_("road network"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imports",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("road network import")
        verbose_name_plural = _("road network imports")
        constraints = [
            # Two imports of one county would race to replace its network.
            models.UniqueConstraint(
                fields=["county"],
                condition=models.Q(status__in=["pending", "running"]),
                name="road_network_import_one_open_per_county",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(network__isnull=False),
                name="road_network_import_done_has_network",
            ),
        ]
        indexes = [
            models.Index(
                fields=["county", "-created_at"], name="road_network_import_county"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.original_file_name} #{self.pk}"

    @property
    def upload_path(self) -> Path:
        """Return where the uploaded extract waits for the worker."""
        return Path(settings.NETWORK_DIR) / self.upload_file_name
