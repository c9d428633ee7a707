"""Step photos are served only through their view, only to someone who may see the run or worked
on it (anyone else gets the 404 of a missing photo); and the admin pages where operators read runs
and edit templates."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from tests.factories.checklists import image_upload
from tests.factories.orgs import UserFactory
from vcassure.accounts.models import Role
from vcassure.checklists.models import ChecklistTemplate
from vcassure.checklists.services import checklist_run_start, step_record

SUPPORT, DISPATCHER = Role.SUPPORT, Role.DISPATCHER
SIZE = (640, 480)


@pytest.fixture
def photo(run, worker):
    record = step_record(
        run,
        number=1,
        result="pass",
        note="机柜供电正常",
        photos=[image_upload("cabinet.png", "PNG", SIZE)],
        by=worker,
    )
    return record.photos.get()


def photo_url(photo, **params) -> str:
    query = "".join(f"?{k}={v}" for k, v in params.items())
    return reverse("checklists:photo", args=[photo.pk]) + query


def stored_bytes(photo) -> bytes:
    with photo.image.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("key", "role"),
    [("county0", DISPATCHER), ("city0", DISPATCHER), ("province", DISPATCHER)],
)
def test_someone_whose_scope_holds_the_run_gets_the_photo_kept_inert(
    client, tree, photo, key, role
):
    client.force_login(tree.user(key, role))
    response = client.get(photo_url(photo))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_bytes(photo)
    assert response["Content-Type"] == photo.content_type
    # The browser may neither guess another type nor run anything in it.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"].startswith("private")


@pytest.mark.parametrize(
    ("key", "role"),
    [("township1", SUPPORT), ("county1", DISPATCHER), ("city1", DISPATCHER), ("county2", SUPPORT)],
)
def test_another_scopes_photo_is_a_404_like_a_missing_one(client, tree, photo, key, role):
    client.force_login(tree.user(key, role))
    assert client.get(photo_url(photo)).status_code == 404
    assert client.get(photo_url(photo, thumb=1)).status_code == 404
    client.force_login(tree.user("province"))
    missing = reverse("checklists:photo", args=[photo.pk + 1000])
    assert client.get(missing).status_code == 404


def test_who_worked_the_run_sees_its_photos_from_outside_its_scope(client, tree, template, media):
    starter = tree.user("city1", SUPPORT)  # another city: the scope alone would hide the run
    recorder = tree.user("township4", SUPPORT)
    run = checklist_run_start(
        template=template, subject="task:5", org_unit=tree.townships[0], by=starter
    )
    record = step_record(run, number=1, result="pass", photos=[image_upload()], by=recorder)
    photo = record.photos.get()
    for user in (starter, recorder):
        client.force_login(user)
        assert client.get(photo_url(photo)).status_code == 200
    for bystander in (tree.user("city1", DISPATCHER), tree.user("township5", SUPPORT)):
        client.force_login(bystander)
        assert client.get(photo_url(photo)).status_code == 404


def test_the_thumbnail_is_a_small_jpeg_of_the_photo(client, tree, photo):
    client.force_login(tree.user("county0"))
    response = client.get(photo_url(photo, thumb=1))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(response.content)) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) < max(SIZE) and max(thumb.size) <= 240
        assert abs(thumb.size[0] / thumb.size[1] - SIZE[0] / SIZE[1]) < 0.02
    assert len(response.content) < len(stored_bytes(photo))


def test_a_photo_gone_from_the_disk_is_a_404(client, tree, photo):
    photo.image.storage.delete(photo.image.name)
    client.force_login(tree.user("county0"))
    assert client.get(photo_url(photo)).status_code == 404
    assert client.get(photo_url(photo, thumb=1)).status_code == 404


def test_photos_need_a_login_and_a_get(client, tree, photo):
    response = client.get(photo_url(photo))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(tree.user("county0"))
    assert client.post(photo_url(photo)).status_code == 405


# --- admin ----------------------------------------------------------------------------------------


@pytest.fixture
def operator(client, db):
    client.force_login(
        UserFactory(username="ops-admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    )
    return client


def test_the_admin_pages_load_and_show_the_records(operator, run, photo):
    template, record = run.template, photo.result
    pages = {
        reverse("admin:checklists_checklisttemplate_changelist"): [template.name, template.code],
        reverse("admin:checklists_checklisttemplate_change", args=[template.pk]): [
            step.title for step in template.steps.all()
        ],
        reverse("admin:checklists_checklistrun_changelist"): [run.subject],
        reverse("admin:checklists_checklistrun_change", args=[run.pk]): [run.subject, record.note],
        reverse("admin:checklists_stepphoto_changelist"): [photo.content_type],
        reverse("admin:checklists_stepphoto_change", args=[photo.pk]): [photo_url(photo)],
    }
    for url, expected in pages.items():
        response = operator.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for text in expected:
            assert text in page, (url, text)


def test_the_admin_keeps_field_records_as_evidence(operator, run, photo):
    """Runs, results and photos are written only by the field pages; templates are switched off,
    never deleted (their runs keep them)."""
    refused = [
        ("get", reverse("admin:checklists_checklistrun_add")),
        ("get", reverse("admin:checklists_checklistrun_delete", args=[run.pk])),
        ("get", reverse("admin:checklists_checklisttemplate_delete", args=[run.template.pk])),
        ("get", reverse("admin:checklists_stepphoto_add")),
        ("get", reverse("admin:checklists_stepphoto_delete", args=[photo.pk])),
        ("post", reverse("admin:checklists_stepphoto_change", args=[photo.pk])),
    ]
    for method, url in refused:
        assert getattr(operator, method)(url).status_code == 403, url
    assert run.results.count() == 1 and photo.result.photos.count() == 1


def test_the_codes_the_field_pages_look_up_cannot_be_edited(operator, template):
    fixed = ChecklistTemplate.objects.get(code="venue-r7")  # the data migration's R7 procedure
    for obj, editable in ((fixed, False), (template, True)):
        url = reverse("admin:checklists_checklisttemplate_change", args=[obj.pk])
        page = operator.get(url).content.decode()
        assert obj.code in page
        assert ('name="code"' in page) is editable
