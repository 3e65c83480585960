import json
import time
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models.functions import Left
from psycopg import sql

from accounts.models import Organisation
from bench import dataset as synthetic
from bench import timing
from catalogue import search
from catalogue.models import (
    Equipment,
    Infrastructure,
    SearchRecord,
    SearchTerm,
    Service,
)


class Command(BaseCommand):
    help = (
        "Benchmark the search page on a synthetic EU-scale catalogue kept in a "
        "database of its own (built on first use), and write var/bench/search.json."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--database",
            default="rii_bench",
            help="Benchmark database on the same server (default: rii_bench).",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Regenerate the dataset."
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Rebuild the search records of an existing dataset first.",
        )
        parser.add_argument("--runs", type=int, default=20, help="Timed runs per URL.")
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "var" / "bench" / "search.json",
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="EXPLAIN ANALYZE the slowest statement of pages over the time target.",
        )

    def _use_dataset(self, name: str, size, *, rebuild: bool):
        """Switch to the benchmark's own database ``name`` and migrate it: its saved
        state (None if the dataset is to be built) and whether migrations ran."""
        if name == settings.DATABASES["default"]["NAME"]:
            raise CommandError("The benchmark needs a database of its own.")
        connections.close_all()
        state = self._prepare_database(name, size, rebuild=rebuild)
        settings.DATABASES["default"]["NAME"] = name
        connection.settings_dict["NAME"] = name
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            if cursor.fetchone()[0] != name:
                raise CommandError(f"Could not switch to the database {name}.")
        executor = MigrationExecutor(connection)
        migrated = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        call_command("migrate", interactive=False, verbosity=0)
        return state, migrated

    def handle(self, *args, **options) -> None:
        name = options["database"]
        size = synthetic.DatasetSize()
        state, migrated = self._use_dataset(name, size, rebuild=options["rebuild"])

        if state is None:
            state = self._build(size)
            self._set_state(name, state)
        elif options["refresh"] or migrated:
            # New migrations may have changed what the search records hold.
            state["refresh_seconds"] = self._refresh()
            self._set_state(name, state)
        else:
            self.stdout.write(
                f"Reusing the dataset in {name} (--rebuild to regenerate)."
            )
        dataset = self._dataset(name, size, state)
        self.stdout.write(json.dumps(dataset, indent=2))

        self.stdout.write(
            f"\nTiming {len(timing.BENCH_URLS)} URLs, {options['runs']} runs each:"
        )
        with timing.replay_connection(connection.settings_dict) as replay:
            pages = timing.measure_pages(
                timing.BENCH_URLS,
                runs=options["runs"],
                replay=replay,
                progress=lambda page: self.stdout.write(
                    f"  {page.label}: {page.median_ms:.1f} ms", ending="\n"
                ),
            )
            if options["explain"]:
                self._explain(replay, pages)
        result = timing.report(dataset, pages)
        self._print(pages, result["summary"])
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(json.dumps(result, indent=2) + "\n")
        self.stdout.write(f"Wrote {options['output']}")

    def _prepare_database(
        self, name: str, size: synthetic.DatasetSize, *, rebuild: bool
    ) -> dict[str, Any] | None:
        """Create the database if missing, drop it first if its dataset is outdated.

        Returns the state recorded after the last complete build, or None when the
        dataset must be (re)generated.
        """
        with self._maintenance() as admin:
            row = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = %s",
                [name],
            ).fetchone()
            state = None
            if row and row[0]:
                try:
                    state = json.loads(row[0])
                except ValueError:
                    state = None
            if state and state.get("fingerprint") != size.fingerprint():
                state = None
            if row and (rebuild or state is None):
                self.stdout.write(f"Dropping the database {name}.")
                admin.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                        sql.Identifier(name)
                    )
                )
                row = None
            if row is None:
                self.stdout.write(f"Creating the database {name}.")
                admin.execute(
                    sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
                )
                state = None
        return state

    def _set_state(self, name: str, state: dict[str, Any]) -> None:
        with self._maintenance() as admin:
            admin.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(json.dumps(state))
                )
            )

    def _maintenance(self) -> psycopg.Connection:
        """A connection to the server for CREATE/DROP DATABASE, outside the bench db."""
        default = settings.DATABASES["default"]
        try:
            return psycopg.connect(
                **timing.psycopg_params(default, dbname="postgres"), autocommit=True
            )
        except psycopg.OperationalError:
            return psycopg.connect(
                **timing.psycopg_params(
                    default, dbname=connection.settings_dict["NAME"]
                ),
                autocommit=True,
            )

    def _build(self, size: synthetic.DatasetSize) -> dict[str, Any]:
        self.stdout.write(f"Generating the dataset (seed {size.seed}):")
        started = time.perf_counter()

        with transaction.atomic():
            synthetic.generate_catalogue(size=size, log=self.stdout.write)
        build_seconds = time.perf_counter() - started
        self.stdout.write(f"Dataset generated in {build_seconds:.1f} s.")
        self._analyze()
        refresh_seconds = self._refresh()
        return {
            "fingerprint": size.fingerprint(),
            "build_seconds": round(build_seconds, 1),
            "refresh_seconds": refresh_seconds,
        }

    def _refresh(self) -> float:
        self.stdout.write("Refreshing the search records...")
        started = time.perf_counter()
        search.refresh()
        seconds = round(time.perf_counter() - started, 1)
        self.stdout.write(f"search.refresh() took {seconds:.1f} s.")
        self._analyze()
        return seconds

    def _analyze(self) -> None:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"VACUUM ANALYZE took {time.perf_counter() - started:.1f} s.")

    def _dataset(
        self, name: str, size: synthetic.DatasetSize, state: dict[str, Any]
    ) -> dict[str, Any]:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        published = Infrastructure.objects.published()
        return {
            "database": name,
            "seed": size.seed,
            "fingerprint": size.fingerprint(),
            "postgres_version": version,
            "infrastructures": Infrastructure.objects.count(),
            "published": published.count(),
            "services": Service.objects.count(),
            "equipment": Equipment.objects.count(),
            "organisations": Organisation.objects.count(),
            "nuts2_regions": Infrastructure.objects.annotate(nuts2=Left("region_id", 4))
            .values("nuts2")
            .distinct()
            .count(),
            "search_records": SearchRecord.objects.count(),
            "search_terms": SearchTerm.objects.count(),
            "build_seconds": state.get("build_seconds"),
            "refresh_seconds": state.get("refresh_seconds"),
        }

    def _explain(
        self, replay: psycopg.Connection, pages: list[timing.PageTiming]
    ) -> None:
        for page in pages:
            if page.median_ms <= timing.MAX_MEDIAN_MS or not page.slowest_sql:
                continue
            self.stdout.write(
                f"\nSlowest statement of {page.label} ({page.url}), "
                f"{page.slowest_sql_ms:.1f} ms:\n{page.slowest_sql}\n"
            )
            self.stdout.write(
                timing.explain(replay, page.slowest_sql, page.slowest_sql_params)
            )

    def _print(self, pages: list[timing.PageTiming], summary: dict[str, Any]) -> None:
        self.stdout.write("\n" + timing.table(pages) + "\n")
        self.stdout.write(
            f"Median ratio page/SQL: {summary['median_ratio']:.2f} "
            f"(target <= {timing.MAX_MEDIAN_RATIO})"
        )
        self.stdout.write(
            f"Max median: {summary['max_median_ms']:.1f} ms "
            f"(target <= {timing.MAX_MEDIAN_MS:.0f} ms); "
            f"max queries per page: {summary['max_queries']} "
            f"(target <= {timing.MAX_QUERIES})"
        )
        if summary["missed"]:
            self.stdout.write(self.style.WARNING("Targets missed:"))
            for line in summary["missed"]:
                self.stdout.write(self.style.WARNING(f"  {line}"))
        else:
            self.stdout.write(self.style.SUCCESS("All targets met."))
