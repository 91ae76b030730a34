#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 0007-durability: a write inkwell acknowledged is on disk. No
# configuration inkwell ships or generates turns synchronous_commit, fsync
# or full_page_writes off: the Debian package (which leaves Debian's
# PostgreSQL settings alone), the container's compose files and the
# stand-ins of its tests, Terraform's database module, the stacks of
# script/server and script/test (script/lib/stack.sh) and the test
# helpers. Only script/bench (and its seed file) may, and its report
# says so.
#
# Every text file of the tree outside build/, var/ and the prose (*.md)
# is read line by line; a comment line does not count. What counts as
# turning durability off: one of the three settings given off (or
# false, no, 0) in a configuration file, a -c option, SET or ALTER
# SYSTEM; postgres's -F (fsync off); or the stack's knobs that do it
# (STACK_FAST_PG=1, STACK_ASYNC_COMMIT=1). A finding fails with its file
# and line.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}

# The benchmark alone trades durability for speed.
ALLOWED=(script/bench script/lib/bench-seed.sql)

# The patterns, built from parts so that this file does not match them.
off="'?(off|false|no|0)'?([^A-Za-z0-9_]|\$)"
setting="(synchronous_commit|fsync|full_page_writes)"
RX_SETTING="(^|[^A-Za-z0-9_])$setting([[:space:]]*=[[:space:]]*|[[:space:]]+[Tt][Oo][[:space:]]+|[[:space:]]+)$off"
RX_KNOB="STACK_(FAST_PG|ASYNC_COMMIT)=['\"]?1"
RX_FLAG="(postgres|pg_ctl|-o)[^#]*[[:space:]\"']-F([[:space:]\"']|\$)"

# scan FILE...: "path:line: text" for every finding (paths relative to
# $src); comment lines (#, ;, --, //) are skipped. The settings and the
# knobs in any case, postgres's -F as it is (-f is another option).
scan() {
	{
		grep -HInE -i -e "$RX_SETTING" -e "$RX_KNOB" -- "$@"
		# psql's -F is its field separator, not postgres's -F.
		grep -HInE -e "$RX_FLAG" -- "$@" | grep -v 'psql'
	} 2>/dev/null | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(#|;|--|//)' |
		sed "s|^$src/||" | LC_ALL=C sort -t: -k1,1 -k2,2n -u
}

# Every text file of the tree but the prose, what the build makes and
# what the stack keeps.
files=()
while IFS= read -r -d '' f; do
	files+=("$f")
done < <(find "$src" \( -name .git -o -name build -o -name var -o -name node_modules \
	-o -name 'autom4te.cache' \) -prune -o -type f ! -name '*.md' ! -name '*.png' \
	! -name '*.ico' ! -name '0007-durability.t' -print0 | LC_ALL=C sort -z)
ok "there are files to read (${#files[@]})" test "${#files[@]}" -gt 100

findings=$(scan "${files[@]}")
allowed() {
	local a
	for a in "${ALLOWED[@]}"; do
		[[ $1 == "$a":* ]] && return 0
	done
	return 1
}
bad=''
while IFS= read -r line; do
	[[ -n $line ]] || continue
	allowed "$line" || bad+=$line$'\n'
done <<<"$findings"

# One check per place that ships or generates a configuration, so the
# failure says where; then everything else.
declare -A AREA=(
	[debian]="the Debian package (debian/)"
	[deploy]="the container (deploy/)"
	[t/compose]="the compose file's stand-ins (t/compose/)"
	[terraform]="Terraform (terraform/)"
	[script]="script/server, script/test and their stack (script/)"
	[t]="the tests and their helpers (t/)"
)
rest=$bad
for a in debian deploy t/compose terraform script t; do
	mine=$(printf '%s' "$rest" | grep "^$a/" || true)
	rest=$(printf '%s' "$rest" | grep -v "^$a/" || true)
	is "$mine" "" "${AREA[$a]} turns no durability off"
	if_fail diag "every finding, file:line: text (only script/bench may)"
done
is "$rest" "" "nothing else turns durability off"


# The patterns find what they must, and not more: each a line of a
# configuration, a command or prose.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
i=0
while IFS='|' read -r want text; do
	i=$((i + 1))
	printf '%s\n' "$text" >"$probe/case$i"
	got=$(scan "$probe/case$i")
	if [[ $want == hit ]]; then
		ok "found: $text" test -n "$got"
	else
		is "$got" "" "not a finding: $text"
	fi
done <<'EOF'
hit|synchronous_commit = off
hit|fsync=off
hit|full_page_writes = 'off'
hit|	fsync = false
hit|SET synchronous_commit TO off;
hit|ALTER SYSTEM SET fsync = 0;
hit|postgres -c synchronous_commit=off -c port=5432
hit|    command: ["postgres", "-c", "fsync=off"]
hit|pg_ctl -o "-F -p 5433" start
hit|STACK_FRESH_DB=1 STACK_FAST_PG=1
hit|export STACK_ASYNC_COMMIT=1
hit|PGOPTIONS='-c synchronous_commit=off' psql
miss|synchronous_commit = on
miss|fsync = on
miss|synchronous_commit = remote_apply
miss|SET synchronous_commit = on;
miss|	fsync = $fast
miss|# fsync = off in a comment
miss|; synchronous_commit = off in an INI comment
miss|-- SET synchronous_commit = off in SQL's
miss|STACK_FAST_PG=0
miss|fsync_offset = 1
miss|wal_sync_method = fdatasync
EOF

# Where the settings are given, they are given on.
tpl=$src/terraform/modules/database/files/postgresql-inkwell.conf.tftpl
for s in synchronous_commit fsync full_page_writes; do
	ok "Terraform's database module: $s = on" grep -qx "$s = on" "$tpl"
done
stack=$src/script/lib/stack.sh
ok "script/lib/stack.sh starts from on (fast=on sync=on)" grep -qE '^[[:space:]]*local fast=on sync=on$' "$stack"
for s in "synchronous_commit = \$sync" "fsync = \$fast" "full_page_writes = \$fast"; do
	ok "and writes $s into the stack's PostgreSQL configuration" grep -qxF "		$s" "$stack"
done
ok "the Debian package sets nothing of PostgreSQL's (nothing in debian/ names postgresql.conf, /etc/postgresql or ALTER SYSTEM)" \
	test -z "$(grep -rlE 'postgresql\.conf|/etc/postgresql|ALTER SYSTEM' "$src/debian")"
unlike "$(sed -n '/^  postgres:$/,/^  [a-z]/p' "$src/deploy/container/compose.yaml")" "command:" \
	"the compose file's PostgreSQL runs with the image's settings (durable)"

# The benchmark says what it trades.
bench=$src/script/bench
ok "script/bench turns durability off (STACK_ASYNC_COMMIT=1 STACK_FAST_PG=1)" \
	grep -qE '^STACK_FRESH_DB=1 STACK_FAST_PG=1 STACK_ASYNC_COMMIT=1' "$bench"
ok "and its report says so" grep -qE "^printf 'durability off for speed: PostgreSQL runs with synchronous_commit = off and fsync = off" "$bench"
done_testing
