"""Factories of meetings and directives (built straight in the database, for reading tests)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from vanco.meetings.enums import DirectiveStatus, MeetingKind
from vanco.meetings.models import Directive, Meeting


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    kind = MeetingKind.LEADING_GROUP
    title = factory.Sequence(lambda n: f"Họp Ban chỉ đạo lần {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    location = "Phòng họp số 1"


class DirectiveFactory(DjangoModelFactory):
    """A directive; pass `departments=[...]` / `localities=[...]` to assign it."""

    class Meta:
        model = Directive
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Tháo gỡ mặt bằng khu công nghiệp {n}")
    text = "Khẩn trương hoàn thành giải phóng mặt bằng."
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))
    status = DirectiveStatus.ISSUED

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)

    @factory.post_generation
    def localities(self, create, extracted, **kwargs):
        if create and extracted:
            self.localities.set(extracted)
