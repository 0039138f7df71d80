from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("export.csv", views.dashboard_csv, name="export"),
    path("research.csv", views.research_csv, name="research_export"),
]
