from vanco.projects.views import dispatch, milestones, projects

app_name = "projects"

urlpatterns = [*projects.urlpatterns, *dispatch.urlpatterns, *milestones.urlpatterns]
