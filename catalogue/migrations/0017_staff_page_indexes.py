"""An index for the moderation queue's "not verified for 12 months" section: the
published listings in the order of their last verification, never verified first,
so that the queue reads its first rows and counts them without sorting every
published listing."""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS rii_published_verified_idx
ON catalogue_infrastructure (verified_at ASC NULLS FIRST, id)
WHERE status = 'published'
"""
DROP = "DROP INDEX IF EXISTS rii_published_verified_idx"


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0016_public_page_indexes")]

    operations = [migrations.RunSQL(CREATE, DROP)]
