from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("export.csv", views.dashboard_csv, name="export"),
]
