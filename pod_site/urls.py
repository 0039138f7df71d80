from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from pod_site.health import healthz
from reflections import views as reflection_views
from teams import views as team_views

# The admin's own sign-in form would skip the MFA step: send it to allauth's.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", reflection_views.home, name="home"),
    path("networks/", include("meetings.urls")),
    path("reflections/", include("reflections.urls")),
    path("supervision/", include("supervision.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("my-data.json", team_views.my_data, name="my_data"),
    path("accounts/security/", include("security.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Without sign-in, JSON, exempt from the https redirect (pod_site/health.py).
    path("healthz", healthz, name="healthz"),
]
