from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    LEADER = "leader", pgettext_lazy("role", "City leader")
    COORDINATOR = "coordinator", pgettext_lazy("role", "Coordinator")
    AUDITOR = "auditor", pgettext_lazy("role", "Auditor")
    DEPARTMENT = "department", pgettext_lazy("role", "Department officer")
    LOCALITY = "locality", pgettext_lazy("role", "Locality officer")
    CADRE = "cadre", pgettext_lazy("role", "Paired official")
    ENTERPRISE = "enterprise", pgettext_lazy("role", "Enterprise user")


WHOLE_CITY_ROLES = frozenset({Role.LEADER, Role.COORDINATOR, Role.AUDITOR})


class Language(models.TextChoices):
    VI = "vi", "Tiếng Việt"
    EN = "en", "English"
    ZH_HANS = "zh-hans", "简体中文"


ROLE_HELP = {
    Role.LEADER: _("Sees everything; reads dashboards and issues directives."),
    Role.COORDINATOR: _("Sees everything; configures the system and runs dispatch."),
    Role.AUDITOR: _("Sees everything, read-only, including the audit log."),
    Role.DEPARTMENT: _("Sees what is assigned to one department."),
    Role.LOCALITY: _("Sees one locality and its sub-localities."),
    Role.CADRE: _("Sees the enterprises paired with them."),
    Role.ENTERPRISE: _("Sees one enterprise: its projects and obstacles."),
}
