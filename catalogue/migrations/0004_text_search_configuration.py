from django.db import migrations

# "rii": English stemming on unaccented words, so "Goteborg" finds "Göteborg".
CREATE = """
CREATE TEXT SEARCH CONFIGURATION rii (COPY = english);
ALTER TEXT SEARCH CONFIGURATION rii
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH unaccent, english_stem;
"""
DROP = "DROP TEXT SEARCH CONFIGURATION IF EXISTS rii;"


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_load_reference_data")]

    operations = [migrations.RunSQL(CREATE, DROP)]
