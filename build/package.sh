#!/usr/bin/env bash
# Builds the appliance packages (.deb and AppImage) from a clean checkout with dependencies installed:
#   1. bundles (build/build.ts) into dist/: the box CLI and the kiosk app;
#   2. better-sqlite3 rebuilt against Electron's headers, so the kiosk app and the agent (Electron in Node mode) share
#      one native build. node-hid needs nothing: its prebuilt binaries use N-API, the same for Node and Electron;
#   3. electron-builder with electron-builder.yml;
#   4. better-sqlite3 rebuilt back for this machine's Node, so tests keep working.
#
# Why explicit headers: this machine's npm config sets nodedir=/usr, and npm passes it to node-gyp as npm_config_nodedir,
# which wins over --target: a plain `npm rebuild` would silently build for Node's ABI and the kiosk would fail to load
# the module. So the Electron headers are fetched into their own folder and handed over with --nodedir, and the
# variable is removed from the environment.
#
# usage: build/package.sh [--dry-run]     --dry-run prints the commands instead of running them.
# env:   ARCH (x64), ELECTRON_GYP_DIR (~/.electron-gyp), ELECTRON_MIRROR_HEADERS (https://electronjs.org/headers),
#        ELECTRON_DIST (an unpacked Electron to package instead of downloading one)
set -euo pipefail
cd "$(dirname "$0")/.."

dry_run=0
if [ "${1:-}" = "--dry-run" ]; then
  dry_run=1
elif [ $# -gt 0 ]; then
  echo "usage: build/package.sh [--dry-run]" >&2
  exit 2
fi

electron_version="$(node -p "require('electron/package.json').version")"
arch="${ARCH:-x64}"
gyp_dir="${ELECTRON_GYP_DIR:-$HOME/.electron-gyp}"
headers_url="${ELECTRON_MIRROR_HEADERS:-https://electronjs.org/headers}"
headers_dir="$gyp_dir/$electron_version"
node_gyp="$PWD/node_modules/.bin/node-gyp"

run() {
  if [ "$dry_run" = 1 ]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

restore_node_build() {
  # Back to this machine's Node ABI (npm's own nodedir setting is right for that).
  echo "== better-sqlite3 back to Node $(node -v)"
  run npm rebuild better-sqlite3 --build-from-source
}

echo "== SeatPilot packages: Electron $electron_version, $arch"

echo "== bundles"
run node bin/run-ts.mjs build/build.ts

echo "== better-sqlite3 for Electron $electron_version"
run "$node_gyp" install --target="$electron_version" --dist-url="$headers_url" --devdir="$gyp_dir" --arch="$arch" --ensure
if [ "$dry_run" = 0 ]; then
  trap restore_node_build EXIT
fi
run env -u npm_config_nodedir -C node_modules/better-sqlite3 \
  "$node_gyp" rebuild --release --runtime=electron --target="$electron_version" --dist-url="$headers_url" \
  --nodedir="$headers_dir" --arch="$arch"

echo "== electron-builder"
builder_args=(--linux deb AppImage --"$arch" --config electron-builder.yml --publish never)
if [ -n "${ELECTRON_DIST:-}" ]; then
  builder_args+=(-c.electronDist="$ELECTRON_DIST")
fi
run npx --no-install electron-builder "${builder_args[@]}"

if [ "$dry_run" = 1 ]; then
  restore_node_build
fi
echo "== packages in dist/packages"
