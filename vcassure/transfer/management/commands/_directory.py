"""What the import_* and export_* commands share: the same services as the transfer pages (the
same row checks, all or nothing), run as a named login whose scope and role apply."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vcassure.core.errors import ApplicationError
from vcassure.transfer.services import KINDS, export_workbook, import_workbook


def _user(username: str | None):
    User = get_user_model()
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("找不到账号“%(name)s”。") % {"name": username})
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    if user is None:
        raise CommandError(_("找不到管理员账号，请用 --user 指定以谁的身份执行。"))
    return user


def _add_user_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--user",
        help=_("以该账号的身份和管辖范围执行(默认：第一个超级管理员)"),
    )


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("xlsx 文件，表头与导入模板一致"))
        _add_user_argument(parser)

    def handle(self, *args, **options) -> None:
        spec = KINDS[self.kind]
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        user = _user(options.get("user"))
        try:
            result = import_workbook(kind=self.kind, user=user, data=data)
        except PermissionDenied:
            raise CommandError(
                _("账号“%(name)s”无权导入。") % {"name": user.get_username()}
            ) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if not result.ok:
            for error in result.errors:
                self.stderr.write(
                    _("第 %(row)s 行，“%(column)s”列：%(message)s")
                    % {"row": error.row, "column": error.column, "message": error.message}
                )
            raise CommandError(
                _("%(kind)s文件有 %(count)s 处错误，没有写入任何数据。")
                % {"kind": spec.label, "count": len(result.errors)}
            )
        self.stdout.write(
            _(
                "已导入%(kind)s %(rows)s 行：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s。"
            )
            % {
                "kind": spec.label,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )


class ExportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("写入的 xlsx 文件"))
        _add_user_argument(parser)

    def handle(self, *args, **options) -> None:
        spec = KINDS[self.kind]
        user = _user(options.get("user"))
        data = export_workbook(kind=self.kind, user=user)
        path = Path(options["file"])
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(
                _("无法写入文件 %(path)s：%(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        self.stdout.write(_("已导出%(kind)s到 %(path)s。") % {"kind": spec.label, "path": path})
