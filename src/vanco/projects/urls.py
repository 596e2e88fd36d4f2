from vanco.projects.views import dispatch, projects

app_name = "projects"

urlpatterns = [*projects.urlpatterns, *dispatch.urlpatterns]
