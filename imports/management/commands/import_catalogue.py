import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from catalogue.models import Region
from imports.models import ColumnMapping, ImportJob, NewListingStatus
from imports.reading import SpreadsheetError, read_spreadsheet
from imports.services import guess_mapping, import_job_run

UNIQUIP = "uniquip"
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import a large CSV or XLSX file into the catalogue with a saved column "
        "mapping (or --mapping uniquip for a UNIQUIP file), chunk by chunk."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--mapping",
            required=True,
            help="name of a saved column mapping, or 'uniquip'",
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
        )
        if options["mapping"] == UNIQUIP:
            job.kind, job.region = ImportJob.Kind.UNIQUIP, self._region(options)
            job.mapped_columns = guess_mapping(job.kind, columns)
        else:
            mapping = self._mapping(options["mapping"], options["region"])
            job.kind, job.region, job.mapping = mapping.kind, mapping.region, mapping
            job.mapped_columns = mapping.columns
        job.save()
        job = import_job_run(job=job, path=path, progress=self._progress)
        self.stderr.write("")
        self._report(job)

    def _user(self, email: str | None) -> User | None:
        if not email:
            return None
        try:
            return User.objects.get(email__iexact=email)
        except User.DoesNotExist:
            raise CommandError(f"No user with the email {email}.") from None

    def _region(self, options: dict) -> Region:
        if not options["region"]:
            raise CommandError("A UNIQUIP import needs --region.")
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
        for error in job.errors[:20]:
            column = f" [{error['column']}]" if error["column"] else ""
            self.stdout.write(f"  row {error['row']}{column}: {error['message']}")
        for column, values in job.tags_unmatched.items():
            listed = ", ".join(item["value"] for item in values[:10])
            self.stdout.write(f"  unmatched {column}: {listed}")
        if job.placed_at_country_level:
            listed = ", ".join(
                f"{item['value']} (rows {', '.join(map(str, item['rows']))})"
                for item in job.placed_at_country_level[:10]
            )
            self.stdout.write(f"  placed at country level: {listed}")
