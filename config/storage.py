"""Static files storage for production: WhiteNoise's compressed, hashed files, with the web app's
ES module imports (`import ... from "./api.js"`) rewritten to hashed names too, so that every file
of one release is cached for good and no browser ever mixes two releases' modules."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
