import getpass
import secrets
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from vanco.accounts import services
from vanco.accounts.enums import Role
from vanco.accounts.models import User
from vanco.core.audit import acting_as_system
from vanco.org.models import Department, Locality


class Command(BaseCommand):
    help = "Add or list users. `vanco user add USERNAME --role ROLE …`, `vanco user list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a user with one role.")
        add.add_argument("username")
        add.add_argument("--role", required=True, choices=[role.value for role in Role])
        add.add_argument("--locality", help="Locality code (role locality)")
        add.add_argument("--department", help="Department code (role department)")
        add.add_argument("--enterprise", help="Enterprise tax code (role enterprise)")
        add.add_argument("--password", help="Password (at least 12 characters)")
        add.add_argument("--full-name", default="", help="Full name, surname first")
        add.add_argument("--email", default="")
        add.add_argument("--language", default="vi", choices=["vi", "en", "zh-hans"])
        listing = sub.add_parser("list", help="List users with their roles.")
        listing.add_argument("--role", choices=[role.value for role in Role])
        listing.add_argument("--inactive", action="store_true", help="Include deactivated users")

    def handle(self, *args, **options):
        if options["action"] == "add":
            self.add(options)
        else:
            self.list(options)

    def add(self, options):
        role = options["role"]
        spec = services.RoleSpec(role=role)
        if role == Role.LOCALITY:
            code = options.get("locality") or ""
            locality = Locality.objects.filter(code=code.upper()).first()
            if locality is None:
                raise CommandError(f"--locality: no locality with code {code!r}.")
            spec = services.RoleSpec(role=role, locality_id=locality.pk)
        elif role == Role.DEPARTMENT:
            code = options.get("department") or ""
            department = Department.objects.filter(code=code.upper()).first()
            if department is None:
                raise CommandError(f"--department: no department with code {code!r}.")
            spec = services.RoleSpec(role=role, department_id=department.pk)
        elif role == Role.ENTERPRISE:
            if not options.get("enterprise"):
                raise CommandError("--enterprise TAXCODE is required for role enterprise.")
            spec = services.RoleSpec(role=role, enterprise_tax_code=options["enterprise"])
        password = options.get("password")
        generated = False
        if not password:
            if sys.stdin.isatty():
                password = getpass.getpass("Password (at least 12 characters): ")
            else:
                password, generated = secrets.token_urlsafe(12), True
        try:
            with acting_as_system():
                user = services.create_user(
                    actor=None,
                    username=options["username"],
                    full_name=options["full_name"] or options["username"],
                    password=password,
                    roles=[spec],
                    email=options["email"],
                    language=options["language"],
                )
        except ValidationError as error:
            raise CommandError("; ".join(_messages(error))) from None
        self.stdout.write(self.style.SUCCESS(f"Created user {user.username} ({role})."))
        if generated:
            self.stdout.write(f"Generated password: {password}")

    def list(self, options):
        users = User.objects.filter(is_system=False).prefetch_related(
            "role_assignments__locality", "role_assignments__department"
        )
        if not options["inactive"]:
            users = users.filter(is_active=True)
        if options.get("role"):
            users = users.filter(role_assignments__role=options["role"]).distinct()
        for user in users.order_by("username"):
            roles = "; ".join(str(a) for a in user.role_assignments.all()) or "-"
            active = "" if user.is_active else " [inactive]"
            self.stdout.write(f"{user.username}\t{user.full_name}\t{roles}{active}")


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {msg}" for field, msgs in error.message_dict.items() for msg in msgs]
    return list(error.messages)
