"""Static files in production: whitenoise's compressed, fingerprinted storage.

`collectstatic` writes each file under a name with its content's hash
(app.3f2a1c.js), plus .gz and .br copies; whitenoise serves those names with a
ten-year `Cache-Control: max-age, immutable`, since a changed file gets a new
name.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    # static/js/app.js is an ES module that imports nhsuk-frontend's module:
    # rewrite `import ... from "../vendor/..."` to the fingerprinted name too,
    # or the browser would fetch the unhashed file with a short cache lifetime.
    support_js_module_import_aggregation = True

    def url_converter(self, name, hashed_files, *args, **kwargs):
        convert = super().url_converter(name, hashed_files, *args, **kwargs)
        if not name.endswith(".js") or name.startswith("js/"):
            return convert

        # Other packages' scripts (django-htmx's extensions) have `import("../htmx")`
        # in JSDoc comments, which the import pattern mistakes for code: rewrite
        # only their source map links there, as Django does by default.
        def source_maps_only(matchobj):
            if "sourceMappingURL" in matchobj.group(0):
                return convert(matchobj)
            return matchobj.group(0)

        return source_maps_only
