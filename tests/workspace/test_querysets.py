import pytest
from django.contrib.auth.models import AnonymousUser

from catalogue.models import Infrastructure
from tests.factories import (
    make_infrastructure,
    make_partner_admin,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_editable_by_members_of_either_role_only():
    mine, theirs = make_infrastructure(), make_infrastructure()
    editor = make_staff(infrastructure=mine, role="editor")
    manager = make_staff(infrastructure=mine, role="manager")
    for user in (editor, manager):
        assert list(Infrastructure.objects.editable_by(user)) == [mine]
    for outsider in (AnonymousUser(), make_user(), make_partner_admin(region="ITH5")):
        assert not Infrastructure.objects.editable_by(outsider).exists()
    assert theirs not in Infrastructure.objects.editable_by(editor)


def test_superuser_may_edit_every_listing():
    listings = {make_infrastructure(), make_infrastructure(status="draft")}
    superuser = make_user(is_superuser=True)
    assert set(Infrastructure.objects.editable_by(superuser)) == listings


def test_inactive_members_may_edit_nothing():
    listing = make_infrastructure()
    user = make_staff(infrastructure=listing)
    user.is_active = False
    assert not Infrastructure.objects.editable_by(user).exists()


def test_with_role_of_annotates_the_users_role():
    listing = make_infrastructure()
    editor = make_staff(infrastructure=listing, role="editor")
    annotated = Infrastructure.objects.with_role_of(editor).get()
    assert annotated.member_role == "editor"
    assert Infrastructure.objects.with_role_of(make_user()).get().member_role is None
