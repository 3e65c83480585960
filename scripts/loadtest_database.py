"""Print the URL of the load test's dataset, the database NAME on the server of the
portal's own database (DATABASE_URL, or the embedded server of `make run`). A
database that is missing or holds no listing is first built by `manage.py
bench_search` (the benchmark's 20,000 listings; its output goes to LOG).

    python scripts/loadtest_database.py rii_bench var/bench/loadtest-dataset.log
"""

import os
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def _url(database: dict, name: str) -> str:
    user = quote(database.get("USER") or "", safe="")
    password = quote(database.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(database.get("HOST") or "", safe="")
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{quote(name, safe='')}"


def _has_listings(database: dict, name: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(
            dbname=name,
            user=database.get("USER") or None,
            password=database.get("PASSWORD") or None,
            host=database.get("HOST") or None,
            port=database.get("PORT") or None,
        ) as connection:
            row = connection.execute(
                "SELECT to_regclass('catalogue_infrastructure') IS NOT NULL"
            ).fetchone()
            if not row or not row[0]:
                return False
            row = connection.execute(
                "SELECT EXISTS (SELECT 1 FROM catalogue_infrastructure)"
            ).fetchone()
            return bool(row and row[0])
    except psycopg.OperationalError:
        return False


def main() -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    name, log = sys.argv[1], Path(sys.argv[2])
    database = dict(settings.DATABASES["default"])
    if not _has_listings(database, name):
        print(f"Building the dataset {name} (see {log})...", file=sys.stderr)
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out:
            call_command(
                "bench_search",
                database=name,
                runs=1,
                output=log.with_suffix(".json"),
                stdout=out,
            )
    print(_url(database, name))


if __name__ == "__main__":
    main()
