from django.db import models
from django.utils.translation import pgettext_lazy


class ChainSegment(models.TextChoices):
    UPSTREAM = "upstream", pgettext_lazy("chain segment", "Upstream")
    MIDSTREAM = "midstream", pgettext_lazy("chain segment", "Midstream")
    DOWNSTREAM = "downstream", pgettext_lazy("chain segment", "Downstream")


class ProspectStatus(models.TextChoices):
    IDENTIFIED = "identified", pgettext_lazy("prospect status", "Identified")
    CONTACTED = "contacted", pgettext_lazy("prospect status", "Contacted")
    INTERESTED = "interested", pgettext_lazy("prospect status", "Interested")
    NEGOTIATING = "negotiating", pgettext_lazy("prospect status", "Negotiating")
    CONVERTED = "converted", pgettext_lazy("prospect status", "Converted to a project")
    DECLINED = "declined", pgettext_lazy("prospect status", "Declined")


#: Prospects still being worked on (neither converted nor declined).
OPEN_PROSPECT_STATUSES = frozenset(
    {
        ProspectStatus.IDENTIFIED,
        ProspectStatus.CONTACTED,
        ProspectStatus.INTERESTED,
        ProspectStatus.NEGOTIATING,
    }
)


class OutreachChannel(models.TextChoices):
    VISIT = "visit", pgettext_lazy("outreach channel", "Visit")
    MEETING = "meeting", pgettext_lazy("outreach channel", "Meeting")
    PHONE = "phone", pgettext_lazy("outreach channel", "Phone call")
    EMAIL = "email", pgettext_lazy("outreach channel", "E-mail")
    FAIR = "fair", pgettext_lazy("outreach channel", "Fair or conference")
    ONLINE = "online", pgettext_lazy("outreach channel", "Online meeting")
    OTHER = "other", pgettext_lazy("outreach channel", "Other")
