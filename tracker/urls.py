from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

admin.site.site_header = "Security-cooperation tracker"
admin.site.site_title = "Tracker admin"
admin.site.index_title = "Curation"

urlpatterns = [
    path("", RedirectView.as_view(url="/api/v1/", permanent=False)),
    path("admin/", admin.site.urls),
    # The API's description: OpenAPI 3 (YAML, or JSON with ?format=json), Swagger UI and Redoc, all public.
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/v1/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", template_name="api/swagger_ui.html"),  # CSP nonces
        name="docs",
    ),
    path(
        "api/v1/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"), name="redoc"
    ),
    path("api/v1/", include("cooperation.api.urls")),
]

# Under /api/ Django's own error pages are JSON, as the API's errors are (cooperation.api.errors).
handler400 = "cooperation.api.errors.bad_request"
handler403 = "cooperation.api.errors.permission_denied"
handler404 = "cooperation.api.errors.page_not_found"
handler500 = "cooperation.api.errors.server_error"
