"""Factories of chain-based promotion: prospects and their outreach activities."""

import datetime

import factory
from factory.django import DjangoModelFactory

from tests.factories import ChainNodeFactory
from vanco.industries.enums import OutreachChannel, ProspectStatus
from vanco.industries.models import OutreachActivity, Prospect


class ProspectFactory(DjangoModelFactory):
    class Meta:
        model = Prospect

    node = factory.SubFactory(ChainNodeFactory)
    industry = factory.LazyAttribute(lambda o: o.node.industry)
    company_name = factory.Sequence(lambda n: f"Hanbit Materials {n} Co., Ltd.")
    country = "KR"
    status = ProspectStatus.IDENTIFIED


class OutreachActivityFactory(DjangoModelFactory):
    class Meta:
        model = OutreachActivity

    prospect = factory.SubFactory(ProspectFactory)
    occurred_on = datetime.date(2026, 11, 2)
    channel = OutreachChannel.MEETING
    outcome = "Nhà đầu tư quan tâm, hẹn khảo sát khu công nghiệp."
    recorded_by = factory.LazyAttribute(lambda o: o.prospect.owner)
