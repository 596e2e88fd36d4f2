"""Notifications by e-mail: at once, in a daily digest, or not at all, as each user prefers."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from vanco.notifications import services
from vanco.notifications.models import EmailMode, Kind, Notification

pytestmark = pytest.mark.django_db


def _notify(user, django_capture_on_commit_callbacks, n=1):
    with django_capture_on_commit_callbacks(execute=True):
        return services.notify(
            user=user,
            kind=Kind.OBSTACLE_DUE_SOON,
            params={"obstacle": f"VM-{n} Thiếu điện", "due_iso": "2026-12-05"},
            url=f"/obstacles/{n}/",
            email=True,
        )


def test_each_mode_sends_one_email_in_user_language(django_capture_on_commit_callbacks):
    user = UserFactory(language="vi")
    note = _notify(user, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "VM-1 Thiếu điện" in mail.outbox[0].body
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_off_mode_sends_no_email(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.set_email_mode(user=user, mode=EmailMode.OFF)
    _notify(user, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Notification.objects.filter(user=user).count() == 1


def test_daily_digest_groups_and_goes_once_a_day(django_capture_on_commit_callbacks):
    user = UserFactory()
    services.set_email_mode(user=user, mode=EmailMode.DAILY)
    _notify(user, django_capture_on_commit_callbacks, 1)
    _notify(user, django_capture_on_commit_callbacks, 2)
    assert mail.outbox == []
    now = timezone.now()
    assert services.send_digests(now=now) == 1
    assert len(mail.outbox) == 1
    assert "VM-1" in mail.outbox[0].body and "VM-2" in mail.outbox[0].body
    _notify(user, django_capture_on_commit_callbacks, 3)
    assert services.send_digests(now=now) == 0
    assert services.send_digests(now=now + datetime.timedelta(days=1)) == 1
    assert "VM-3" in mail.outbox[1].body and "VM-1" not in mail.outbox[1].body


def test_notification_without_email_flag_never_digested():
    user = UserFactory()
    services.set_email_mode(user=user, mode=EmailMode.DAILY)
    services.notify(user=user, kind=Kind.REPORT_DUE, params={"project": "DA-1"})
    assert services.send_digests() == 0


def test_due_date_worded_in_reader_language():
    user = UserFactory()
    note = services.notify(
        user=user,
        kind=Kind.OBSTACLE_OVERDUE,
        params={"obstacle": "VM-7 Đất", "due_iso": "2026-12-05"},
    )
    from django.utils import translation

    with translation.override("vi"):
        assert note.message() == "Vướng mắc VM-7 Đất đã quá hạn xử lý từ ngày 05/12/2026."


def test_preferences_page_saves_choice(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    response = client.post(reverse("notifications:preferences"), {"email": "daily"})
    assert response.status_code == 302
    assert services.email_mode(user) == EmailMode.DAILY
    bad = client.post(reverse("notifications:preferences"), {"email": "sms"})
    assert bad.status_code == 400
    assert services.email_mode(user) == EmailMode.DAILY
