from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "vcassure.transfer"
    label = "transfer"
    verbose_name = _("Excel 导入导出")
