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
        "photo": "change delete view",
        "moderationdecision": "view",
        "region": "view",
        "concept": "view",
    },
    "accounts": {
        "organisation": "add change view",
        "infrastructuremembership": "add change delete view",
    },
    "access": {"accessrequest": "view"},
    "imports": {"importjob": "add view", "columnmapping": "change delete view"},
}
GROUPS = {"RII staff": STAFF_PERMISSIONS, "Partner admin": PARTNER_ADMIN_PERMISSIONS}


def create_groups(apps) -> None:
    """Create or update the groups; ``apps`` is the (historical) app registry.

    Permissions of models that ``apps`` does not hold yet are skipped: a migration may
    run before another app's models exist. ``AccountsConfig`` calls this again after
    every ``migrate``, so the groups end complete.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; make sure they exist now.
    for app_label in {label for grants in GROUPS.values() for label in grants}:
        try:
            config = global_apps.get_app_config(app_label)
            apps.get_app_config(app_label)
        except LookupError:
            continue
        create_permissions(config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model=model,
                codename=f"{action}_{model}",
            ).get()
            for app_label, models in grants.items()
            for model, actions in models.items()
            if _has_model(apps, app_label, model)
            for action in actions.split()
        )


def _has_model(apps, app_label: str, model: str) -> bool:
    try:
        apps.get_model(app_label, model)
    except LookupError:
        return False
    return True


def sync_groups(sender, **kwargs) -> None:
    """post_migrate: bring the groups up to date with ``GROUPS``."""
    from django.apps import apps

    create_groups(apps)
