"""Form plumbing: a service's errors placed on the form the person filled in."""

from collections.abc import Callable

from django import forms

from vcassure.core.errors import ApplicationError


def add_service_errors(
    form: forms.Form,
    exc: ApplicationError,
    *,
    place: Callable[[str, str], bool] | None = None,
) -> None:
    """The service's summary above the form; each of its `{"field", "message"}` errors beside
    that field (`place(field, message)` may put it elsewhere), else above too; each message once."""
    form.add_error(None, exc.message)
    for error in exc.errors:
        field, message = error.get("field"), error.get("message")
        if not message or message == exc.message:
            continue
        if field and place is not None and place(field, message):
            continue
        if field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, message)


class ServiceErrorsForm(forms.Form):
    """A form that shows a service's ApplicationError beside its fields. `error_fields` maps a
    service's field name to this form's (None: shown above the form)."""

    error_fields: dict[str, str | None] = {}

    def add_service_errors(self, exc: ApplicationError) -> None:
        add_service_errors(self, exc, place=self.place_error)

    def place_error(self, field: str, message: str) -> bool:
        target = self.error_fields.get(field, field)
        if target is not None and target in self.fields:
            self.add_error(target, message)
            return True
        return False
