#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the #include lines of src/ against src/LAYERS.

Usage: layers.py SRCDIR

Reads the layer table (layer, folder, the layers it may include), then
every #include "..." in SRCDIR's .c and .h files.  An include is resolved
as the compiler does with -Isrc: next to the including file first, then
from SRCDIR; one that names no file there (config.h, the generated
buildinfo.h) is not ours to judge.  Prints one line per finding:

  upward FILE:LINE: LAYER includes HEADER (LAYER)
  cycle A -> B -> ... -> A      (modules: a .c and its .h are one)
  unplaced FILE                 (a source file in no layer's folder)
  table ...                     (the table itself is wrong)

and last a summary line "files N, includes N, upward N, cycles N".
Exits 1 when there is any finding, 0 otherwise.
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_table(path):
    """[(layer, folder, set of may-include)] in file order, and findings."""
    rows, bad = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) < 3:
                bad.append("table %s:%d: want: layer folder may-include..."
                           % (path, n))
                continue
            may = set() if line[2:] == ["-"] else set(line[2:])
            rows.append((line[0], line[1], may))
    names = [r[0] for r in rows]
    for layer, _, may in rows:
        for m in sorted(may - set(names)):
            bad.append("table: %s may include unknown layer %s" % (layer, m))
    return rows, bad


def sources(top):
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(root, f), top)


def module(path):
    return os.path.splitext(path)[0]


def cycles(graph):
    """The strongly connected groups of more than one node, each as a
    closed path through it (Tarjan, then a walk inside the group)."""
    index, low, stack, on, groups = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    paths = []
    for group in groups:
        start = min(group)
        # a shortest way back to start, inside the group (breadth first)
        prev, todo = {start: None}, [start]
        found = None
        while todo and found is None:
            nxt = []
            for v in todo:
                for w in sorted(graph.get(v, ())):
                    if w not in group:
                        continue
                    if w == start:
                        found = v
                        break
                    if w not in prev:
                        prev[w] = v
                        nxt.append(w)
                if found is not None:
                    break
            todo = nxt
        path = [start]
        v = found
        while v is not None and v != start:
            path.append(v)
            v = prev[v]
        path = [start] + list(reversed(path[1:])) + [start]
        paths.append((path, len(group)))
    return paths


def main(argv):
    if len(argv) != 2:
        print("usage: layers.py SRCDIR", file=sys.stderr)
        return 2
    top = argv[1]
    rows, findings = read_table(os.path.join(top, "LAYERS"))
    layer_of = {folder: layer for layer, folder, _ in rows}
    may = {layer: m for layer, _, m in rows}

    def layer(path):
        return layer_of.get(path.split(os.sep, 1)[0]) if os.sep in path \
            else None

    graph, nfiles, nincludes, nup = {}, 0, 0, 0
    for path in sources(top):
        nfiles += 1
        mine = layer(path)
        if mine is None:
            findings.append("unplaced %s" % path)
            continue
        with open(os.path.join(top, path), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                name = m.group(1)
                here = os.path.normpath(
                    os.path.join(os.path.dirname(path), name))
                if os.path.isfile(os.path.join(top, here)):
                    target = here
                elif os.path.isfile(os.path.join(top, name)):
                    target = os.path.normpath(name)
                else:
                    continue
                nincludes += 1
                theirs = layer(target)
                if theirs is None:
                    findings.append("unplaced %s (included by %s:%d)"
                                    % (target, path, n))
                    continue
                if theirs != mine and theirs not in may[mine]:
                    nup += 1
                    findings.append("upward %s:%d: %s includes %s (%s)"
                                    % (path, n, mine, name, theirs))
                if module(target) != module(path):
                    graph.setdefault(module(path), set()).add(module(target))
    loops = cycles(graph)
    for path, size in loops:
        findings.append("cycle %s%s" % (" -> ".join(path),
                        "" if size == len(path) - 1 else
                        " (one of %d modules that reach each other)" % size))
    for line in findings:
        print(line)
    print("files %d, includes %d, upward %d, cycles %d"
          % (nfiles, nincludes, nup, len(loops)))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
