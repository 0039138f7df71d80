"""Draw the home-screen icons (static/images/icon-192.png, icon-512.png) from favicon.svg.

Run once after changing the favicon; the PNGs are committed. Chromium draws the
SVG, so no image library needs to understand SVG:

    .venv/bin/python scripts/make-icons.py
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

IMAGES = Path(__file__).resolve().parent.parent / "static" / "images"
SIZES = (192, 512)  # what Chromium's installability check asks for

svg = (IMAGES / "favicon.svg").read_text()
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    for size in SIZES:
        page = browser.new_page(viewport={"width": size, "height": size})
        sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
        page.set_content(f"<body style='margin:0'>{sized}</body>")
        page.screenshot(path=str(IMAGES / f"icon-{size}.png"), omit_background=True)
    browser.close()
