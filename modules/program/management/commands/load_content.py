from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from modules.program.languages import SOURCE_LANGUAGE
from modules.program.loader import ContentError, load_program, program_folders


class Command(BaseCommand):
    help = "Load program content folders (default: every modules/program/content/*/program.yaml). Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folders", nargs="*", help="program folders (each holding program.yaml)")

    def handle(self, *args: Any, **options: Any) -> None:
        folders = [Path(f) for f in options["folders"]] or program_folders()
        if not folders:
            self.stdout.write("No program content found.")
        for folder in folders:
            try:
                result = load_program(folder)
            except ContentError as exc:
                raise CommandError(str(exc)) from exc
            program = result.program
            verb = "Loaded" if result.created else "Unchanged"
            languages = ", ".join([SOURCE_LANGUAGE, *sorted(program.translations)])
            self.stdout.write(
                f"{verb}: {program.slug} v{program.version} ({program.modules.count()} modules; languages: {languages})"
            )
