"""Who may write through the API: what the admin asks of the same user, and a read-write credential.

Anyone reads (what they see is narrowed by ``visible_to``). A write — ``POST``, ``PUT``, ``PATCH``,
``DELETE`` — is answered, in this order:

1. ``401`` (``WWW-Authenticate: Token``) without credentials;
2. ``403`` with a read-only token (``models.ApiToken.read_only``);
3. ``403`` for a user who is not active staff (``is_curator``);
4. ``403`` without the Django model permission the admin asks for the same change —
   ``cooperation.add_<model>``, ``change_<model>``, ``delete_<model>`` of the viewset's model — named in the message;
5. ``403`` for deleting a published record without ``cooperation.publish_record`` (``workflow.status_refusal``;
   publishing and unpublishing by ``PUT``/``PATCH`` are refused by the write services, a ``400`` on ``status``).

The rows an event, a partnership or a person is written with (participants, figures, citations, agenda items,
offices…) are part of that record in the API, with no resource of their own: the record's permission covers them.
(The admin's inlines ask the row model's own permissions; the Curators and Reviewers groups hold both.)

A method the endpoint does not offer is left to the view: ``405`` whoever asks.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from cooperation import workflow
from cooperation.models.base import is_curator

ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}
READ_ONLY_TOKEN = "This token is read-only: issue a read-write one to write (manage.py issue_token --read-write)."  # noqa: S105
NOT_STAFF = "Only staff write through the API."


class ModelPermissionsOrReadOnly(BasePermission):
    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or not hasattr(view, request.method.lower()):
            return True
        if not (request.user and request.user.is_authenticated):
            return False  # DRF answers 401 with the first authenticator's challenge
        if getattr(request.auth, "read_only", False):
            return self.refuse(READ_ONLY_TOKEN)
        if not is_curator(request.user):
            return self.refuse(NOT_STAFF)
        action = ACTIONS.get(request.method)
        if action is None:
            return False
        model = getattr(view, "model", None) or view.get_queryset().model
        permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if not request.user.has_perm(permission):
            plural = model._meta.verbose_name_plural
            verb = {"add": "create", "delete": "delete"}.get(action, "change")
            return self.refuse(f"You may not {verb} {plural}: that needs the permission “{permission}”.")
        return True

    def has_object_permission(self, request, view, obj):
        if request.method != "DELETE":
            return True
        refusal = workflow.status_refusal(request.user, getattr(obj, "status", None), None)
        return self.refuse(refusal) if refusal else True

    def refuse(self, message: str) -> bool:
        self.message = message  # DRF reads it for the 403's detail; a permission instance serves one request
        return False
