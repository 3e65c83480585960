"""Indexes of the public pages' statements, over the published listings only.

- ``(region_id, id)``: the listings' counts by region (home, region, technology
  and regions index pages) and every "among the published listings" subquery
  read the index alone instead of the listings' wide rows; ``varchar_pattern_ops``
  so that ``region_id LIKE 'DE1%'`` (a region and those below it) uses it.
- ``(slug, updated_at)``: a sitemap section's page, in slug order, from the index.

Raw SQL, as the models do not declare these (they belong to these pages'
statements, not to the listing's definition)."""

from django.db import migrations

INDEXES = {
    "infrastructure_published_region_idx": ("(region_id varchar_pattern_ops, id)"),
    "infrastructure_published_slug_idx": "(slug, updated_at)",
}


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0015_listing_incomplete_drafts_and_lifecycle")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {name} ON catalogue_infrastructure {columns}"
            " WHERE status = 'published'",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, columns in INDEXES.items()
    ]
