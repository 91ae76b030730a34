# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# t/lib/tap.sh: a tiny Test Anything Protocol producer for inkwell's shell
# tests (t/*.t). Source it, then:
#
#   ok CMD...              passes when CMD exits 0
#   pass NAME / fail NAME  record a result directly
#   is GOT WANT NAME       string equality
#   like GOT REGEX NAME    bash regex match ([[ =~ ]])
#   unlike GOT REGEX NAME
#   if_fail CMD...         runs CMD when the previous check failed
#   diag TEXT...           a comment on stderr (shown by prove)
#   note TEXT...           a comment on stdout
#   skip_all REASON        "1..0 # SKIP REASON" and exit 0
#   need_env VAR...        skip_all unless every VAR is set
#   done_testing           prints the plan; exits 0 only if nothing failed
#
# Every function returns 0, so tests can run under "set -e".

TAP_RUN=0
TAP_FAILED=0
TAP_LAST=0

_tap_result() {
	local rc=$1 name=$2
	TAP_RUN=$((TAP_RUN + 1))
	name=${name//$'\n'/ }
	TAP_LAST=$rc
	if ((rc == 0)); then
		printf 'ok %d - %s\n' "$TAP_RUN" "$name"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		printf 'not ok %d - %s\n' "$TAP_RUN" "$name"
	fi
	return 0
}

pass() { _tap_result 0 "$1"; }
fail() { _tap_result 1 "$1"; }

# ok NAME CMD...
ok() {
	local name=$1 rc=0
	shift
	"$@" || rc=$?
	_tap_result "$rc" "$name"
}

is() {
	if [[ $1 == "$2" ]]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "     got: '$1'"
		diag "expected: '$2'"
	fi
}

like() {
	if [[ $1 =~ $2 ]]; then
		_tap_result 0 "$3"
	else
		_tap_result 1 "$3"
		diag "                  '$1'"
		diag "doesn't match     '$2'"
	fi
}

unlike() {
	if [[ $1 =~ $2 ]]; then
		_tap_result 1 "$3"
		diag "                  '$1'"
		diag "matches           '$2'"
	else
		_tap_result 0 "$3"
	fi
}

if_fail() {
	if ((TAP_LAST != 0)); then
		"$@" || true
	fi
	return 0
}

diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line" >&2
	done <<<"$*"
	return 0
}

note() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
	return 0
}

skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

need_env() {
	local v
	for v in "$@"; do
		[[ -n ${!v:-} ]] || skip_all "$v not set"
	done
}

# wait_for SECONDS CMD...: runs CMD every 100 ms until it succeeds or
# SECONDS have passed (then once more, whose status is returned).
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while ((SECONDS < deadline)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# tap_report MIN: reads a checker's report on stdin, one check a line,
# "PASS<TAB>name" or "FAIL<TAB>name<TAB>why", and makes each a test; a
# report of fewer than MIN checks is a failure of its own (a checker that
# stopped early must not pass).
tap_report() {
	local min=$1 status name why n=0
	while IFS=$'\t' read -r status name why; do
		n=$((n + 1))
		if [[ $status == PASS ]]; then
			pass "$name"
		else
			fail "$name"
			diag "  $why"
		fi
	done
	((n >= min)) || fail "the checker made only $n checks (at least $min expected)"
}

done_testing() {
	printf '1..%d\n' "$TAP_RUN"
	if ((TAP_FAILED)); then
		diag "failed $TAP_FAILED of $TAP_RUN"
		exit 1
	fi
	exit 0
}
