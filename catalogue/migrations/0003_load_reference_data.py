from django.db import migrations

from catalogue.reference import load_concepts, load_regions


def load(apps, schema_editor):
    load_regions(apps.get_model("catalogue", "Region"))
    load_concepts(apps.get_model("catalogue", "Concept"))


def unload(apps, schema_editor):
    Concept = apps.get_model("catalogue", "Concept")
    Concept.objects.filter(parent__isnull=False).delete()
    Concept.objects.all().delete()
    Region = apps.get_model("catalogue", "Region")
    for level in (3, 2, 1, 0):
        Region.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_search_extensions")]

    operations = [migrations.RunPython(load, unload)]
