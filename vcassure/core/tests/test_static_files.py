"""Static files as production serves them (collectstatic, then WhiteNoise): hashed names cached for
good, gzip-compressed for a phone on a weak link, no web fonts."""

from pathlib import Path

from django.core.management import call_command
from django.http import HttpResponse
from django.templatetags.static import static
from django.test import RequestFactory

STATIC_DIR = Path(__file__).resolve().parents[3] / "vcassure" / "static"


def test_hashed_compressed_and_cacheable(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._setup()  # the storage is lazy: pick up the settings above
    url = static("css/app.css")
    assert url.startswith("/static/css/app.") and url != "/static/css/app.css"
    assert (tmp_path / url.removeprefix("/static/")).with_suffix(".css.gz").exists()

    from whitenoise.middleware import WhiteNoiseMiddleware

    serve = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
    response = serve(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br"))
    assert response.status_code == 200 and response["Content-Encoding"] in {"br", "gzip"}
    assert (
        "immutable" in response["Cache-Control"]
        and "max-age=315360000" in response["Cache-Control"]
    )


def test_no_web_fonts():
    fonts = [
        p for p in STATIC_DIR.rglob("*") if p.suffix in {".woff", ".woff2", ".ttf", ".otf", ".eot"}
    ]
    assert fonts == []
    assert "@font-face" not in (STATIC_DIR / "css" / "app.css").read_text()
