"""Writing notifications (only from services and tasks) and marking them read."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from vanco.notifications.models import Notification


def notify(*, user, kind: str, params: dict, url: str = "", key: str = "") -> Notification | None:
    """Create a notification; with a `key`, at most one per user (None when it exists)."""
    if key and Notification.objects.filter(user=user, key=key).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user, kind=kind, params=params, url=url, key=key
            )
    except IntegrityError:
        return None


def mark_read(*, user, ids=None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.editable_by(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()
