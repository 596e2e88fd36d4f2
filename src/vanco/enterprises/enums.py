from django.db import models
from django.utils.translation import pgettext_lazy


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", pgettext_lazy("enterprise status", "Operating")
    PROSPECT = "prospect", pgettext_lazy("enterprise status", "Prospect")
    CLOSED = "closed", pgettext_lazy("enterprise status", "Closed")


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", pgettext_lazy("enterprise size", "Micro")
    SMALL = "small", pgettext_lazy("enterprise size", "Small")
    MEDIUM = "medium", pgettext_lazy("enterprise size", "Medium")
    LARGE = "large", pgettext_lazy("enterprise size", "Large")


class Ownership(models.TextChoices):
    DOMESTIC = "domestic", pgettext_lazy("ownership", "Domestic")
    FOREIGN = "foreign", pgettext_lazy("ownership", "Foreign-invested")


class VisitFrequency(models.TextChoices):
    MONTHLY = "monthly", pgettext_lazy("visit frequency", "Monthly")
    BIMONTHLY = "bimonthly", pgettext_lazy("visit frequency", "Every two months")
    QUARTERLY = "quarterly", pgettext_lazy("visit frequency", "Quarterly")
    HALF_YEARLY = "half_yearly", pgettext_lazy("visit frequency", "Every six months")
    YEARLY = "yearly", pgettext_lazy("visit frequency", "Yearly")


#: Days allowed between two visits of a pairing before it counts as behind.
VISIT_INTERVAL_DAYS = {
    VisitFrequency.MONTHLY: 31,
    VisitFrequency.BIMONTHLY: 62,
    VisitFrequency.QUARTERLY: 92,
    VisitFrequency.HALF_YEARLY: 183,
    VisitFrequency.YEARLY: 366,
}


class VisitForm(models.TextChoices):
    ON_SITE = "on_site", pgettext_lazy("visit form", "On site")
    PHONE = "phone", pgettext_lazy("visit form", "Phone call")
    ONLINE = "online", pgettext_lazy("visit form", "Online meeting")
