from django.db import models
from django.utils.translation import gettext_lazy as _

from vcassure.core.models import TimeStampedModel


class WorkingCalendarDay(TimeStampedModel):
    """An administrator's override of the working calendar for one date: a holiday (not a
    workday) or a make-up workday (调休上班). Takes precedence over chinese-calendar."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否上班"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"
