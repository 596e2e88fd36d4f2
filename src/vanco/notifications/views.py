from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from vanco.core.tables import Column
from vanco.core.views import ListPage
from vanco.notifications import services
from vanco.notifications.models import EmailMode, Notification


class NotificationList(ListPage):
    model = Notification
    title = _("Notifications")
    template_name = "notifications/notification_list.html"
    export_name = "notifications"
    search_lookup = None
    default_sort = "-created_at"
    empty_message = _("No notification.")
    columns = [
        Column("created_at", _("Date"), sort="created_at"),
        Column("message", _("Message"), value=lambda o: o.message()),
        Column("read_at", _("Read at"), sort="read_at"),
    ]


class NotificationOpen(LoginRequiredMixin, View):
    """Mark one notification read and follow its link."""

    def get(self, request, pk):
        notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
        services.mark_read(user=request.user, ids=[notification.pk])
        return HttpResponseRedirect(notification.url or reverse("notifications:list"))


class MarkAllRead(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        services.mark_read(user=request.user)
        return HttpResponseRedirect(reverse("notifications:list"))


class UnreadBadge(LoginRequiredMixin, TemplateView):
    """The bell with its unread count (loaded with htmx by the navigation bar)."""

    template_name = "notifications/unread_badge.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(unread=services.unread_count(self.request.user), **kwargs)


class PreferencePage(LoginRequiredMixin, TemplateView):
    """How the user wants to receive notifications by e-mail."""

    template_name = "notifications/preferences.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Notification settings"),
            modes=EmailMode.choices,
            current=services.email_mode(self.request.user),
            has_email=bool(self.request.user.email),
            **kwargs,
        )

    def post(self, request):
        mode = request.POST.get("email", "")
        if mode not in EmailMode.values:
            context = self.get_context_data(error=_("Choose one of the options."))
            return self.render_to_response(context, status=400)
        services.set_email_mode(user=request.user, mode=mode)
        messages.success(request, _("Your notification settings were saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))


app_name = "notifications"

urlpatterns = [
    path("", NotificationList.as_view(), name="list"),
    path("<int:pk>/", NotificationOpen.as_view(), name="open"),
    path("read/", MarkAllRead.as_view(), name="mark-read"),
    path("unread/", UnreadBadge.as_view(), name="unread"),
    path("settings/", PreferencePage.as_view(), name="preferences"),
]
