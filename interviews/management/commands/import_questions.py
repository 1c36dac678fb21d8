from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interviews.bank import question_import_csv


class Command(BaseCommand):
    help = (
        "Import questions from a CSV file with the header position,question,topic,example_answer "
        "(and optionally language). Bad rows are reported by line number and skipped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--language", choices=["en", "ko"], help="language of rows without a language column")

    def handle(self, *args, file: Path, language: str | None, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        report = question_import_csv(data=file.read_bytes(), default_language=language)
        for line, problem in report.errors:
            self.stderr.write(f"{file}:{line}: {problem}")
        self.stdout.write(
            f"Imported {report.imported} question(s); skipped {report.duplicates} duplicate(s) "
            f"and {len(report.errors)} bad row(s)."
        )
        if report.errors and not report.imported and not report.duplicates:
            raise CommandError("Nothing could be imported.")
