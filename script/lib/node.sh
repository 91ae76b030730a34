# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# script/lib/node.sh: the npm packages inkwell's tests use (t/node/:
# playwright-core, which drives Debian's Chromium, axe-core, which the
# browser tests run in the pages for accessibility, swagger-cli, which
# validates static/openapi.json, and @cdktf/hcl2json, which parses
# terraform/ for t/7101 and t/7102). Sourced by script/test (and by any
# script that needs them); needs bash and "set -euo pipefail".
#
#   node_setup BUILD   installs t/node/package-lock.json into BUILD/t/node
#                      (npm ci, only when package.json or the lock file
#                      changed since the last install), then exports
#                      INKWELL_NODE_MODULES (BUILD/t/node/node_modules) and
#                      NODE_PATH for the tests
#
# The packages live in the build directory, never in the source tree: a
# release tarball and "git status" stay clean, and "rm -rf build" removes
# them with everything else built. The stamp BUILD/t/node/.installed holds
# a digest of package.json and package-lock.json as last installed; npm's
# output is kept in BUILD/t/node/npm-ci.log.
#
# Nothing downloads a browser: install scripts do not run
# (--ignore-scripts), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 is exported as well,
# and the tests start /usr/bin/chromium from the Debian package.

node_say() { printf '==> %s\n' "$*" >&2; }
node_die() {
	printf 'node: error: %s\n' "$*" >&2
	exit 1
}

node_setup() {
	local build=${1:?node_setup needs the build directory} repo src dir want
	repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	src=$repo/t/node
	dir=$build/t/node

	local c
	for c in node npm; do
		command -v "$c" >/dev/null 2>&1 ||
			node_die "'$c' not found: run script/bootstrap (as root) first"
	done
	[[ -f $src/package.json && -f $src/package-lock.json ]] ||
		node_die "$src/package.json or package-lock.json is missing"

	export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
	want=$(cat "$src/package.json" "$src/package-lock.json" | sha256sum)
	want=${want%% *}
	if [[ -d $dir/node_modules && -f $dir/.installed &&
		$(<"$dir/.installed") == "$want" ]]; then
		node_say "npm packages for the tests are current ($dir/node_modules)"
	else
		mkdir -p "$dir"
		rm -f "$dir/.installed"
		# A build in the source tree installs next to the lock file.
		if [[ $dir != "$src" ]]; then
			cp "$src/package.json" "$src/package-lock.json" "$dir/"
		fi
		node_say "npm ci in $dir (node $(node --version), npm $(npm --version))"
		if ! (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund) \
			>"$dir/npm-ci.log" 2>&1; then
			tail -n 20 "$dir/npm-ci.log" >&2 || true
			node_die "npm ci failed in $dir (log: $dir/npm-ci.log)"
		fi
		printf '%s\n' "$want" >"$dir/.installed"
	fi
	export INKWELL_NODE_MODULES=$dir/node_modules
	export NODE_PATH=$INKWELL_NODE_MODULES${NODE_PATH:+:$NODE_PATH}
}
