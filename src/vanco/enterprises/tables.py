"""Columns of the enterprise list, and the masking of contacts' personal data in exports."""

from django.utils.translation import gettext_lazy as _

from vanco.core.tables import Column, display


def mask_phone(phone: str) -> str:
    """'0912345612' -> '09******12': enough to recognise a number, not to call it."""
    digits = [ch for ch in phone if not ch.isspace()]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "".join(digits[:2]) + "*" * (len(digits) - 4) + "".join(digits[-2:])


def mask_email(email: str) -> str:
    """'lien@example.vn' -> 'l***@example.vn'."""
    if "@" not in email:
        return "***" if email else ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def main_contact(enterprise):
    """The first contact in the model's order (main contact first), from the prefetched list."""
    contacts = list(enterprise.contacts.all())
    return contacts[0] if contacts else None


def list_columns() -> list[Column]:
    return [
        Column("name", _("Name"), sort="name", link=True),
        Column("tax_code", _("Tax code"), sort="tax_code"),
        Column("locality", _("Locality"), sort="locality__path"),
        Column("industry", _("Leading industry"), sort="industry__sort_order"),
        Column("status", _("Status"), value=lambda o: display(o, "status"), sort="status"),
        Column("size", _("Size"), value=lambda o: display(o, "size"), sort="size"),
        Column(
            "ownership",
            _("Ownership"),
            value=lambda o: f"{o.get_ownership_display()} ({o.country})",
            sort="ownership",
        ),
        Column("employees", _("Employees"), sort="employees", numeric=True),
    ]
