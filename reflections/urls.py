from django.urls import path

from reflections import views

app_name = "reflections"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("new/", views.start, name="new"),
    path("new/edit/", views.create, name="create"),
    path("new/autosave/", views.create_autosave, name="create_autosave"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/autosave/", views.autosave, name="autosave"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path(
        "<int:pk>/versions/<int:version_pk>/restore/",
        views.restore_version,
        name="restore_version",
    ),
    path("patterns/", views.my_patterns, name="patterns"),
    path("export.md", views.export, {"fmt": "markdown"}, name="export_markdown"),
    path("export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("portfolio/", views.portfolio, name="portfolio"),
]
