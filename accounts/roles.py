"""Site-wide roles: the groups and the model permissions each one grants."""

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


def create_groups(apps) -> None:
    """Create or update the groups; ``apps`` is the (historical) app registry."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; make sure they exist now.
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
