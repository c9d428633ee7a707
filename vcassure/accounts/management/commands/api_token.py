from django.core.management.base import BaseCommand, CommandError

from vcassure.accounts.models import User
from vcassure.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        _token, key = api_token_create(user=user, name=name)
        self.stdout.write(key)
