"""Joint tests (联调, C9): rounds of a test meeting and each venue's audio/video result per round."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel
from vcassure.meetings.models.meetings import Meeting
from vcassure.orgs.scoping import ScopedQuerySet


class TestRound(models.Model):
    """A round of a joint debugging test (联调测试, a meeting of kind test): a time slot, for one
    city or for every venue. Round 1 tests every venue; a venue that failed a round is tested
    again in the next one (made when needed) until it passes."""

    __test__ = False  # not a pytest test class

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="test_rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    city = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("城市"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    is_retest = models.BooleanField(_("重测轮"), default=False)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="uniq_test_round_number")
        ]
        verbose_name = _("联调轮次")
        verbose_name_plural = _("联调轮次")

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.number}"


class TestResult(TimeStampedModel):
    """One venue's result in one round: audio in/out, video in/out (pass/fail), and a note."""

    __test__ = False

    class Outcome(models.TextChoices):
        PASS = "pass", _("通过")
        FAIL = "fail", _("不通过")

    CHECKS = ("audio_in", "audio_out", "video_in", "video_out")

    round = models.ForeignKey(TestRound, on_delete=models.CASCADE, related_name="results")
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    audio_in = models.CharField(_("音频收"), max_length=4, choices=Outcome.choices, blank=True)
    audio_out = models.CharField(_("音频发"), max_length=4, choices=Outcome.choices, blank=True)
    video_in = models.CharField(_("视频收"), max_length=4, choices=Outcome.choices, blank=True)
    video_out = models.CharField(_("视频发"), max_length=4, choices=Outcome.choices, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["round", "org_unit__path", "venue__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "venue"], name="uniq_test_result_per_round")
        ]
        verbose_name = _("联调结果")
        verbose_name_plural = _("联调结果")

    def __str__(self) -> str:
        return f"{self.round} {self.venue_id}"

    @property
    def outcome(self) -> str:
        """fail if any check failed; pass when all four passed; "" while incomplete."""
        values = [getattr(self, c) for c in self.CHECKS]
        if "fail" in values:
            return "fail"
        return "pass" if all(v == "pass" for v in values) else ""
