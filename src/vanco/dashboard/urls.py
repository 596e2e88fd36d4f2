from vanco.dashboard import views

app_name = "dashboard"

urlpatterns = views.urlpatterns
