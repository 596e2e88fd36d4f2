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
