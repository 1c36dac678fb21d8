#!/usr/bin/env bash
# Refreshes the web app's vendored libraries in static/vendor/ from the npm registry, at the pinned
# versions below (change a version here, run this, commit the result). Needs npm; nothing else is
# fetched at run time: the app loads these files from our own static files, never from a CDN.
#   chart.js - the report's and progress page's charts (UMD build, MIT)
#   axe-core - accessibility checks, loaded only by the browser tests (MPL-2.0)
set -euo pipefail
cd "$(dirname "$0")/.."

CHARTJS_VERSION=4.6.1
AXE_CORE_VERSION=4.14.1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() {  # fetch <package> <version>: unpacks the registry's tarball into $work/<package>
    (cd "$work" && npm pack --silent "$1@$2" >/dev/null)
    mkdir -p "$work/$1"
    tar -xzf "$work/$1-$2.tgz" -C "$work/$1" --strip-components=1
}

fetch chart.js "$CHARTJS_VERSION"
rm -rf static/vendor/chartjs && mkdir -p static/vendor/chartjs
cp "$work/chart.js/dist/chart.umd.js" static/vendor/chartjs/chart.umd.js
# The build names its source map; collectstatic's manifest storage refuses a missing referenced file.
cp "$work/chart.js/dist/chart.umd.js.map" static/vendor/chartjs/chart.umd.js.map
cp "$work/chart.js/LICENSE.md" static/vendor/chartjs/LICENSE.md
echo "chart.js $CHARTJS_VERSION (npm), dist/chart.umd.js" > static/vendor/chartjs/VERSION

fetch axe-core "$AXE_CORE_VERSION"
rm -rf static/vendor/axe-core && mkdir -p static/vendor/axe-core
cp "$work/axe-core/axe.min.js" static/vendor/axe-core/axe.min.js
cp "$work/axe-core/LICENSE" static/vendor/axe-core/LICENSE
echo "axe-core $AXE_CORE_VERSION (npm), axe.min.js" > static/vendor/axe-core/VERSION

echo "Vendored chart.js $CHARTJS_VERSION and axe-core $AXE_CORE_VERSION into static/vendor/"
