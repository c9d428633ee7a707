"""The embedded default in one command: migrate, load the demo province when the database is
empty, make sure an administrator exists, print its login and an API token, then serve the web
interface with the task worker running in the same process. One Ctrl-C stops both."""

import os
import secrets
import signal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from vcassure.accounts.models import Role
from vcassure.accounts.services import api_token_create
from vcassure.home.demo import demo_fakes_wire
from vcassure.orgs.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Set up and serve VC Assure on its embedded default (SQLite, in-process worker, demo data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo province.")
        parser.add_argument(
            "--no-fakes",
            action="store_true",
            help="Do not start the local fake DingTalk/WeCom/SMS/OA/SMTP servers (use the configured channels).",
        )

    def handle(self, *args, addrport: str, no_demo: bool, no_fakes: bool, **options):
        if "PUBLIC_BASE_URL" not in os.environ:
            # Links in messages (acknowledgement, dashboard) open this server.
            settings.PUBLIC_BASE_URL = public_base_url(addrport)
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not OrgUnit.objects.exists():
            self.stdout.write("Loading the demo province (first run only)…")
            call_command("seed_demo")
            call_command("seed_history")
        password = self._ensure_admin()
        admin = get_user_model().objects.get(username="admin")
        _token, key = api_token_create(user=admin, name="run_platform")
        self.stdout.write(self.style.SUCCESS("\nVC Assure 视频会商保障平台"))
        self.stdout.write(f"  URL:        http://{addrport}/")
        self.stdout.write(f"  Login:      admin / {password}")
        self.stdout.write(f"  API token:  {key}")
        self.stdout.write(
            f"  Try:        curl -H 'Authorization: Bearer {key}' http://{addrport}/api/health\n"
        )
        if not no_fakes:
            fakes = demo_fakes_wire()
            self.stdout.write(
                f"  Demo mode:  messages go to local fake servers ({', '.join(fakes)}); "
                f"see http://{addrport}/notifications/demo-inbox/\n"
            )
        consumer = self._start_worker()
        try:
            call_command("runserver", addrport, use_reloader=False, use_threading=True)
        finally:
            consumer.stop(graceful=False)

    def _ensure_admin(self) -> str:
        """Create `admin` on first run; its generated password lives in var/ (never committed)."""
        User = get_user_model()
        password_file = Path(settings.VAR_DIR) / "admin-password.txt"
        user = User.objects.filter(username="admin").first()
        if user is None or not password_file.exists():
            password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
            if user is None:
                user = User(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
            user.set_password(password)
            user.save()
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password)
            password_file.chmod(0o600)
        return password_file.read_text().strip()

    def _start_worker(self):
        """Huey's consumer in threads of this process; keep Django's own Ctrl-C handling."""
        # Like `run_huey`: import every app's tasks module, or the periodic sweepers never run.
        autodiscover_modules("tasks")
        saved = {
            sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }
        consumer = HUEY.create_consumer(
            **{**settings.HUEY.get("consumer", {}), "worker_type": "thread"}
        )
        consumer.start()
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        self.stdout.write(f"Task worker started in-process ({consumer.workers} threads).")
        return consumer


def public_base_url(addrport: str) -> str:
    """The address `runserver` serves `addrport` ("8000", "0.0.0.0:8000", "127.0.0.1:8011") on,
    as a browser on this machine opens it."""
    host, _sep, port = addrport.rpartition(":")
    if not host or host in ("0.0.0.0", "::", "[::]"):  # noqa: S104  # nosec B104 - read, not bound
        host = "127.0.0.1"
    return f"http://{host}:{port}"
