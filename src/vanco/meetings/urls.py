from vanco.meetings import views

app_name = "meetings"

urlpatterns = views.urlpatterns
