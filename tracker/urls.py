from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Security-cooperation tracker"
admin.site.site_title = "Tracker admin"
admin.site.index_title = "Curation"

urlpatterns = [
    path("", RedirectView.as_view(url="/api/v1/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cooperation.api.urls")),
]
