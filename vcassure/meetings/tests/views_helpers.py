"""Shared by the meeting page tests (test_views_create_edit.py, test_views_detail_actions.py)."""

import re


def field_has_error(page: str, name: str, message: str) -> bool:
    """The message sits inside the field's own block, not only somewhere on the page."""
    match = re.search(
        rf'<div class="field has-error" id="field-{name}">(.*?)(?=<div class="field|</form>|</fieldset>)',
        page,
        re.S,
    )
    return bool(match and message in match.group(1))
