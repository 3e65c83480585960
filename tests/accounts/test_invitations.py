"""Invitations to an infrastructure's staff: who may send them, and the signed link."""

import re
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import resolve, reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import INVITATION_SALT, InfrastructureMembership, Invitation
from tests.factories import (
    make_account,
    make_infrastructure,
    make_invitation,
    make_partner_admin,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Kalibrier-Labor-2026"


def invite_url(infrastructure) -> str:
    return reverse("accounts:invitation_create", args=[infrastructure.slug])


def login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?next={next_url}"


def link_in(email: EmailMessage) -> str:
    link = re.search(r"https?://\S+", str(email.body))
    assert link is not None, "no link in the email"
    return link.group(0)


def emailed_invitation(
    client, mailoutbox, capture_on_commit, infrastructure, *, email: str, role: str
) -> str:
    """A partner admin invites ``email`` to ``infrastructure``; the link received."""
    client.force_login(make_partner_admin(region="ITH5"))
    with capture_on_commit(execute=True):
        client.post(
            invite_url(infrastructure),
            {"email": email, "role": role},
        )
    client.logout()
    return link_in(mailoutbox[-1])


# Who may invite to an RII in ITH55 (Bologna); the keys name the visitor.
def visitor(kind: str, infrastructure):
    if kind == "anonymous":
        return None
    if kind == "sme":
        return make_account()
    if kind == "manager":
        return make_staff(infrastructure=infrastructure, role="manager")
    if kind == "editor":
        return make_staff(infrastructure=infrastructure, role="editor")
    if kind == "manager_of_another_rii":
        return make_staff(infrastructure=make_infrastructure(), role="manager")
    if kind == "partner_admin_of_this_region":
        return make_partner_admin(region="ITH5")
    if kind == "partner_admin_of_this_country":
        return make_partner_admin(region="IT")
    if kind == "partner_admin_of_another_region":
        return make_partner_admin(region="ITC4")
    if kind == "superuser":
        return make_user(is_staff=True, is_superuser=True)
    raise ValueError(kind)


ALLOWED = [
    "manager",
    "partner_admin_of_this_region",
    "partner_admin_of_this_country",
    "superuser",
]
REFUSED = ["sme", "editor", "manager_of_another_rii", "partner_admin_of_another_region"]


@pytest.mark.parametrize("kind", ALLOWED)
def test_managers_partner_admins_of_the_region_and_superusers_may_invite(
    client, kind, mailoutbox, django_capture_on_commit_callbacks
):
    infrastructure = make_infrastructure(region="ITH55")
    client.force_login(visitor(kind, infrastructure))
    assertContains(client.get(invite_url(infrastructure)), "Send invitation")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(infrastructure),
            {"email": "new@rii.example.eu", "role": "editor"},
        )

    assertRedirects(response, invite_url(infrastructure))
    assert Invitation.objects.get().email == "new@rii.example.eu"
    assert [m.to for m in mailoutbox] == [["new@rii.example.eu"]]


@pytest.mark.parametrize("kind", REFUSED)
@pytest.mark.parametrize("method", ["get", "post"])
def test_everyone_else_gets_404_and_sends_nothing(
    client, kind, method, mailoutbox, django_capture_on_commit_callbacks
):
    infrastructure = make_infrastructure(region="ITH55")
    client.force_login(visitor(kind, infrastructure))
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(
            invite_url(infrastructure),
            {"email": "new@rii.example.eu", "role": "editor"},
        )
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in_before_inviting(client, method):
    url = invite_url(make_infrastructure())
    data = {"email": "x@example.org", "role": "editor"} if method == "post" else {}
    response = getattr(client, method)(url, data)
    assertRedirects(response, login_url(url), fetch_redirect_response=False)
    assert not Invitation.objects.exists()


def test_unknown_infrastructure_is_404_even_for_a_superuser(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = client.get(reverse("accounts:invitation_create", args=["no-such-rii"]))
    assert response.status_code == 404


def test_invitation_email_holds_a_signed_link_valid_for_14_days(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    infrastructure = make_infrastructure(name="Pilot Line Alpha")
    manager = make_staff(infrastructure=infrastructure, role="manager")
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            invite_url(infrastructure),
            {"email": " Ana@SME.example.eu ", "role": "manager"},
            follow=True,
        )
    assert len(callbacks) == 1

    assertContains(response, "Invitation sent to ana@sme.example.eu.")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "ana@sme.example.eu",
        "manager",
        manager,
    )
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=14), abs=timedelta(seconds=5)
    )
    email = mailoutbox[0]
    assert "Pilot Line Alpha" in email.subject
    assert "14 days" in email.body
    # The signed token carries its own timestamp, so compare what it stands for.
    link = link_in(email)
    # Links in emails start with the public address, never the request's Host.
    assert link.startswith(django_settings.PORTAL_SITE_URL.rstrip("/") + "/")
    token = resolve(urlsplit(link).path).kwargs["token"]
    assert signing.loads(token, salt=INVITATION_SALT) == invitation.pk
    assertContains(response, "Valid until")


