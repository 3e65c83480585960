import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from catalogue.models import Infrastructure, Region
from imports.models import ColumnMapping, ImportJob, NewListingStatus
from imports.reading import SpreadsheetError, read_spreadsheet
from imports.services import (
    guess_mapping,
    import_job_left_out,
    import_job_run,
    missing_fields,
)

UNIQUIP, GUESS = "uniquip", "guess"
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import a large CSV or XLSX file into the catalogue with a saved column "
        "mapping (or --mapping uniquip for a UNIQUIP file, or --mapping guess to map "
        "columns by their names), chunk by chunk."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--mapping",
            required=True,
            help="name of a saved column mapping, 'uniquip', or 'guess' (columns "
            "mapped by their names; see --kind)",
        )
        parser.add_argument(
            "--kind",
            choices=[kind for kind in ImportJob.Kind.values if kind != UNIQUIP],
            default=ImportJob.Kind.INFRASTRUCTURES,
            help="records in the file, with --mapping guess",
        )
        parser.add_argument(
            "--listing",
            help="key of the listing that equipment rows naming none belong to",
        )
        parser.add_argument(
            "--accept-duplicates",
            action="store_true",
            help="also import new rows that look like existing listings",
        )
        parser.add_argument(
            "--left-out",
            type=Path,
            help="write the rows left out, with their reasons, to this CSV file",
        )
        parser.add_argument(
            "--region",
            help="NUTS code: the mapping's region if several have that name; "
            "the region of new UNIQUIP facilities",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change only"
        )
        parser.add_argument(
            "--status",
            choices=NewListingStatus.values,
            default=NewListingStatus.PENDING,
            help="status of new listings",
        )
        parser.add_argument(
            "--user",
            help="email of the importer: recorded, and only their regions accepted",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            columns, _rows = read_spreadsheet(path, path.name)
        except SpreadsheetError as error:
            raise CommandError(str(error)) from error
        user = self._user(options["user"])
        job = ImportJob(
            file_name=path.name,
            columns=columns,
            new_status=options["status"],
            dry_run=options["dry_run"],
            created_by=user,
            status=ImportJob.Status.QUEUED,
            accept_duplicates=options["accept_duplicates"],
            infrastructure=self._listing(options["listing"]),
        )
        if options["mapping"] in (UNIQUIP, GUESS):
            kind = UNIQUIP if options["mapping"] == UNIQUIP else options["kind"]
            job.kind, job.region = kind, self._region(options)
            job.mapped_columns = guess_mapping(job.kind, columns)
            missing = missing_fields(kind, list(job.mapped_columns.values()))
            if missing:
                raise CommandError(
                    f"No column of the file names: {', '.join(missing)}; save a "
                    "column mapping in the admin and give its name."
                )
        else:
            mapping = self._mapping(options["mapping"], options["region"])
            job.kind, job.region, job.mapping = mapping.kind, mapping.region, mapping
            job.mapped_columns = mapping.columns
        job.save()
        job = import_job_run(job=job, path=path, progress=self._progress)
        self.stderr.write("")
        self._report(job)
        if options["left_out"]:
            rows = list(import_job_left_out(job, path))
            with open(options["left_out"], "w", newline="", encoding="utf-8-sig") as f:
                csv.writer(f).writerows(rows)
            self.stdout.write(
                f"Wrote {max(len(rows) - 1, 0)} left-out rows to {options['left_out']}."
            )

    def _listing(self, key: str | None) -> Infrastructure | None:
        if not key:
            return None
        found = Infrastructure.objects.filter(slug=key).first()
        if found is None:
            raise CommandError(f"No listing has the key {key}.")
        return found

    def _user(self, email: str | None) -> User | None:
        if not email:
            return None
        try:
            return User.objects.get(email__iexact=email)
        except User.DoesNotExist:
            raise CommandError(f"No user with the email {email}.") from None

    def _region(self, options: dict) -> Region:
        if not options["region"]:
            raise CommandError(
                "--mapping uniquip or guess needs --region (where rows without one go)."
            )
        try:
            return Region.objects.get(code=options["region"].upper())
        except Region.DoesNotExist:
            raise CommandError(f"Unknown region {options['region']}.") from None

    def _mapping(self, name: str, region: str | None) -> ColumnMapping:
        mappings = ColumnMapping.objects.filter(name=name)
        if region:
            mappings = mappings.filter(region_id=region.upper())
        found = list(mappings[:2])
        if not found:
            raise CommandError(f"No column mapping named “{name}”.")
        if len(found) > 1:
            raise CommandError(
                f"Several regions have a mapping “{name}”: give --region."
            )
        return found[0]

    def _progress(self, job: ImportJob) -> None:
        done = BAR_WIDTH * job.percent // 100
        bar = "#" * done + "." * (BAR_WIDTH - done)
        self.stderr.write(
            f"\r[{bar}] {job.percent:3d}% {job.processed_rows}/{job.total_rows} rows",
            ending="",
        )
        sys.stderr.flush()

    def _report(self, job: ImportJob) -> None:
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.message)
        verb = "Would import" if job.dry_run else "Imported"
        self.stdout.write(
            f"{verb} {job.total_rows} rows: {job.new_count} new, "
            f"{job.updated_count} updated, {job.unchanged_count} unchanged, "
            f"{job.error_count} with errors (import {job.pk})."
        )
        for group in job.error_groups:
            rows = ", ".join(str(error["row"]) for error in group["examples"])
            more = "…" if group["count"] > len(group["examples"]) else ""
            self.stdout.write(
                f"  left out, {group['count']} rows (rows {rows}{more}): {group['reason']}"
            )
        for duplicate in job.duplicates[:20]:
            self.stdout.write(
                f"  row {duplicate['row']}: possibly “{duplicate['existing_name']}” "
                f"(listing {duplicate['existing_pk']}); --accept-duplicates imports it"
            )
        if job.incomplete_count:
            self.stdout.write(
                f"  {job.incomplete_count} incomplete listings (drafts if new and "
                "missing a host, city, summary or contact email)"
            )
        for what, count in job.cleaned.items():
            self.stdout.write(f"  cleaned {what}: {count} rows")
        for column, values in job.tags_unmatched.items():
            listed = ", ".join(
                item["value"]
                + (
                    f" (closest: {item['suggestion']})"
                    if item.get("suggestion")
                    else ""
                )
                for item in values[:10]
            )
            self.stdout.write(f"  unmatched {column}: {listed}")
        if job.placed_at_country_level:
            listed = ", ".join(
                f"{item['value']} (rows {', '.join(map(str, item['rows']))})"
                for item in job.placed_at_country_level[:10]
            )
            self.stdout.write(f"  placed at country level: {listed}")
