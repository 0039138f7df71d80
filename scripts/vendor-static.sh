#!/usr/bin/env bash
# Copy the built nhsuk-frontend and Workbox files from node_modules/ into
# static/vendor/.
#
#   npm ci && scripts/vendor-static.sh
#
# The copies are committed, so running the app never needs Node, and nothing is
# ever loaded from a CDN.
#
# nhsuk-frontend: only what the pages load is kept: the minified CSS, the ES
# module bundle, their source maps (ManifestStaticFilesStorage rewrites
# sourceMappingURL comments, so collectstatic fails if a map is missing) and the
# assets the CSS points at. No Sass sources, no NHS logo favicons (the service
# is not branded as NHS).
#
# KEEP_NHS_FONTS=1 keeps the @font-face rules that load Frutiger from
# https://assets.nhs.uk. By default they are removed: a third-party request on
# every page would leak who uses the service and needs a CSP exception, and the
# design system's font stack falls back to Arial.
#
# Workbox: the production builds of the modules the service worker imports
# (templates/offline/sw.js, by their hashed names), with their source maps.
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

# Workbox, for the service worker. Each *.prod.js build is a classic script that
# registers itself as self.workbox.<module> and finds the modules it needs there,
# so templates/offline/sw.js imports them in this order with importScripts().
# Not workbox-sw: its loader imports modules by their unhashed names.
workbox_modules=(core routing strategies precaching)
dest="$root/static/vendor/workbox"
wb_version="$(node -p "require('$root/node_modules/workbox-core/package.json').version")"

rm -rf "$dest"
mkdir -p "$dest"
for module in "${workbox_modules[@]}"; do
  build="$root/node_modules/workbox-$module/build/workbox-$module.prod.js"
  if [[ ! -f "$build" ]]; then
    echo "error: $build not found; run 'npm ci' in $root first" >&2
    exit 1
  fi
  module_version="$(node -p "require('$root/node_modules/workbox-$module/package.json').version")"
  if [[ "$module_version" != "$wb_version" ]]; then
    echo "error: workbox-$module is $module_version, workbox-core $wb_version" >&2
    exit 1
  fi
  # The worker relies on this: fail if a new version loads differently.
  if ! head -c 200 "$build" | grep -q "this\.workbox\.$module=function"; then
    echo "error: $build does not register itself as self.workbox.$module" >&2
    exit 1
  fi
  if grep -q 'importScripts' "$build"; then
    echo "error: $build imports scripts itself" >&2
    exit 1
  fi
  # The map too: collectstatic fails on a sourceMappingURL to a missing file.
  cp "$build" "$build.map" "$dest/"
done

names="$(printf 'workbox-%s, ' "${workbox_modules[@]}")"
cat > "$dest/VERSION" <<VERSION
workbox $wb_version (MIT licence, copyright Google LLC), copied by scripts/vendor-static.sh:
the production builds of ${names%, }
VERSION

echo "workbox $wb_version copied to ${dest#"$root"/}:"
(cd "$dest" && find . -type f | sort | xargs du -h)
