from django.apps import AppConfig


class DevdataConfig(AppConfig):
    """Demo and scale data for development, tests and `make bench`: seed_demo,
    seed_scale and bench_dashboard. It sits above every other app and no app
    imports it. Installed everywhere; the seeding commands refuse without DEBUG
    (or --force), since they make accounts with a published password."""

    name = "devdata"
    verbose_name = "Development data"
