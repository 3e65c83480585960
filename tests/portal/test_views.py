import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from catalogue.models import Photo
from tests.factories import (
    make_equipment,
    make_infrastructure,
    make_ris3_priority,
    make_service,
)

pytestmark = pytest.mark.django_db


def populate(n: int) -> None:
    for i in range(n):
        rii = make_infrastructure(
            region="ITH55" if i % 2 else "SE224", kets=["AMN", "NANO"]
        )
        make_service(infrastructure=rii)
        make_equipment(infrastructure=rii)


@pytest.mark.parametrize("n", [1, 30])
def test_home_page_uses_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    populate(n)
    # The first request also counts the KETs, services and equipment, which the
    # next ones read from the cache (until the catalogue changes).
    with django_assert_num_queries(6):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    with django_assert_num_queries(3):
        assert client.get(reverse("home")).status_code == 200


def test_home_page_counts_published_infrastructures_per_partner_region_and_ket(client):
    make_infrastructure(region="ITH55", kets=["NANO"])  # 2012 KET counts for AMN
    make_infrastructure(region="ITH56", kets=["AMN", "NANO"])
    make_infrastructure(region="ITH55", status="draft", kets=["AMN"])
    response = client.get(reverse("home"))
    regions = {
        r.code: r.infrastructure_count for r in response.context["partner_regions"]
    }
    assert regions["ITH5"] == 2
    assert regions["SE224"] == 0
    kets = {k.code: k.infrastructure_count for k in response.context["kets"]}
    assert kets["AMN"] == 2
    assert kets["AI"] == 0
    assertContains(response, "Emilia-Romagna")


@pytest.mark.parametrize("n", [1, 12])
def test_detail_page_uses_a_fixed_number_of_queries(
    client, django_assert_num_queries, n
):
    rii = make_infrastructure(kets=["AI"])
    for _ in range(n):
        make_service(infrastructure=rii)
        make_equipment(infrastructure=rii)
        Photo.objects.create(
            infrastructure=rii, image="photos/x.webp", alt_text="The lab"
        )
    make_ris3_priority(region="ITH5")
    with django_assert_num_queries(13):
        response = client.get(rii.get_absolute_url())
    assert response.status_code == 200


def test_detail_page_shows_services_terms_equipment_and_priorities(client):
    rii = make_infrastructure(
        name="Laboratorio MIST E-R",
        region="ITH55",
        latitude=44.52,
        longitude=11.34,
        description="First paragraph.\n\nSecond <b>paragraph</b>.",
    )
    make_service(
        infrastructure=rii,
        name="Thin-film characterisation",
        trl_from=4,
        trl_to=7,
        price_band="1k_5k",
        sme_rate_available=True,
        lead_time_days=10,
    )
    make_equipment(
        infrastructure=rii, name="Scanning electron microscope", manufacturer="Zeiss"
    )
    make_ris3_priority(region="ITH5", name="Mechatronics and motoring")
    response = client.get(rii.get_absolute_url())
    for text in (
        "Thin-film characterisation",
        "TRL 4–7",
        "EUR 1,000-5,000",
        "10 days",
        "Scanning electron microscope",
        "Zeiss",
        "Mechatronics and motoring",
        "Request access",
        "application/ld+json",
    ):
        assertContains(response, text)
    assertContains(response, "Second &lt;b&gt;paragraph&lt;/b&gt;.")


def test_json_ld_cannot_be_broken_out_of(client):
    rii = make_infrastructure(summary="</script><script>alert(1)</script>")
    response = client.get(rii.get_absolute_url())
    assertNotContains(response, "</script><script>alert(1)")


@pytest.mark.parametrize(
    "status", ["draft", "pending", "changes_requested", "archived"]
)
def test_unpublished_listings_are_not_found(client, status):
    rii = make_infrastructure(status=status)
    assert client.get(rii.get_absolute_url()).status_code == 404


def test_unknown_listing_is_a_404(client):
    url = reverse("catalogue:infrastructure_detail", kwargs={"slug": "nope"})
    assert client.get(url).status_code == 404
