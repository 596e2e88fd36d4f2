from ninja import NinjaAPI

from vanco.accounts.api import router as accounts_router
from vanco.api import errors
from vanco.api.auth import BearerToken, BrowserSession
from vanco.dashboard.api import router as dashboard_router
from vanco.enterprises.api import router as enterprises_router
from vanco.industries.api import router as industries_router
from vanco.meetings.api import router as meetings_router
from vanco.obstacles.api import router as obstacles_router
from vanco.org.api import router as org_router
from vanco.projects.api import router as projects_router
from vanco.reports.api import router as reports_router
from vanco.targets.api import router as targets_router

api = NinjaAPI(
    title="Vanco API",
    version="1",
    description=(
        "Send `Authorization: Bearer <token>`; create a token with `vanco token USERNAME` "
        "or on your profile page. Lists are paginated with limit/offset; errors have the body "
        '{"error": {"code", "message", "fields"}} with messages in the language of '
        "Accept-Language or of the token's user."
    ),
    urls_namespace="api",
    auth=[BearerToken(), BrowserSession()],
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", org_router)
api.add_router("", industries_router)
api.add_router("", enterprises_router)
api.add_router("", projects_router)
api.add_router("", obstacles_router)
api.add_router("", meetings_router)
api.add_router("", targets_router)
api.add_router("", dashboard_router)
api.add_router("", reports_router)
