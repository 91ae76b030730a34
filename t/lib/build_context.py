#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# t/lib/build_context.py IGNOREFILE < FILES: print each file (one path a
# line on stdin, relative to the context's top) that the ignore file
# leaves out of a container build context.
#
# The rules are those of a .dockerignore, as BuildKit and podman read it:
# one pattern a line, "#" lines and blank lines skipped, a leading "!"
# takes files back in, the last pattern that matches decides, "**" matches
# any number of directories, "*" and "?" stay within one name, and a
# pattern that matches a directory matches everything below it.
import re
import sys


def compile_pattern(p):
    out = ""
    i = 0
    while i < len(p):
        c = p[i]
        if p.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
            continue
        if p.startswith("**", i):
            out += ".*"
            i += 2
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            j = p.find("]", i)
            if j < 0:
                out += re.escape(c)
            else:
                out += "[" + p[i + 1:j].replace("!", "^", 1) + "]"
                i = j
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + r"\Z")


def read_rules(path):
    rules = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            neg = line.startswith("!")
            if neg:
                line = line[1:].strip()
            line = line.strip("/")
            if line.startswith("./"):
                line = line[2:]
            rules.append((neg, compile_pattern(line)))
    return rules


def excluded(rules, path):
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    out = False
    for neg, rx in rules:
        if any(rx.match(p) for p in prefixes):
            out = not neg
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: build_context.py IGNOREFILE < FILES")
    rules = read_rules(sys.argv[1])
    for line in sys.stdin:
        path = line.rstrip("\n")
        if path and excluded(rules, path):
            print(path)


if __name__ == "__main__":
    main()
