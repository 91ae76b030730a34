# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# t/lib/prom.sh: a real Prometheus for the tests that check what it makes
# of inkwell's /metrics, rules and exporters. Source it after
# t/lib/tap.sh; the test stops $PROM_PID in its cleanup.
#
#   prom_start CONFIG DIR PORT  starts Debian's prometheus with CONFIG on
#                               127.0.0.1:PORT, its data and log in DIR;
#                               sets PROM_PID and PROM (its base URL)
#   prom_query count EXPR       "ok N": N results of an instant query
#   prom_query value EXPR       the one sample's value, else "none" or
#                               "many"
#                               (either: "error: ..." when the API says so)
# shellcheck disable=SC2034 # PROM_PID is the test's to stop

prom_start() { # CONFIG DIR PORT
	prometheus --config.file="$1" --storage.tsdb.path="$2/tsdb" \
		--web.listen-address="127.0.0.1:$3" >"$2/prometheus.log" 2>&1 &
	PROM_PID=$!
	PROM=http://127.0.0.1:$3
}

prom_query() { # count|value EXPR
	curl -s --max-time 5 --data-urlencode "query=$2" "$PROM/api/v1/query" |
		python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)
except ValueError:
    print("error: no JSON"); sys.exit()
if r.get("status") != "success":
    print("error:", r.get("error")); sys.exit()
res = r["data"]["result"]
if sys.argv[1] == "count":
    print("ok", len(res) if isinstance(res, list) else 1)
else:
    print("none" if not res else "many" if len(res) > 1 else res[0]["value"][1])' "$1"
}
