#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Source policy checks over the repository (no running stack needed):
#   - every src/*.c, src/*.h and t/**/*.c starts with an SPDX line;
#   - PQexec( only in src/db_migrate.c (the migration runner executes
#     multi-statement SQL embedded at build time; everything else uses
#     PQexecParams/PQexecPrepared);
#   - no printf-family call builds SQL;
#   - handlers (src/h_*.c) never read raw FastCGI params and never talk to
#     libpq or hiredis directly;
#   - shell tests and scripts are executable (prove runs them directly).
# Files: tracked plus untracked-but-not-ignored (git), or a plain find when
# the tree is not a git checkout.
# shellcheck disable=SC2317 # helpers are called through ok
set -euo pipefail

# shellcheck source=t/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

SRC=${INKWELL_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$SRC"

# Only when SRC is the top of a checkout: a release tarball unpacked
# inside some other repository (as distcheck does) must not ask that one.
if [[ $(git rev-parse --show-toplevel 2>/dev/null) == "$(pwd -P)" ]]; then
	mapfile -t FILES < <(git ls-files --cached --others --exclude-standard | sort -u)
else
	mapfile -t FILES < <(find . -path ./var -prune -o -path ./.git -prune -o \
		-type f -print | sed 's|^\./||' | sort)
fi
((${#FILES[@]})) || skip_all "no files found under $SRC"

# only GLOB...: the listed files (that exist) matching any of the globs.
only() {
	local f g
	for f in "${FILES[@]}"; do
		[[ -f $f ]] || continue
		for g in "$@"; do
			# shellcheck disable=SC2053 # glob match on purpose
			if [[ $f == $g ]]; then
				printf '%s\n' "$f"
				break
			fi
		done
	done
}

# offenders NAME LIST: pass when LIST (newline-separated) is empty,
# otherwise fail and show it.
offenders() {
	local name=$1 list=$2
	if [[ -z $list ]]; then
		pass "$name"
	else
		fail "$name"
		diag "$list"
	fi
}

mapfile -t C_SRC < <(only 'src/*.c' 'src/*.h')
# (in [[ == ]] patterns "*" also matches "/": t/*.c is every .c under t/)
mapfile -t C_TESTS < <(only 't/*.c')
mapfile -t HANDLERS < <(only 'src/h_*.c')

# grep_in PATTERN FILE...: "file:line: text" for every match (ERE).
grep_in() {
	local pat=$1
	shift
	(($#)) || return 0
	grep -nE -- "$pat" "$@" /dev/null || true
}

# --- SPDX -----------------------------------------------------------------
bad=
for f in "${C_SRC[@]}" "${C_TESTS[@]}"; do
	[[ -n $f ]] || continue
	head -n 1 "$f" | grep -q 'SPDX-License-Identifier: ' || bad+="$f"$'\n'
done
offenders "every src/*.[ch] and t/**/*.c starts with an SPDX-License-Identifier line" "${bad%$'\n'}"

# --- PQexec( ----------------------------------------------------------------
list=$(grep_in 'PQexec[[:space:]]*\(' "${C_SRC[@]}" | grep -v '^src/db_migrate\.c:' || true)
offenders "PQexec( appears only in src/db_migrate.c (use PQexecParams)" "$list"

# --- printf-family building SQL -------------------------------------------
# A line with a *printf call and an SQL verb (upper case, as inkwell writes
# SQL) is SQL built by formatting: use parameters ($1, $2, ...).
list=$(grep_in '[A-Za-z_]*printf[[:space:]]*\(' "${C_SRC[@]}" |
	grep -E '\b(SELECT|INSERT|UPDATE|DELETE)\b' || true)
offenders "no printf-family call builds SQL" "$list"

# --- handlers -------------------------------------------------------------
list=$(grep_in 'FCGX_GetParam' "${HANDLERS[@]}")
offenders "handlers (src/h_*.c) never call FCGX_GetParam" "$list"

list=$(grep_in '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](libpq-fe\.h|hiredis)' "${HANDLERS[@]}")
offenders "handlers (src/h_*.c) include neither libpq-fe.h nor hiredis" "$list"

# --- executables ----------------------------------------------------------
bad=
while IFS= read -r f; do
	[[ -z $f || -x $f ]] || bad+="$f"$'\n'
done < <(printf '%s\n' "${FILES[@]}" | grep -E '^(t/[^/]+\.t|script/[^/]+|\.ci/run)$' || true)
offenders "t/*.t, script/* and .ci/run are executable" "${bad%$'\n'}"

note "checked ${#C_SRC[@]} C sources, ${#C_TESTS[@]} C test files, ${#HANDLERS[@]} handlers"
done_testing
