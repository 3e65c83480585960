from django.contrib.auth.management import create_permissions
from django.db import migrations

STAFF_PERMISSIONS = {
    "catalogue": {
        "infrastructure": "change view",
        "service": "add change delete view",
        "equipment": "add change delete view",
    },
}
PARTNER_ADMIN_PERMISSIONS = {
    "catalogue": {
        "infrastructure": "add change delete view",
        "service": "add change delete view",
        "equipment": "add change delete view",
        "ris3priority": "add change delete view",
        "goodpractice": "add change delete view",
        "region": "view",
        "concept": "view",
    },
    "accounts": {
        "organisation": "add change view",
        "infrastructuremembership": "add change delete view",
    },
}
GROUPS = {"RII staff": STAFF_PERMISSIONS, "Partner admin": PARTNER_ADMIN_PERMISSIONS}


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    from django.apps import apps as global_apps

    for app_label in ("catalogue", "accounts"):
        create_permissions(
            global_apps.get_app_config(app_label), verbosity=0, apps=apps
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [
            (app_label, f"{action}_{model}")
            for app_label, models in grants.items()
            for model, actions in models.items()
            for action in actions.split()
        ]
        group.permissions.set(
            [
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in codenames
            ]
        )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisation_and_membership_relations"),
        ("catalogue", "0003_load_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
