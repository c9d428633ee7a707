from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel
from vcassure.core.uploads import stored_path
from vcassure.orgs.scoping import ScopedQuerySet

# Meeting importances a template may name (meetings.Meeting.Importance; this app sits below it).
IMPORTANCE_CHOICES = [
    ("normal", _("一般")),
    ("important", _("重要")),
    ("special", _("特别重要")),
]
IMPORTANCE_VALUES = {value for value, _label in IMPORTANCE_CHOICES}


class ChecklistTemplate(TimeStampedModel):
    """An editable procedure: the R7 venue procedure, the R8 fibre-route patrol, or a custom one."""

    class Kind(models.TextChoices):
        VENUE = "venue", _("分会场保障(R7)")
        FIBRE = "fibre", _("光缆线路保障(R8)")
        INSPECTION = "inspection", _("巡检")
        CUSTOM = "custom", _("自定义")

    class AppliesTo(models.TextChoices):
        MEETING = "meeting", _("会议保障")
        INSPECTION = "inspection", _("日常巡检")
        TEST = "test", _("联调测试")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    # Where the template applies: to what work, for which system (none: every system), for which
    # meeting importances (empty: every importance), for which inspection kind (blank: any). The
    # most specific active template of each kind wins (checklists.selectors.templates_applying).
    applies_to = models.CharField(
        _("适用于"), max_length=12, choices=AppliesTo.choices, default=AppliesTo.MEETING
    )
    system = models.ForeignKey(
        "venues.CustomerSystem",
        verbose_name=_("系统"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    importances = models.JSONField(_("会议重要性"), default=list, blank=True)
    inspection_kind = models.CharField(_("巡检类别"), max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("检查模板")
        verbose_name_plural = _("检查模板")

    def __str__(self) -> str:
        return self.name


class ChecklistStep(models.Model):
    """One step of a template. `phase` says when it may be done relative to the meeting."""

    class Phase(models.TextChoices):
        BEFORE = "before", _("会前")
        AFTER = "after", _("会后")
        ANY = "any", _("不限")

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("步骤"), max_length=200)
    guidance = models.TextField(_("说明"), blank=True)
    phase = models.CharField(_("时机"), max_length=8, choices=Phase.choices, default=Phase.BEFORE)
    requires_photo = models.BooleanField(_("需拍照"), default=False)
    # A reading (e.g. optical power in dBm): required when reading_label is set; out of the
    # allowed range (either bound optional) the step fails.
    reading_label = models.CharField(_("读数名称"), max_length=40, blank=True)
    reading_unit = models.CharField(_("单位"), max_length=12, blank=True)
    reading_min = models.DecimalField(
        _("下限"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    reading_max = models.DecimalField(
        _("上限"), max_digits=10, decimal_places=3, null=True, blank=True
    )

    class Meta:
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="uniq_step_number")
        ]
        verbose_name = _("检查步骤")
        verbose_name_plural = _("检查步骤")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def requires_reading(self) -> bool:
        return bool(self.reading_label)


class ChecklistRun(TimeStampedModel):
    """One execution of a template for one subject (a support task, an inspection). The subject is
    a reference ("task:123") so that this app knows nothing of the apps above it; the org unit
    carries the scope."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="runs")
    subject = models.CharField(max_length=64, db_index=True)
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    venue = models.ForeignKey(
        "venues.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["template", "subject"], name="uniq_run_per_subject")
        ]
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")

    def __str__(self) -> str:
        return f"{self.template} · {self.subject}"


class RunStep(models.Model):
    """A template step frozen onto a run when the run starts: editing the template later changes
    nothing a run already does or did."""

    Phase = ChecklistStep.Phase

    run = models.ForeignKey(ChecklistRun, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("步骤"), max_length=200)
    guidance = models.TextField(_("说明"), blank=True)
    phase = models.CharField(_("时机"), max_length=8, choices=Phase.choices, default=Phase.BEFORE)
    requires_photo = models.BooleanField(_("需拍照"), default=False)
    reading_label = models.CharField(_("读数名称"), max_length=40, blank=True)
    reading_unit = models.CharField(_("单位"), max_length=12, blank=True)
    reading_min = models.DecimalField(
        _("下限"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    reading_max = models.DecimalField(
        _("上限"), max_digits=10, decimal_places=3, null=True, blank=True
    )

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="uniq_run_step_number")
        ]
        verbose_name = _("检查步骤")
        verbose_name_plural = _("检查步骤")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def template(self):
        return self.run.template

    @property
    def requires_reading(self) -> bool:
        return bool(self.reading_label)


class StepResult(TimeStampedModel):
    """The outcome of one step in a run: pass or fail, a note, who and when. A step may be
    recorded again (after a repair); every record is kept, the latest one counts."""

    class Result(models.TextChoices):
        PASS = "pass", _("通过")
        FAIL = "fail", _("不通过")

    run = models.ForeignKey(ChecklistRun, on_delete=models.CASCADE, related_name="results")
    step = models.ForeignKey(RunStep, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=4, choices=Result.choices)
    note = models.CharField(_("备注"), max_length=1000, blank=True)
    reading = models.DecimalField(_("读数"), max_digits=10, decimal_places=3, null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Photos announced with the answer and still on their way (a phone saves the answer first and
    # sends each photo as its own request, retried over a weak link). A pass that needs a photo
    # counts only once they have arrived.
    photos_pending = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["run", "step__number", "recorded_at", "id"]
        verbose_name = _("步骤结果")
        verbose_name_plural = _("步骤结果")

    @property
    def counts_as_pass(self) -> bool:
        """Passed, with the evidence it announced in hand."""
        return self.result == self.Result.PASS and not self.photos_pending

    def __str__(self) -> str:
        return f"{self.step} {self.result}"


def photo_upload_to(instance: "StepPhoto", filename: str) -> str:
    # Never the user's file name: a random one, under a folder per run. Served only through a view.
    return stored_path(f"checklists/{instance.result.run_id}", instance.extension)


class StepPhoto(models.Model):
    """Evidence for a step: a checked image, stored outside the web root."""

    result = models.ForeignKey(StepResult, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_upload_to)
    extension = models.CharField(max_length=5)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")

    def __str__(self) -> str:
        return self.image.name or ""
