# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# t/lib/clone.sh: a second checkout of the tree under test, for the tests
# that build something twice and want the same bytes from another path.
#
#   is_checkout SRC          SRC is the top of a git checkout (not a
#                            directory inside one, as the release
#                            tarball's files are when script/deb builds
#                            the package under build/)
#   clone_checkout SRC DEST
#
# Clones the git checkout SRC into DEST (which must not exist) at SRC's
# HEAD commit, then carries over what SRC has not committed (changed,
# new and deleted files; ignored files stay behind), so the clone holds
# the very sources SRC holds, under another path. Returns 1, saying why
# on standard error, when SRC is not the top of a git checkout or a step
# fails.

is_checkout() {
	local top
	top=$(git -C "$1" rev-parse --show-toplevel 2>/dev/null) &&
		[[ $(cd "$top" && pwd -P) == "$(cd "$1" && pwd -P)" ]]
}

clone_checkout() {
	local src=$1 dest=$2 head f
	[[ $dest == /* ]] || dest=$PWD/$dest
	if ! is_checkout "$src" || ! head=$(git -C "$src" rev-parse --verify -q HEAD); then
		echo "clone_checkout: $src is not the top of a git checkout" >&2
		return 1
	fi
	git clone -q --no-checkout "$src" "$dest" &&
		git -C "$dest" checkout -q --detach "$head" || return 1
	while IFS= read -r -d '' f; do
		if [[ -e $src/$f || -L $src/$f ]]; then
			(cd "$src" && cp -a --parents -- "$f" "$dest") || return 1
		fi
	done < <(git -C "$src" ls-files -z -m -o --exclude-standard)
	while IFS= read -r -d '' f; do
		rm -f -- "$dest/$f"
	done < <(git -C "$src" ls-files -z -d)
	return 0
}
