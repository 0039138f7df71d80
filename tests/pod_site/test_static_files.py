"""Production's static files: collectstatic fingerprints and compresses them,
and app.js imports nhsuk-frontend's module under its fingerprinted name."""

import re

from django.core.management import call_command
from django.test import override_settings

from pod_site.settings import STORAGES


def test_collectstatic_fingerprints_and_rewrites_the_module_import(tmp_path):
    with override_settings(STORAGES=STORAGES, STATIC_ROOT=tmp_path):
        call_command("collectstatic", "--noinput", verbosity=0)

    app_js = [
        path for path in (tmp_path / "js").iterdir() if re.match(r"app\.\w{12}\.js$", path.name)
    ]
    assert len(app_js) == 1
    imported = re.search(r'from "\.\./vendor/nhsuk-frontend/([^"]+)"', app_js[0].read_text())
    assert imported and re.fullmatch(r"nhsuk-frontend\.min\.\w{12}\.js", imported.group(1))
    assert (tmp_path / "vendor/nhsuk-frontend" / imported.group(1)).exists()
    assert (tmp_path / "js" / f"{app_js[0].name}.gz").exists()
    css = next((tmp_path / "vendor/nhsuk-frontend").glob("nhsuk-frontend.min.*.css"))
    assert css.stat().st_size > 0
