import json
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench import dataset as synthetic
from bench import pages as page_bench
from bench import timing

from .bench_search import Command as SearchBenchCommand


class Command(SearchBenchCommand):
    help = (
        "Benchmark every page type (public, workspace, inbox, admin) on the search "
        "benchmark's dataset (built on first use), and write var/bench/pages.json."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--only",
            default="",
            help="Time only the pages whose label contains this text (case-insensitive).",
        )
        parser.set_defaults(
            runs=15, output=Path(settings.BASE_DIR) / "var" / "bench" / "pages.json"
        )

    def handle(self, *args, **options) -> None:
        name = options["database"]
        size = synthetic.DatasetSize()
        state, _migrated = self._use_dataset(name, size, rebuild=options["rebuild"])
        if state is None:
            state = self._build(size)
            self._set_state(name, state)
        elif options["refresh"]:
            state["refresh_seconds"] = self._refresh()
            self._set_state(name, state)
        else:
            self.stdout.write(f"Reusing the dataset in {name}.")
        self.stdout.write("Preparing users and access requests:")
        fixtures = page_bench.prepare(log=self.stdout.write)
        dataset = self._dataset(name, size, state)
        pages = [
            page
            for page in page_bench.bench_pages(fixtures)
            if options["only"].lower() in page.label.lower()
        ]
        self.stdout.write(f"\nTiming {len(pages)} pages, {options['runs']} runs each:")

        def progress(page, result) -> None:
            if isinstance(result, str):
                self.stdout.write(self.style.ERROR(f"  {page.label}: {result}"))
            else:
                self.stdout.write(
                    f"  {page.label}: {result.queries} queries, "
                    f"{result.median_ms:.1f} ms"
                )

        with timing.replay_connection(connection.settings_dict) as replay:
            results = page_bench.measure(
                pages, fixtures, runs=options["runs"], replay=replay, progress=progress
            )
        result = page_bench.report(dataset, results)
        self.stdout.write("\n" + page_bench.table(results) + "\n")
        if result["summary"]["missed"]:
            self.stdout.write(self.style.WARNING("Targets missed:"))
            for line in result["summary"]["missed"]:
                self.stdout.write(self.style.WARNING(f"  {line}"))
        else:
            self.stdout.write(self.style.SUCCESS("All targets met."))
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(json.dumps(result, indent=2) + "\n")
        self.stdout.write(f"Wrote {options['output']}")
