#!/usr/bin/env bash
# Copy the built nhsuk-frontend files from node_modules/ into static/vendor/.
#
#   npm ci && scripts/vendor-static.sh
#
# The copies are committed, so running the app never needs Node. Only what the
# pages load is kept: the minified CSS, the ES module bundle, their source maps
# (ManifestStaticFilesStorage rewrites sourceMappingURL comments, so collectstatic
# fails if a map is missing) and the assets the CSS points at. No Sass sources,
# no NHS logo favicons (the service is not branded as NHS).
#
# KEEP_NHS_FONTS=1 keeps the @font-face rules that load Frutiger from
# https://assets.nhs.uk. By default they are removed: a third-party request on
# every page would leak who uses the service and needs a CSP exception, and the
# design system's font stack falls back to Arial.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/node_modules/nhsuk-frontend/dist/nhsuk"
dest="$root/static/vendor/nhsuk-frontend"

if [[ ! -d "$src" ]]; then
  echo "error: $src not found; run 'npm ci' in $root first" >&2
  exit 1
fi

version="$(node -p "require('$root/node_modules/nhsuk-frontend/package.json').version")"

rm -rf "$dest"
mkdir -p "$dest/assets"

cp "$src/nhsuk-frontend.min.js" "$src/nhsuk-frontend.min.js.map" "$dest/"
cp "$src/nhsuk-frontend.min.css.map" "$dest/"

# The CSS refers to its icons as /assets/images/..., which only works when the
# assets are served from the site root. Make them relative to the stylesheet.
sed -e 's#url(/assets/#url(assets/#g' "$src/nhsuk-frontend.min.css" > "$dest/nhsuk-frontend.min.css"

if [[ "${KEEP_NHS_FONTS:-0}" != "1" ]]; then
  # Each rule is a single @font-face{...} block with no nested braces.
  sed -i -e 's#@font-face{[^}]*https://assets\.nhs\.uk/fonts/[^}]*}##g' "$dest/nhsuk-frontend.min.css"
fi

# Copy exactly the assets the CSS references, and fail if one is missing.
grep -o 'url(assets/[^)]*)' "$dest/nhsuk-frontend.min.css" \
  | sed -e 's#^url(assets/##' -e 's#)$##' -e 's#["'"'"']##g' \
  | sort -u \
  | while read -r asset; do
      mkdir -p "$dest/assets/$(dirname "$asset")"
      cp "$src/assets/$asset" "$dest/assets/$asset"
    done

if grep -q 'url(/' "$dest/nhsuk-frontend.min.css"; then
  echo "error: absolute url(/...) left in $dest/nhsuk-frontend.min.css" >&2
  exit 1
fi

cat > "$dest/VERSION" <<VERSION
nhsuk-frontend $version (MIT licence), copied by scripts/vendor-static.sh
VERSION

echo "nhsuk-frontend $version copied to ${dest#"$root"/}:"
(cd "$dest" && find . -type f | sort | xargs du -h)