def test_the_email_leaves_only_once_the_invitation_is_committed(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    infrastructure = make_infrastructure()
    client.force_login(make_staff(infrastructure=infrastructure))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(invite_url(infrastructure), {"email": "a@b.eu", "role": "editor"})
        assert mailoutbox == []
    assert len(callbacks) == 1


def test_invitation_form_refuses_current_staff_and_unknown_roles(client):
    infrastructure = make_infrastructure()
    manager = make_staff(infrastructure=infrastructure)
    client.force_login(manager)

    response = client.post(
        invite_url(infrastructure), {"email": manager.email.upper(), "role": "owner"}
    )

    assertContains(response, "This person is already on the staff of this")
    assertContains(response, "Select a valid choice. owner is not one of")
    assert not Invitation.objects.exists()


def test_invitation_page_lists_only_this_infrastructures_invitations(client):
    infrastructure = make_infrastructure()
    make_invitation(infrastructure=infrastructure, email="mine@example.eu")
    make_invitation(email="someone-elses@example.eu")
    client.force_login(make_staff(infrastructure=infrastructure))
    response = client.get(invite_url(infrastructure))
    assertContains(response, "mine@example.eu")
    assertNotContains(response, "someone-elses@example.eu")


# Accepting


@pytest.mark.parametrize("method", ["get", "post"])
def test_accepting_needs_sign_in_and_comes_back_to_the_invitation(client, method):
    url = make_invitation().get_absolute_url()
    response = getattr(client, method)(url)
    assertRedirects(response, login_url(url), fetch_redirect_response=False)
    assert not InfrastructureMembership.objects.filter(role="editor").exists()


def test_invited_person_signs_in_from_the_link_and_joins_the_staff(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    infrastructure = make_infrastructure(name="Pilot Line Alpha")
    link = emailed_invitation(
        client,
        mailoutbox,
        django_capture_on_commit_callbacks,
        infrastructure,
        email="ana@sme.example.eu",
        role="manager",
    )
    ana = make_account(email="ana@sme.example.eu", password=PASSWORD)

    response = client.get(link, follow=True)
    next_url = response.redirect_chain[-1][0]
    assert next_url.startswith(reverse("account_login"))
    response = client.post(
        next_url, {"login": "ana@sme.example.eu", "password": PASSWORD}, follow=True
    )
    assertContains(response, "You are invited to join the staff of")
    assertContains(response, "Pilot Line Alpha")
    assert not InfrastructureMembership.objects.filter(user=ana).exists()

    response = client.post(link, follow=True)

    assertRedirects(response, reverse("accounts:profile"))
    assertContains(response, "Welcome to the staff of Pilot Line Alpha.")
    membership = InfrastructureMembership.objects.get(user=ana)
    assert (membership.infrastructure, membership.role) == (infrastructure, "manager")
    assert ana.groups.filter(name="RII staff").exists()
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == ana
    assert invitation.accepted_at is not None


def test_email_comparison_ignores_case(client):
    invitation = make_invitation(email="Ana@SME.Example.eu")
    user = make_account(email="ana@sme.example.eu")
    client.force_login(user)
    client.post(invitation.get_absolute_url())
    assert InfrastructureMembership.objects.filter(
        user=user, infrastructure=invitation.infrastructure
    ).exists()


def test_a_confirmed_secondary_address_may_accept(client):
    user = make_account(email="ana@home.example.eu")
    user.emailaddress_set.create(email="ana@sme.example.eu", verified=True)
    invitation = make_invitation(email="ana@sme.example.eu")
    client.force_login(user)
    client.post(invitation.get_absolute_url())
    assert user.infrastructure_memberships.exists()


def test_an_unconfirmed_secondary_address_may_not(client):
    user = make_account(email="ana@home.example.eu")
    user.emailaddress_set.create(email="ana@sme.example.eu", verified=False)
    invitation = make_invitation(email="ana@sme.example.eu")
    client.force_login(user)
    response = client.post(invitation.get_absolute_url())
    assert response.status_code == 403
    assert not user.infrastructure_memberships.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_signed_in_with_another_address_is_told_so(client, method):
    invitation = make_invitation(email="ana@sme.example.eu")
    intruder = make_account(email="eve@example.eu")
    client.force_login(intruder)

    response = getattr(client, method)(invitation.get_absolute_url())

    assertContains(
        response, "This invitation was sent to another email address.", status_code=403
    )
    assert not intruder.infrastructure_memberships.exists()
    assert not intruder.groups.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_link_works_only_once(client):
    invitation = make_invitation(email="ana@sme.example.eu")
    ana = make_account(email="ana@sme.example.eu")
    client.force_login(ana)
    assertRedirects(
        client.post(invitation.get_absolute_url()), reverse("accounts:profile")
    )

    for method in ("get", "post"):
        response = getattr(client, method)(invitation.get_absolute_url())
        assertContains(
            response, "This invitation has already been used.", status_code=410
        )
    assert ana.infrastructure_memberships.count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_invitation_expires_after_14_days(client, method):
    invitation = make_invitation(email="ana@sme.example.eu")
    ana = make_account(email="ana@sme.example.eu")
    later = timezone.now() + timedelta(days=14, minutes=1)

    with mock.patch("django.utils.timezone.now", return_value=later):
        client.force_login(ana)  # a session opened then, not one 14 days old
        response = getattr(client, method)(invitation.get_absolute_url())

    assertContains(response, "This invitation has expired.", status_code=410)
    assert not ana.infrastructure_memberships.exists()


def test_an_invitation_is_still_valid_on_its_last_day(client):
    invitation = make_invitation(email="ana@sme.example.eu")
    user = make_account(email="ana@sme.example.eu")
    later = timezone.now() + timedelta(days=13, hours=23)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.force_login(user)
        response = client.get(invitation.get_absolute_url())
    assertContains(response, "Accept the invitation")


def test_a_link_signed_more_than_14_days_ago_has_expired(client):
    # Even if its expiry date were changed in the database, the signature expires.
    invitation = make_invitation(
        email="ana@sme.example.eu", expires_at=timezone.now() + timedelta(days=90)
    )
    fifteen_days_ago = timezone.now().timestamp() - 15 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=fifteen_days_ago):
        url = invitation.get_absolute_url()
    client.force_login(make_account(email="ana@sme.example.eu"))

    response = client.post(url)

    assertContains(response, "This invitation has expired.", status_code=410)
    assert not InfrastructureMembership.objects.filter(role="editor").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
            id="signature",
        ),
        pytest.param(lambda token: "X" + token, id="payload"),
        pytest.param(lambda token: token.split(":", 1)[0], id="unsigned"),
        pytest.param(lambda token: "not-a-token", id="garbage"),
    ],
)
def test_a_tampered_link_is_404(client, tamper):
    invitation = make_invitation(email="ana@sme.example.eu")
    client.force_login(make_account(email="ana@sme.example.eu"))
    url = reverse("accounts:invitation_accept", args=[tamper(invitation.token)])
    assert client.post(url).status_code == 404
    assert not InfrastructureMembership.objects.filter(role="editor").exists()


