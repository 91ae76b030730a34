# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# t/lib/workers.sh: the test stack's inkwelld supervisor and its workers,
# for tests that reload or count them. Source it after t/lib/tap.sh.
#
#   workers_init     SUP, the supervisor's PID from $INKWELL_TEST_PIDFILE
#                    (the test is skipped without a live one), and
#                    NWORKERS, how many workers serve now
#   workers          the supervisor's live children, one PID a line
#   reloaded BEFORE  true once NWORKERS workers run and none is in BEFORE
#   reload           SIGHUP, then waits (up to 20 s) until every worker
#                    is a new one
# shellcheck disable=SC2034 # NWORKERS is the test's to read

workers_init() {
	SUP=$(head -n 1 "$INKWELL_TEST_PIDFILE" 2>/dev/null | tr -dc '0-9')
	if [[ -z $SUP ]] || ! kill -0 "$SUP" 2>/dev/null; then
		skip_all "no running inkwelld in $INKWELL_TEST_PIDFILE"
	fi
	command -v pgrep >/dev/null || skip_all "no pgrep"
	NWORKERS=$(workers | wc -l)
}

# A worker that has exited but not yet been reaped is not serving.
workers() {
	local pid
	for pid in $(pgrep -x -P "$SUP" inkwelld 2>/dev/null); do
		[[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) == Z ]] || echo "$pid"
	done | sort -n
}

reloaded() { # BEFORE
	local now
	now=$(workers)
	[[ $(wc -l <<<"$now") -ge $NWORKERS ]] && ! grep -qxF -f <(printf '%s\n' "$1") <<<"$now"
}

reload() {
	local before
	before=$(workers)
	kill -HUP "$SUP"
	wait_for 20 reloaded "$before"
}
