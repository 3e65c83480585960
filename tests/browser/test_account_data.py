import json
from pathlib import Path

from django.urls import reverse

from accounts.models import CompanyMembership, User
from tests.factories import make_account, make_company, make_infrastructure

PASSWORD = "Kalibrier-Labor-2026"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto(page.live_server_url + reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Sign out").wait_for()


def test_profile_invitation_and_personal_data_pages(page, assert_accessible):
    ana = make_account(email="ana@sme.example.eu", password=PASSWORD)
    company = make_company(name="Micro Optics Srl", vat_id="IT01234567890")
    rii = make_infrastructure(name="Pilot Line Alpha")
    ana.infrastructure_memberships.create(infrastructure=rii, role="manager")
    sign_in(page, "ana@sme.example.eu")

    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Profile").click()
    page.get_by_role("heading", name="Profile", exact=True).wait_for()
    assert_accessible(page)

    page.get_by_label("First name").fill("Ana")
    page.get_by_label("A company not registered yet").check()
    page.get_by_label("Company name").fill("Micro Optics")
    page.get_by_label("Country").select_option("IT")
    page.get_by_label("Size class").select_option("micro")
    page.get_by_label("VAT number").fill("IT01234567890")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("An organisation with this VAT number already exists.").wait_for()
    assert_accessible(page)

    page.get_by_label("A company registered on the portal").check()
    page.get_by_label("Registered company").select_option(str(company.pk))
    page.get_by_label("Role in the company").fill("Founder")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile has been saved.").wait_for()
    assert_accessible(page)
    assert CompanyMembership.objects.get(user=ana).organisation == company

    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_role(
        "heading", name="Invite a colleague to Pilot Line Alpha"
    ).wait_for()
    assert_accessible(page)
    page.get_by_label("Email address").fill("bruno@rii.example.eu")
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to bruno@rii.example.eu.").wait_for()
    assert_accessible(page)

    page.goto(page.live_server_url + reverse("accounts:profile"))
    page.get_by_role("link", name="Personal data").click()
    page.get_by_role("heading", name="Personal data").wait_for()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["user"]["email"] == "ana@sme.example.eu"
    assert data["invitations_sent"][0]["email"] == "bruno@rii.example.eu"

    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("This is not your password.").wait_for()
    assert_accessible(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_text("Your account and your personal data are deleted.").wait_for()
    assert page.get_by_role("link", name="Sign in", exact=True).is_visible()
    assert not User.objects.get(pk=ana.pk).is_active
    assert page.js_errors == []
