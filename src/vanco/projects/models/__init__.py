from vanco.projects.models.attachments import Attachment
from vanco.projects.models.dispatch import DispatchCycle, DispatchPeriod, ProgressReport
from vanco.projects.models.lights import LightRules, ProjectLight
from vanco.projects.models.milestones import Milestone
from vanco.projects.models.project import Project, ProjectStageChange, Tag

__all__ = [
    "Attachment",
    "DispatchCycle",
    "DispatchPeriod",
    "LightRules",
    "Milestone",
    "ProgressReport",
    "Project",
    "ProjectLight",
    "ProjectStageChange",
    "Tag",
]
