from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from data_rights import views as data_rights_views
from pod_site import offline
from pod_site.health import healthz, livez
from reflections import views as reflection_views
from security import mfa_limits, password_reset

# The admin's own sign-in form would skip the MFA step: send it to allauth's.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", reflection_views.home, name="home"),
    path("networks/", include("meetings.urls")),
    path("reflections/", include("reflections.urls")),
    path("supervision/", include("supervision.urls")),
    path("intervision/", include("intervision.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("teams/", include("people.urls")),
    path("my-data.json", data_rights_views.my_data, name="my_data"),
    path("accounts/security/", include("security.urls")),
    # allauth's password reset, with a plain message when the email cannot be sent.
    path("accounts/password/reset/", password_reset.password_reset, name="account_reset_password"),
    # allauth's code step, answering 429 while the account's codes are locked
    # (security/mfa_limits.py); the forms themselves are set in MFA_FORMS.
    path("accounts/2fa/authenticate/", mfa_limits.authenticate, name="mfa_authenticate"),
    path("accounts/2fa/reauthenticate/", mfa_limits.reauthenticate, name="mfa_reauthenticate"),
    # allauth's sign-out, clearing the browser's storage (pod_site/offline.py).
    path("accounts/logout/", offline.sign_out, name="account_logout"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # Without sign-in, JSON, exempt from the https redirect (pod_site/health.py).
    path("healthz", healthz, name="healthz"),
    # Liveness: 200 "ok" as text, no database or cache (pod_site/health.py).
    path("livez", livez, name="livez"),
    # Installable and usable offline (pod_site/offline.py): open to all, no data.
    path("manifest.webmanifest", offline.manifest, name="web_manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline_page, name="offline_page"),
    path("offline/editor/", offline.offline_editor, name="offline_editor"),
    path("offline/session-tag/", offline.current_session_tag, name="offline_session_tag"),
]

# Error pages in the design system that never read the request body (pod_site/errors.py).
handler400 = "pod_site.errors.bad_request"
handler403 = "pod_site.errors.permission_denied"
handler404 = "pod_site.errors.page_not_found"
handler500 = "pod_site.errors.server_error"
