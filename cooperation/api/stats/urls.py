"""``/api/v1/stats/``: the index, then one URL per aggregate (named ``stats-<name>``)."""

from django.urls import path

from cooperation.api.stats.views import AGGREGATES, StatsRootView

urlpatterns = [
    path("", StatsRootView.as_view(), name="stats-root"),
    *(path(f"{name}/", view.as_view(), name=f"stats-{name}") for name, view in AGGREGATES.items()),
]
