"""Every change to an enterprise's contacts; enterprise edits go through core.views.FormPage."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from vanco.core import access
from vanco.core.services import save_versioned
from vanco.enterprises.models import Contact, Enterprise


def _require_editable_enterprise(enterprise: Enterprise, actor) -> None:
    access.require(actor, "enterprises.manage")
    if not Enterprise.objects.editable_by(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied("enterprises.manage")


def _unmark_other_primaries(contact: Contact) -> None:
    if contact.is_primary:
        # At most one main contact: the newest choice wins (audited per row by save()).
        for other in contact.enterprise.contacts.filter(is_primary=True).exclude(pk=contact.pk):
            other.is_primary = False
            other.version += 1
            other.save(update_fields=["is_primary", "version", "updated_at"])


def add_contact(*, enterprise: Enterprise, contact: Contact, actor) -> Contact:
    """Add a (validated, unsaved) contact to an enterprise the actor may edit."""
    with transaction.atomic():
        _require_editable_enterprise(enterprise, actor)
        contact.enterprise = enterprise
        save_versioned(instance=contact, expected_version=None, actor=actor)
        _unmark_other_primaries(contact)
    return contact


def update_contact(*, contact: Contact, expected_version: int | None, actor) -> Contact:
    """Save an edited contact, refusing a stale version."""
    with transaction.atomic():
        _require_editable_enterprise(contact.enterprise, actor)
        save_versioned(instance=contact, expected_version=expected_version, actor=actor)
        _unmark_other_primaries(contact)
    return contact


def remove_contact(*, contact: Contact, actor) -> None:
    with transaction.atomic():
        _require_editable_enterprise(contact.enterprise, actor)
        if not Contact.objects.editable_by(actor).filter(pk=contact.pk).exists():
            raise PermissionDenied("enterprises.manage")
        contact.delete()
