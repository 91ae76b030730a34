#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# 0004-routes-documented: every route in src/serve/route.c's table is in the
# README's route table ("What the blog serves"), with its method, and
# every route under /api/ is an operation of the OpenAPI document
# (static/openapi.json). t/5003-openapi.t checks the other way: that
# every operation the document lists is routed.
#
# In the README a cell names routes as `PATH` (GET), `METHOD PATH`, or
# `METHOD`/`METHOD PATH` (both methods); a capture is a word in capitals
# (SLUG, NAME, YYYY), a query (?page=) is ignored. The admin pages are
# one row, `/admin`, which stands for every route under /admin/ (the
# section "Writing: the admin pages" describes them). No running stack
# needed.
set -euo pipefail

# shellcheck source=t/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"

SRC=${INKWELL_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
for f in src/serve/route.c README.md static/openapi.json; do
	[[ -f $SRC/$f ]] || skip_all "$f is not here"
done

python3 - "$SRC" <<'EOF'
import json, re, sys

src = sys.argv[1]
n = 0
failed = 0

def result(good, name, why=None):
    global n, failed
    n += 1
    print(("ok" if good else "not ok") + " %d - %s" % (n, name))
    if not good:
        failed += 1
        if why:
            print("# " + why, file=sys.stderr)

# The route table: { RM_GET, "/posts/{slug}", h_post, RF_CACHE },
table = open(src + "/src/serve/route.c").read()
table = table[table.index("routes[] = {"):]
table = table[:table.index("};")]
routes = []
for m in re.finditer(r'\{\s*(RM_[A-Z_| ]+?)\s*,\s*"([^"]+)"', table):
    for meth in m.group(1).split("|"):
        routes.append((meth.strip()[3:], m.group(2)))
result(len(routes) > 20, "src/serve/route.c's table read (%d routes)" % len(routes))

def shape(path):
    """A path with every capture as {}: /posts/{slug} and /posts/SLUG
    are both /posts/{}."""
    path = path.split("?")[0]
    return "/".join("{}" if re.fullmatch(r"\{\w+\}|[A-Z][A-Z_]*", s) else s
                    for s in path.split("/"))

# The README's route table: the rows of the first table after the heading.
readme = open(src + "/README.md").read()
sect = readme[readme.index("## What the blog serves"):]
sect = sect[:sect.index("\n## ", 3)]
documented = set()
for line in sect.splitlines():
    if not line.startswith("| `"):
        continue
    cell = line.split("|")[1]
    pending = []
    for tok in re.findall(r"`([^`]+)`", cell):
        words = tok.split()
        if len(words) == 1 and re.fullmatch(r"[A-Z]+", words[0]):
            pending.append(words[0])        # `PUT`/`DELETE /x`
            continue
        if len(words) == 2 and re.fullmatch(r"[A-Z]+", words[0]):
            meths, path = pending + [words[0]], words[1]
        elif len(words) == 1 and words[0].startswith("/"):
            meths, path = pending or ["GET"], words[0]
        else:
            pending = []
            continue
        for p in path.split(", "):
            for meth in meths:
                documented.add((meth, shape(p)))
        pending = []
result(len(documented) > 10, "README's route table read (%d routes)" % len(documented))

for meth, pat in routes:
    if pat == "/admin" or pat.startswith("/admin/"):
        good = ("GET", "/admin") in documented
    else:
        good = (meth, shape(pat)) in documented
    result(good, "README lists %s %s" % (meth, pat),
           None if good else "add it to the table under \"What the blog serves\"")

doc = json.load(open(src + "/static/openapi.json"))
ops = set()
for path, item in doc.get("paths", {}).items():
    for meth in item:
        ops.add((meth.upper(), shape(path)))
for meth, pat in routes:
    if not pat.startswith("/api/"):
        continue
    good = (meth, shape(pat)) in ops
    result(good, "the OpenAPI document has %s %s" % (meth, pat),
           None if good else "describe it in static/openapi.json")

print("1..%d" % n)
sys.exit(1 if failed else 0)
EOF
