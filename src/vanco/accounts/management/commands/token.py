from django.core.management.base import BaseCommand, CommandError

from vanco.accounts import services
from vanco.accounts.models import User
from vanco.core.audit import acting_as_system


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (the token alone, for scripts)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_system=False).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is deactivated.")
        with acting_as_system():
            _token, raw = services.issue_token(user=user, name=options["name"])
        self.stdout.write(raw)
