from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Organisation
from catalogue.models import Concept, Equipment, Infrastructure, Region, Service
from tests.factories import (
    concept,
    make_equipment,
    make_infrastructure,
    make_organisation,
    make_service,
    make_staff,
)

pytestmark = pytest.mark.django_db


def assert_rejected(obj, message: str) -> None:
    """full_clean() names the problem, and the database refuses it too."""
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    assert message in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_region_code_length_must_match_its_level():
    region = Region(code="ITH9", level=3, name="x", parent_id="ITH", country_code="IT")
    assert_rejected(region, "region_code_length_matches_level")


def test_region_below_country_needs_a_parent():
    region = Region(code="XX1", level=1, name="x", country_code="XX")
    assert_rejected(region, "region_parent_iff_below_country")


def test_concept_codes_are_unique_within_a_scheme():
    duplicate = Concept(scheme="ket", code="AI", label="Again")
    assert_rejected(duplicate, "Concept with this Scheme and Code already exists")


def test_service_trl_range_must_be_ordered():
    service = make_service()
    service.trl_from, service.trl_to = 7, 4
    assert_rejected(service, "The TRL range must lie between 1 and 9")


def test_service_trl_must_lie_between_1_and_9():
    service = make_service()
    service.trl_to = 10
    with pytest.raises(ValidationError) as error:
        service.full_clean()
    assert "trl_to" in error.value.message_dict


def test_service_slug_is_unique_within_its_infrastructure():
    service = make_service(slug="sem")
    other = make_service(infrastructure=service.infrastructure, slug="sem-2")
    other.slug = "sem"
    assert_rejected(other, "already exists")
    # The same slug at another infrastructure is fine.
    make_service(slug="sem").full_clean()


def test_published_infrastructure_needs_a_publication_date():
    rii = make_infrastructure(status="draft")
    rii.status = Infrastructure.Status.PUBLISHED
    assert_rejected(rii, "A published listing needs a publication date.")


def test_infrastructure_coordinates_come_in_valid_pairs():
    rii = make_infrastructure(latitude=Decimal("44.5"), longitude=Decimal("11.3"))
    rii.full_clean()
    rii.longitude = None
    assert_rejected(rii, "Give both latitude")
    rii.latitude, rii.longitude = 95, 11
    with pytest.raises(IntegrityError), transaction.atomic():
        rii.save()


def test_infrastructure_status_must_be_known():
    rii = make_infrastructure()
    rii.status = "lost"
    assert_rejected(rii, "is not a valid choice")


def test_equipment_quantity_and_year_are_plausible():
    item = make_equipment()
    item.quantity = 0
    assert_rejected(item, "equipment_quantity_positive")
    item.quantity, item.year_commissioned = 1, 1850
    assert_rejected(item, "The year must lie between 1900 and 2100.")


def test_uniquip_ids_are_unique_but_may_be_blank():
    make_equipment(uniquip_id="")
    make_equipment(uniquip_id="")
    make_equipment(uniquip_id="UQ-1")
    duplicate = make_equipment()
    duplicate.uniquip_id = "UQ-1"
    assert_rejected(duplicate, "already exists")


def test_only_companies_have_a_size_class():
    university = make_organisation(kind="university")
    university.size_class = Organisation.SizeClass.SMALL
    assert_rejected(university, "Only companies have a size class.")


def test_vat_numbers_are_unique():
    make_organisation(kind="company", vat_id="IT01234567890")
    other = make_organisation(kind="company")
    other.vat_id = "IT01234567890"
    assert_rejected(other, "An organisation with this VAT number already exists.")


def test_a_user_has_one_membership_per_infrastructure():
    rii = make_infrastructure()
    user = make_staff(infrastructure=rii)
    with pytest.raises(IntegrityError), transaction.atomic():
        user.infrastructure_memberships.create(infrastructure=rii, role="editor")


def test_deleting_an_infrastructure_deletes_its_services_and_equipment():
    item = make_equipment()
    make_service(infrastructure=item.infrastructure)
    item.infrastructure.delete()
    assert Service.objects.count() == 0
    assert Equipment.objects.count() == 0


def test_host_organisation_cannot_be_deleted_while_it_hosts_a_listing():
    rii = make_infrastructure()
    with pytest.raises(Exception, match="protected"):
        assert rii.host is not None
        rii.host.delete()


def test_string_representations_are_readable():
    rii = make_infrastructure(name="CEITEC Nano", acronym="CN", region="CZ064")
    assert str(rii) == "CEITEC Nano"
    assert rii.display_name == "CEITEC Nano (CN)"
    assert str(Region.objects.get(code="CZ064")) == "South Moravia (CZ064)"
    assert str(Region.objects.get(code="CZ063")) == "Kraj Vysočina (CZ063)"
    assert str(concept("ket", "AI")) == "Artificial intelligence"
    assert str(make_service(name="SEM imaging")) == "SEM imaging"
