"""``/api/v1/``: one router, plural kebab-case resources.

The per-kind event resources are registered under the event kinds as basenames
(``operation-detail``), which is how ``fields.typed_event_url`` finds an event's resource.
"""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cooperation.api import sync, views
from cooperation.choices import EventKind


class TrackerRouter(DefaultRouter):
    """The default router, whose root also links the aggregates under ``stats/``."""

    def get_api_root_view(self, api_urls=None):
        root = {prefix: self.routes[0].name.format(basename=basename) for prefix, _, basename in self.registry}
        root["stats"] = "stats-root"
        return self.APIRootView.as_view(api_root_dict=root)


router = TrackerRouter()
router.register("countries", views.CountryViewSet, basename="country")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("councils", views.CouncilViewSet, basename="council")
router.register("people", views.PersonViewSet, basename="person")
router.register("events", views.EventViewSet, basename="event")
router.register("sessions", views.CouncilSessionViewSet, basename=EventKind.SESSION.value)
router.register("operations", views.JointOperationViewSet, basename=EventKind.OPERATION.value)
router.register("exercises", views.ExerciseViewSet, basename=EventKind.EXERCISE.value)
router.register("meetings", views.MeetingViewSet, basename=EventKind.MEETING.value)
router.register("statements", views.StatementViewSet, basename=EventKind.STATEMENT.value)
router.register("partnerships", views.PartnershipViewSet, basename="partnership")
router.register("sources", views.SourceViewSet, basename="source")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("deleted", sync.DeletedViewSet, basename="deleted")  # records gone since a time, for sync

urlpatterns = router.urls
urlpatterns += [path("stats/", include("cooperation.api.stats.urls"))]  # aggregates for dashboards
