from django import template
from django.utils.translation import gettext as _

from accounts.models import MembershipRole
from catalogue.models import InfrastructureStatus

register = template.Library()

# Bootstrap badges whose colours pass WCAG AA contrast.
_STATUS_CLASSES: dict[str, str] = {
    InfrastructureStatus.DRAFT: "text-bg-secondary",
    InfrastructureStatus.PENDING: "text-bg-info",
    InfrastructureStatus.CHANGES_REQUESTED: "text-bg-warning",
    InfrastructureStatus.PUBLISHED: "text-bg-success",
    InfrastructureStatus.ARCHIVED: "text-bg-dark",
}


@register.filter
def status_class(status: str) -> str:
    return _STATUS_CLASSES.get(status, "text-bg-secondary")


@register.filter
def role_label(role: str | None) -> str:
    """The label of a membership role; no role means a superuser's access."""
    if role in MembershipRole.values:
        return str(MembershipRole(role).label)
    return _("Administrator")
