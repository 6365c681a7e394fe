from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from paceway.accounts import views as account_views
from paceway.ops import views as ops_views
from paceway.ops.metrics import metrics_view

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Paceway administration"

# Saturation met anywhere is 503 with Retry-After, not 500 (paceway.ops.saturation).
handler500 = "paceway.ops.saturation.server_error"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),  # bearer token (METRICS_TOKEN), else 404
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("paceway.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("paceway.accounts.api_urls")),
    path("api/v1/", include("modules.program.api_urls")),
    path("api/v1/", include("modules.outcomes.api_urls")),
    path("api/v1/", include("messaging.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("program/", include("modules.program.urls")),
    path("outcomes/", include("modules.outcomes.urls")),
    path("record/", include("modules.record.urls")),
    path("therapist/", include("therapist.workspace.urls")),
    path("screening/", include("therapist.screening.urls")),
    path("messages/", include("messaging.urls")),
    # The language switcher: Django's view, plus the account's preferred_language when signed in.
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    # JavaScript strings (static files read them through django.gettext).
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
