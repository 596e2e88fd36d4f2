"""Obstacle pages: each views module owns its own routes."""

from vanco.obstacles import insight_views, views

app_name = "obstacles"

urlpatterns = [*views.urlpatterns, *insight_views.urlpatterns]
