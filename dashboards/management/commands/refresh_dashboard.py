from django.core.management.base import BaseCommand

from dashboards import rollup


class Command(BaseCommand):
    help = "Rebuild the dashboard's monthly rollup now (beat does it every 15 minutes)."

    def handle(self, *args: object, **options: object) -> None:
        run = rollup.refresh()
        self.stdout.write(f"Rollup refreshed: {run.figures:,} figures in {run.seconds:.1f} s.")
