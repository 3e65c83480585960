from django.db import migrations

from accounts import roles


def create_groups(apps, schema_editor):
    roles.create_groups(apps)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=roles.GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisation_and_membership_relations"),
        ("catalogue", "0003_load_reference_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
