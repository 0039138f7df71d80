"""Re-encrypt every encrypted field with the newest key in FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones
after it), restart, run this command, then remove the old keys.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import models, transaction

from reflections.fields import EncryptedTextField


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


class Command(BaseCommand):
    help = "Re-encrypt all encrypted text with the newest key in FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: object, batch_size: int, **options: object) -> None:
        for model, names in encrypted_fields():
            count = 0
            # Reading decrypts with whichever key fits; saving encrypts with the newest.
            rows = model._default_manager.only("pk", *names).order_by("pk").iterator(batch_size)
            batch: list[models.Model] = []
            for row in rows:
                batch.append(row)
                if len(batch) == batch_size:
                    count += self._save(model, batch, names)
                    batch = []
            count += self._save(model, batch, names)
            self.stdout.write(f"{model._meta.label}: re-encrypted {count} rows.")

    @staticmethod
    def _save(model: type[models.Model], batch: list[models.Model], names: list[str]) -> int:
        with transaction.atomic():
            model._default_manager.bulk_update(batch, names)
        return len(batch)
