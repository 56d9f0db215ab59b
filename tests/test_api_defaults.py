"""The DRF defaults in settings are what the views use: a new view behaves like the others without overrides."""

from __future__ import annotations

import pytest
from rest_framework.settings import api_settings

from cooperation.api import errors, filters
from cooperation.api.stats.views import AGGREGATES
from cooperation.api.urls import router

VIEWSETS = [viewset for _, viewset, _ in router.registry]


def test_the_defaults_are_the_projects_own():
    assert [filters.FilterBackend, filters.StrictOrderingFilter] == api_settings.DEFAULT_FILTER_BACKENDS
    assert api_settings.EXCEPTION_HANDLER is errors.exception_handler


@pytest.mark.parametrize("viewset", VIEWSETS, ids=lambda viewset: viewset.__name__)
def test_every_resource_takes_the_defaults(viewset):
    view = viewset()
    assert viewset.filter_backends == api_settings.DEFAULT_FILTER_BACKENDS
    assert view.get_exception_handler() is errors.exception_handler


@pytest.mark.parametrize("view_class", AGGREGATES.values(), ids=lambda view: view.__name__)
def test_the_aggregates_flatten_their_errors_too(view_class):
    assert view_class().get_exception_handler() is errors.exception_handler


def test_a_new_view_is_strict_about_ordering(api, db):
    """Through the defaults alone: an unknown ordering field is a 400 naming it, flattened."""
    response = api.get("/api/v1/sources/", {"ordering": "nope"})

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]
