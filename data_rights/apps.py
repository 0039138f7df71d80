from django.apps import AppConfig


class DataRightsConfig(AppConfig):
    """My data, erasure and retention: above every app whose rows it reaches, so
    `teams` and `meetings` import none of it (docs/architecture.md, Layout)."""

    name = "data_rights"
    verbose_name = "Data rights"
