"""E-mail delivery of notifications, off the request."""

from django.tasks import task

from vanco.notifications import services


@task
def send_notification_email(notification_id: int) -> bool:
    return services.email_one(notification_id)
