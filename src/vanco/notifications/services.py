"""Writing notifications (only from services and tasks), e-mailing them, marking them read."""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanco.notifications.models import EmailMode, Notification, Preference

logger = logging.getLogger("vanco.notifications")


def notify(
    *, user, kind: str, params: dict, url: str = "", key: str = "", email: bool = False
) -> Notification | None:
    """Create a notification; with a `key`, at most one per user (None when it exists).

    With `email`, it also goes out by e-mail as the user prefers: at once (after the
    transaction commits, through the task worker) or in the daily digest."""
    if key and Notification.objects.filter(user=user, key=key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, params=params, url=url, key=key
            )
    except IntegrityError:
        return None
    mode = email_mode(user) if email and user.email else EmailMode.OFF
    if mode == EmailMode.EACH:
        from vanco.notifications.tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.enqueue(notification.pk))
    elif mode != EmailMode.DAILY:
        # Not to be e-mailed (or e-mailed by its producer): marked done, so a digest chosen
        # later does not bring up everything from before.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return notification


def keep_for_digest(notifications) -> None:
    """Let notifications created without e-mail go out in the next daily digest (a producer
    that e-mails its own summary to EACH users hands the digest users' ones over this way)."""
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=None)


def email_mode(user) -> str:
    preference = Preference.objects.filter(user=user).values_list("email", flat=True).first()
    return preference or EmailMode.EACH


def set_email_mode(*, user, mode: str) -> Preference:
    if mode not in EmailMode.values:
        raise ValueError(mode)
    preference, _created = Preference.objects.get_or_create(user=user, defaults={"email": mode})
    if preference.email != mode:
        preference.email = mode
        preference.version += 1
        preference.save(update_fields=["email", "version"])
    return preference


def _absolute(url: str) -> str:
    base = getattr(settings, "VANCO_BASE_URL", "").rstrip("/")
    return f"{base}{url}" if url else base


def email_one(notification_id: int) -> bool:
    """E-mail one notification in its recipient's language (once)."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    user = notification.user
    if not user.email or not user.is_active:
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("Vanco: %(title)s") % {"title": notification.get_kind_display()}
        body = "\n".join(
            [
                _("Hello %(name)s,") % {"name": user.get_full_name()},
                "",
                notification.message(),
                _absolute(notification.url),
            ]
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def send_digests(*, now: datetime.datetime | None = None) -> int:
    """Once a day, one e-mail per daily-digest user with everything not yet e-mailed; returns
    how many went out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            user__is_active=True,
            user__notification_preference__email=EmailMode.DAILY,
        )
        .exclude(user__notification_preference__digest_sent_on=today)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "created_at")
    )
    by_user = defaultdict(list)
    for notification in pending.iterator(chunk_size=2000):
        by_user[notification.user_id].append(notification)
    sent = 0
    for items in by_user.values():
        user = items[0].user
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = ngettext(
                "Vanco: %(count)d new notification",
                "Vanco: %(count)d new notifications",
                len(items),
            ) % {"count": len(items)}
            lines = [f"- {item.message()} {_absolute(item.url)}".rstrip() for item in items]
            body = "\n".join([_("Hello %(name)s,") % {"name": user.get_full_name()}, "", *lines])
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(emailed_at=now)
        Preference.objects.filter(user=user).update(digest_sent_on=today)
        sent += 1
    return sent


def mark_read(*, user, ids=None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.editable_by(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()
