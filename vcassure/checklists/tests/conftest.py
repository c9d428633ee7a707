"""A small template (two steps before the meeting, the first needing a photo, one after it) and a
run of it at township 0, with uploads stored under a throw-away MEDIA_ROOT."""

import pytest

from tests.factories.checklists import ChecklistStepFactory, ChecklistTemplateFactory
from tests.factories.venues import VenueFactory
from vcassure.accounts.models import Role
from vcassure.checklists.models import ChecklistStep
from vcassure.checklists.services import checklist_run_start

Phase = ChecklistStep.Phase


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def template(db):
    """Two steps before the meeting (the first needs a photo to pass) and one after it."""
    template = ChecklistTemplateFactory()
    ChecklistStepFactory(template=template, number=1, phase=Phase.BEFORE, requires_photo=True)
    ChecklistStepFactory(template=template, number=2, phase=Phase.BEFORE)
    ChecklistStepFactory(template=template, number=3, phase=Phase.AFTER)
    return template


@pytest.fixture
def worker(tree):
    return tree.user("township0", Role.SUPPORT)


@pytest.fixture
def run(tree, template, worker, media):
    venue = VenueFactory(org_unit=tree.townships[0])
    return checklist_run_start(
        template=template, subject="task:1", org_unit=tree.townships[0], venue=venue, by=worker
    )
