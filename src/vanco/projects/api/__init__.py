from ninja import Router

from vanco.projects.api import dispatch, milestones, projects

router = Router()
router.add_router("", projects.router)
router.add_router("", dispatch.router)
router.add_router("", milestones.router)
