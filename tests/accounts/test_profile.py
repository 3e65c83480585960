"""The SME profile: the person, their preferred language and their company."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import CompanyMembership, Organisation
from accounts.services import company_profile_update
from tests.factories import (
    make_account,
    make_company,
    make_company_member,
    make_infrastructure,
    make_organisation,
    make_staff,
)

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def profile_data(**overrides) -> dict[str, str]:
    data = {
        "person-first_name": "Ana",
        "person-last_name": "Kovač",
        "person-preferred_language": "it",
        "member-company_choice": "none",
        "member-organisation": "",
        "member-job_title": "",
        "company-name": "",
        "company-country": "",
        "company-size_class": "",
        "company-registration_id": "",
        "company-vat_id": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(client, method):
    response = getattr(client, method)(PROFILE)
    assertRedirects(
        response,
        f"{reverse('account_login')}?next={PROFILE}",
        fetch_redirect_response=False,
    )


def test_profile_is_in_the_account_menu(client):
    client.force_login(make_account())
    response = client.get(reverse("account_email"))
    assertContains(response, f'href="{PROFILE}"')
    response = client.get(PROFILE)
    assertContains(
        response, f'aria-current="page"\n                   href="{PROFILE}"'
    )


def test_profile_shows_the_users_name_and_company(client):
    membership = make_company_member(
        user=make_account(first_name="Ana", last_name="Kovač"),
        company=make_company(name="Micro Optics Srl"),
        job_title="Head of R&D",
    )
    client.force_login(membership.user)
    response = client.get(PROFILE)
    assertContains(response, 'value="Ana"')
    assertContains(response, 'value="Head of R&amp;D"')
    assertContains(response, f'<option value="{membership.organisation.pk}" selected>')


def test_user_saves_name_language_and_chooses_a_registered_company(client):
    user = make_account()
    company = make_company(name="Micro Optics Srl")
    client.force_login(user)

    response = client.post(
        PROFILE,
        profile_data(
            **{
                "member-company_choice": "existing",
                "member-organisation": company.pk,
                "member-job_title": "Founder",
            }
        ),
        follow=True,
    )

    assertRedirects(response, PROFILE)
    assertContains(response, "Your profile has been saved.")
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.preferred_language) == (
        "Ana",
        "Kovač",
        "it",
    )
    membership = CompanyMembership.objects.get(user=user)
    assert (membership.organisation, membership.job_title) == (company, "Founder")


def test_user_adds_a_company_that_is_not_registered_yet(client):
    user = make_account()
    client.force_login(user)

    response = client.post(
        PROFILE,
        profile_data(
            **{
                "member-company_choice": "new",
                "member-job_title": "CTO",
                "company-name": "Laser Works GmbH",
                "company-country": "DE",
                "company-size_class": "micro",
                "company-vat_id": "de 123 456 789",
            }
        ),
    )

    assertRedirects(response, PROFILE)
    company = Organisation.objects.get(name="Laser Works GmbH")
    assert company.kind == "company"
    assert (company.country_id, company.size_class, company.vat_id) == (
        "DE",
        "micro",
        "DE123456789",
    )
    assert company.slug == "laser-works-gmbh"
    assert CompanyMembership.objects.get(user=user).organisation == company


def test_a_vat_number_already_registered_is_refused(client):
    make_company(name="Laser Works GmbH", country="DE", vat_id="DE123456789")
    client.force_login(make_account())

    response = client.post(
        PROFILE,
        profile_data(
            **{
                "member-company_choice": "new",
                "company-name": "Laser Works",
                "company-country": "DE",
                "company-size_class": "micro",
                "company-vat_id": "DE123456789",
            }
        ),
    )

    assertContains(response, "An organisation with this VAT number already exists.")
    assert Organisation.objects.filter(kind="company").count() == 1
    assert not CompanyMembership.objects.exists()


def test_a_new_company_needs_a_name_a_country_and_a_size(client):
    client.force_login(make_account())
    response = client.post(PROFILE, profile_data(**{"member-company_choice": "new"}))
    assertContains(response, "This field is required.", count=3)
    assertContains(response, 'aria-invalid="true"', count=3)
    assert not Organisation.objects.exists()


def test_choosing_a_registered_company_needs_one(client):
    client.force_login(make_account())
    response = client.post(
        PROFILE, profile_data(**{"member-company_choice": "existing"})
    )
    assertContains(response, "Choose your company.")


def test_only_companies_can_be_chosen(client):
    university = make_organisation(name="Università di Bologna", kind="university")
    client.force_login(make_account())
    response = client.get(PROFILE)
    assertNotContains(response, "Università di Bologna")

    response = client.post(
        PROFILE,
        profile_data(
            **{
                "member-company_choice": "existing",
                "member-organisation": university.pk,
            }
        ),
    )
    assertContains(response, "Select a valid choice.")
    assert not CompanyMembership.objects.exists()


def test_an_unknown_language_is_refused(client):
    client.force_login(make_account())
    response = client.post(PROFILE, profile_data(**{"person-preferred_language": "xx"}))
    assertContains(response, "Select a valid choice.")


def test_changing_company_moves_the_membership(client):
    membership = make_company_member(job_title="Engineer")
    other = make_company()
    client.force_login(membership.user)

    client.post(
        PROFILE,
        profile_data(
            **{
                "member-company_choice": "existing",
                "member-organisation": other.pk,
                "member-job_title": "Engineer",
            }
        ),
    )

    assert list(
        CompanyMembership.objects.filter(user=membership.user).values_list(
            "organisation", flat=True
        )
    ) == [other.pk]
    assert Organisation.objects.filter(pk=membership.organisation_id).exists()


def test_a_user_who_does_not_work_for_a_company_leaves_it(client):
    membership = make_company_member()
    client.force_login(membership.user)
    client.post(PROFILE, profile_data())
    assert not CompanyMembership.objects.exists()
    assert Organisation.objects.filter(pk=membership.organisation_id).exists()


def test_users_only_see_and_change_their_own_profile(client):
    other = make_company_member(
        user=make_account(first_name="Bruno"), job_title="Other's title"
    )
    client.force_login(make_account(first_name="Ana"))
    response = client.get(PROFILE)
    assertNotContains(response, "Bruno")
    assertNotContains(response, "Other&#x27;s title")

    client.post(PROFILE, profile_data(**{"person-first_name": "Carla"}))

    other.user.refresh_from_db()
    assert other.user.first_name == "Bruno"


def test_profile_lists_infrastructures_and_lets_managers_invite(client):
    managed = make_infrastructure(name="Pilot Line Alpha")
    edited = make_infrastructure(name="Test Bed Beta")
    user = make_staff(infrastructure=managed, role="manager")
    user.infrastructure_memberships.create(infrastructure=edited, role="editor")
    client.force_login(user)

    response = client.get(PROFILE)

    assertContains(response, "Pilot Line Alpha")
    assertContains(response, "Test Bed Beta")
    assertContains(response, reverse("accounts:invitation_create", args=[managed.slug]))
    assertNotContains(
        response, reverse("accounts:invitation_create", args=[edited.slug])
    )


def test_service_refuses_a_company_whose_vat_number_was_registered_meanwhile():
    make_company(vat_id="IT01234567890")
    user = make_account()
    duplicate = Organisation(
        name="Same VAT Srl", country_id="IT", size_class="small", vat_id="IT01234567890"
    )
    with pytest.raises(ValidationError, match="VAT number already exists"):
        company_profile_update(
            user=user,
            first_name="Ana",
            last_name="",
            preferred_language="",
            company=duplicate,
        )
    assert not CompanyMembership.objects.exists()


def test_service_gives_new_companies_a_unique_slug():
    def new_company_slug() -> str:
        membership = company_profile_update(
            user=make_account(),
            first_name="",
            last_name="",
            preferred_language="",
            company=Organisation(
                name="Laser Works", country_id="DE", size_class="micro"
            ),
        )
        assert membership is not None
        return membership.organisation.slug

    slugs = [new_company_slug() for _ in range(2)]
    assert slugs == ["laser-works", "laser-works-2"]


def test_service_refuses_an_organisation_that_is_not_a_company():
    university = make_organisation(kind="university")
    with pytest.raises(ValidationError, match="Only a company"):
        company_profile_update(
            user=make_account(),
            first_name="",
            last_name="",
            preferred_language="",
            company=university,
        )
    assert not CompanyMembership.objects.exists()
