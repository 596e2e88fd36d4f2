from django.db import models
from django.utils.translation import pgettext_lazy


class ChainSegment(models.TextChoices):
    UPSTREAM = "upstream", pgettext_lazy("chain segment", "Upstream")
    MIDSTREAM = "midstream", pgettext_lazy("chain segment", "Midstream")
    DOWNSTREAM = "downstream", pgettext_lazy("chain segment", "Downstream")