def test_a_link_signed_without_the_portals_key_is_404(client):
    invitation = make_invitation(email="ana@sme.example.eu")
    forged = signing.dumps(invitation.pk, key="guessed-key", salt=INVITATION_SALT)
    client.force_login(make_account(email="ana@sme.example.eu"))
    response = client.post(reverse("accounts:invitation_accept", args=[forged]))
    assert response.status_code == 404


def test_a_token_signed_for_another_purpose_is_refused(client):
    invitation = make_invitation(email="ana@sme.example.eu")
    token = signing.dumps(invitation.pk)  # the default salt, not the invitation's
    client.force_login(make_account(email="ana@sme.example.eu"))
    response = client.post(reverse("accounts:invitation_accept", args=[token]))
    assert response.status_code == 404


def test_a_withdrawn_invitation_is_404(client):
    invitation = make_invitation(email="ana@sme.example.eu")
    url = invitation.get_absolute_url()
    invitation.delete()
    client.force_login(make_account(email="ana@sme.example.eu"))
    assert client.get(url).status_code == 404


def test_an_editor_invited_as_manager_is_promoted_and_never_demoted(client):
    infrastructure = make_infrastructure()
    editor = make_staff(infrastructure=infrastructure, role="editor")
    client.force_login(editor)
    promote = make_invitation(
        infrastructure=infrastructure, email=editor.email, role="manager"
    )
    client.post(promote.get_absolute_url())
    demote = make_invitation(
        infrastructure=infrastructure, email=editor.email, role="editor"
    )
    client.post(demote.get_absolute_url())
    assert editor.infrastructure_memberships.get().role == "manager"


def test_invited_person_without_an_account_signs_up_from_the_link_and_joins(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    infrastructure = make_infrastructure(name="Pilot Line Beta")
    link = urlsplit(
        emailed_invitation(
            client,
            mailoutbox,
            django_capture_on_commit_callbacks,
            infrastructure,
            email="new@lab.example.eu",
            role="editor",
        )
    ).path

    response = client.get(link, follow=True)
    assertContains(response, f'href="{reverse("account_signup")}?next=')
    signup = f"{reverse('account_signup')}?next={link}"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            signup,
            {
                "email": "new@lab.example.eu",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": link,
            },
        )
    confirm = urlsplit(link_in(mailoutbox[-1])).path
    response = client.post(confirm, follow=True)

    assertRedirects(response, link)
    assertContains(response, "You are invited to join the staff of")
    client.post(link)
    user = InfrastructureMembership.objects.get(infrastructure=infrastructure).user
    assert user.email == "new@lab.example.eu"
