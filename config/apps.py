"""The static files app, told which npm files to leave out."""

from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """Static files, without the parts of the npm packages no page loads.

    The atlases come with counties, land masses and other resolutions, tens
    of megabytes that collectstatic would otherwise copy and compress.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "counties-*.json",
        "land-*.json",
        "nation-*.json",
        "*-albers-*.json",
        "countries-10m.json",
        "countries-110m.json",
        "package.json",
        "README.md",
        "*.cjs.js",
        "*.esm.js",
        "*.d.ts",
    ]
