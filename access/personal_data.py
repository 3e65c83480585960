"""What access requests hold about a person, for their data download."""

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Prefetch

from accounts.models import User

from .models import AccessRequest, Message

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def access_requests_export(user: User) -> list[dict[str, Any]]:
    """The requests ``user`` sent, with the messages shared with them."""
    requests = (
        AccessRequest.objects.for_requester(user)
        .with_list_relations()
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.filter(internal=False),
                to_attr="shared_messages",
            )
        )
    )
    return [_access_request(access_request) for access_request in requests]


def shortlist_export(user: User) -> list[str]:
    return [
        entry.infrastructure.name
        for entry in user.shortlist.select_related("infrastructure")
    ]


class SharedMessages(TypedDict):
    shared_messages: list[Message]


def _access_request(
    access_request: "WithAnnotations[AccessRequest, SharedMessages]",
) -> dict[str, Any]:
    return {
        "reference": access_request.reference,
        "infrastructure": access_request.infrastructure.name,
        "item": access_request.item.name if access_request.item else None,
        "state": access_request.state,
        "need": access_request.need,
        "timeframe": access_request.timeframe,
        "budget_band": access_request.budget_band,
        "company_name": access_request.company_name,
        "contact_name": access_request.contact_name,
        "contact_email": access_request.contact_email,
        "contact_phone": access_request.contact_phone,
        "submitted_at": access_request.submitted_at,
        "messages": [
            {
                "from_infrastructure": message.from_staff,
                "body": message.body,
                "sent_at": message.created_at,
            }
            for message in access_request.shared_messages
        ],
    }
