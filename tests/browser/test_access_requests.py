import re

from django.urls import reverse

from accounts.models import InfrastructureMembership
from tests.browser.test_accounts import PASSWORD, sign_in, sign_out
from tests.factories import make_account, make_infrastructure, make_service

GUEST = "giulia@acme.example"


def _link(mailoutbox, to: str, fragment: str) -> str:
    bodies = [m.body for m in mailoutbox if to in m.to]
    links = re.findall(r"https?://\S+", "\n".join(bodies))
    return next(link for link in reversed(links) if fragment in link)


def test_guest_asks_staff_offer_and_the_sme_accepts_after_signing_up(
    page, assert_accessible, mailoutbox, settings
):
    infrastructure = make_infrastructure(name="Additive Manufacturing Lab")
    make_service(infrastructure=infrastructure, name="Fatigue testing")
    manager = make_account(email="manager@lab.example", password=PASSWORD)
    InfrastructureMembership.objects.create(
        user=manager, infrastructure=infrastructure, role="manager"
    )
    base = settings.PORTAL_SITE_URL = page.live_server_url

    # A guest keeps a shortlist, then asks one infrastructure for access.
    page.goto(base + infrastructure.get_absolute_url())
    page.get_by_role("button", name="Add to shortlist").click()
    page.get_by_text("is on your shortlist").wait_for()
    page.get_by_role("link", name="Shortlist", exact=True).click()
    page.get_by_role("heading", name="Your shortlist").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Send one brief").click()
    page.get_by_role("heading", name="Send one brief to several").wait_for()
    assert_accessible(page)

    page.goto(base + infrastructure.get_absolute_url())
    page.get_by_role("link", name="Request this service").click()
    page.get_by_role("heading", name="Request access to").wait_for()
    assert page.get_by_label("Service (optional)").input_value() != ""
    page.get_by_role("button", name="Send the request").click()  # empty: errors
    page.get_by_text("This field is required.").first.wait_for()
    assert_accessible(page)
    page.get_by_label("What the company needs").fill(
        "Fatigue tests on 12 printed titanium brackets."
    )
    page.get_by_role("textbox", name=re.compile(r"^Company")).fill("Acme Additive Srl")
    page.get_by_role("textbox", name=re.compile(r"^Contact name")).fill("Giulia Rossi")
    page.get_by_role("textbox", name=re.compile(r"^Contact email")).fill(GUEST)
    page.get_by_label("I agree that this request").check()
    page.get_by_label("I have read the").check()
    page.get_by_role("button", name="Send the request").click()
    page.get_by_role("heading", name="confirm your email address").wait_for()
    assert_accessible(page)

    page.goto(_link(mailoutbox, GUEST, "/requests/confirm/"))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm and send").click()
    page.get_by_role("heading", name="Your request was sent").wait_for()
    assert_accessible(page)

    # The manager hears of it, asks a question and sends an offer.
    assert any(manager.email in m.to for m in mailoutbox)
    sign_in(page, manager.email)
    page.goto(base + reverse("access:inbox"))
    page.get_by_role("heading", name="Access requests").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"AR-\d+")).click()
    page.get_by_text("Fatigue tests on 12 printed titanium brackets.").wait_for()
    assert_accessible(page)
    page.get_by_role("textbox", name=re.compile(r"^Message")).fill(
        "Are the brackets heat-treated?"
    )
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Your message was sent.").wait_for()
    page.locator("summary", has_text="Send an offer").click()
    page.get_by_label("The offer").fill("Two days of testing and a report: €3,400.")
    assert_accessible(page)
    page.get_by_role("button", name="Send an offer").last.click()
    page.locator(".state-badge", has_text="Offer sent").wait_for()
    sign_out(page)

    # The guest signs up with the same address and accepts the offer.
    page.get_by_role("link", name="Create account").click()
    page.get_by_label("Email").fill(GUEST)
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    page.goto(_link(mailoutbox, GUEST, "/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("link", name="My requests").click()
    page.get_by_role("heading", name="My requests").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"AR-\d+")).click()
    page.get_by_text("Two days of testing and a report: €3,400.").wait_for()
    page.get_by_text("Are the brackets heat-treated?").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Accept the offer").click()
    page.locator(".state-badge", has_text="Accepted").wait_for()
    assert_accessible(page)
    assert any(manager.email in m.to and "Accepted" in m.subject for m in mailoutbox)


def test_request_form_on_a_phone(phone_page, assert_accessible):
    infrastructure = make_infrastructure()
    phone_page.goto(
        phone_page.live_server_url
        + reverse("access:request_create", args=[infrastructure.slug])
    )
    phone_page.get_by_role("heading", name="Request access to").wait_for()
    assert_accessible(phone_page)
    assert phone_page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
    )
