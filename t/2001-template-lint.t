#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# 2001-template-lint: the escaping rules of STYLE.md 6.7 over every theme
# template ($INKWELL_SRC/templates/**/*.mustache), one check per file per
# rule:
#   raw       {{{x}}} and {{& x}} only for names ending in _html (and no
#             {{= =}}, which would hide later tags from this lint);
#   script    no tag inside <script>/<style> (their open tags included)
#             or a style="" attribute;
#   event     no tag inside an on*= event handler attribute;
#   unquoted  no tag in an unquoted attribute value (a=b{{x}}, a={{x}}).
# Mustache comments are ignored, HTML comments only for the context rules.
# A self-test first runs the lint on bad snippets and asserts it catches
# each, so a clean theme cannot pass through a broken lint.
# shellcheck disable=SC2317 # helpers are called indirectly
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
SRC=${INKWELL_SRC:-$(cd "$here/.." && pwd)}

RULES=(raw script event unquoted)
declare -A WHAT=(
	[raw]='{{{ }}} and {{& }} only on names ending in _html'
	[script]='no tags inside <script>, <style> or style=""'
	[event]='no tags inside on*= event handler attributes'
	[unquoted]='no tags in unquoted attribute values'
)

# The lint: one "RULE<TAB>LINE<TAB>TAG" line per violation in its input.
# A small HTML tokenizer (text, comment, tag, attribute name and value
# states, raw text of script and style) in POSIX awk, so mawk will do.
IFS= read -r -d '' LINT_AWK <<'AWK' || true
function report(rule, ln, what) {
	printf "%s\t%d\t%s\n", rule, ln, what
}
function trim(x) {
	sub(/^[ \t\r\n]+/, "", x)
	sub(/[ \t\r\n]+$/, "", x)
	return x
}
function intag(st) {
	return st == "tag" || st == "aname" || st == "beforevalue" ||
	    st == "dq" || st == "sq" || st == "unq"
}
function invalue(st) {
	return st == "beforevalue" || st == "dq" || st == "sq" ||
	    st == "unq"
}
{ buf = buf $0 "\n" }
END {
	s = buf; low = tolower(s); n = length(s)
	ln = 1; st = "text"; tn = ""; an = ""; i = 1
	while (i <= n) {
		c = substr(s, i, 1)
		if (substr(s, i, 2) == "{{") {
			if (substr(s, i, 3) == "{{{") {
				j = index(substr(s, i + 3), "}}}")
				body = j ? substr(s, i + 3, j - 1) : ""
				len = j ? j + 5 : n - i + 1
				kind = "{"
			} else {
				j = index(substr(s, i + 2), "}}")
				body = j ? substr(s, i + 2, j - 1) : ""
				len = j ? j + 3 : n - i + 1
				kind = substr(body, 1, 1)
			}
			tag = substr(s, i, len)
			if (kind == "{" || kind == "&") {
				name = kind == "&" ? substr(body, 2) : body
				name = trim(name)
				if (name !~ /_html$/)
					report("raw", ln, tag)
			} else if (kind == "=")
				report("raw", ln, tag " (changes delimiters)")
			if (kind != "!" && st != "comment") {
				if (st == "rawtext" || (intag(st) &&
				    (tn == "script" || tn == "style")))
					report("script", ln, tag)
				else if (invalue(st) && an == "style")
					report("script", ln, tag)
				if (invalue(st) && an ~ /^on/)
					report("event", ln, tag)
				if (st == "beforevalue" || st == "unq") {
					report("unquoted", ln, tag)
					st = "unq"
				}
			}
			ln += gsub(/\n/, "\n", tag)
			i += len
			continue
		}
		if (c == "\n")
			ln++
		if (st == "text") {
			if (substr(s, i, 4) == "<!--") {
				st = "comment"; i += 4; continue
			}
			if (c == "<" && substr(s, i + 1, 1) ~ /[A-Za-z]/) {
				j = i + 1
				while (j <= n &&
				    substr(s, j, 1) ~ /[A-Za-z0-9-]/)
					j++
				tn = substr(low, i + 1, j - i - 1)
				st = "tag"; i = j; continue
			}
			if (substr(s, i, 2) == "</") {
				tn = ""; st = "tag"; i += 2; continue
			}
			i++; continue
		}
		if (st == "comment") {
			if (substr(s, i, 3) == "-->") {
				st = "text"; i += 3; continue
			}
			i++; continue
		}
		if (st == "rawtext") {
			if (substr(low, i, length(tn) + 2) == "</" tn) {
				i += length(tn) + 2; tn = ""; st = "tag"
				continue
			}
			i++; continue
		}
		if (st == "tag") {
			if (c ~ /[ \t\r\n\/]/) {
				i++; continue
			}
			if (c == ">") {
				if (tn == "script" || tn == "style")
					st = "rawtext"
				else
					st = "text"
				i++; continue
			}
			j = i
			while (j <= n && substr(s, j, 1) !~ /[ \t\r\n=>\/]/ &&
			    substr(s, j, 2) != "{{")
				j++
			if (j == i) {
				i++; continue
			}
			an = substr(low, i, j - i); st = "aname"; i = j
			continue
		}
		if (st == "aname") {
			if (c ~ /[ \t\r\n]/) {
				i++; continue
			}
			if (c == "=") {
				st = "beforevalue"; i++; continue
			}
			st = "tag"; an = ""; continue
		}
		if (st == "beforevalue") {
			if (c ~ /[ \t\r\n]/) {
				i++; continue
			}
			if (c == "\"") {
				st = "dq"; i++; continue
			}
			if (c == "'") {
				st = "sq"; i++; continue
			}
			if (c == ">") {
				st = "tag"; an = ""; continue
			}
			st = "unq"; continue
		}
		if (st == "dq" || st == "sq") {
			if ((st == "dq" && c == "\"") ||
			    (st == "sq" && c == "'")) {
				st = "tag"; an = ""
			}
			i++; continue
		}
		if (st == "unq") {
			if (c ~ /[ \t\r\n]/) {
				st = "tag"; an = ""; i++; continue
			}
			if (c == ">") {
				st = "tag"; an = ""; continue
			}
			i++; continue
		}
		i++
	}
}
AWK

lint() {
	awk "$LINT_AWK" "$1"
}

# check FILE LABEL: one result per rule for FILE.
check() {
	local file=$1 label=$2 out rule hits
	if ! out=$(lint "$file"); then
		fail "$label: the lint runs"
		return
	fi
	for rule in "${RULES[@]}"; do
		hits=$(printf '%s\n' "$out" | awk -F '\t' -v r="$rule" \
			'$1 == r { print "  line " $2 ": " $3 }')
		if [[ -z $hits ]]; then
			pass "$label: ${WHAT[$rule]}"
		else
			fail "$label: ${WHAT[$rule]}"
			diag "$hits"
		fi
	done
}

# --- self-test: the lint catches what it must --------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lint-t.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# expect RULE LINE SNIPPET: the lint reports RULE on LINE and nothing else.
expect() {
	local rule=$1 line=$2 snippet=$3 out
	printf '%s\n' "$snippet" >"$tmp/s.mustache"
	out=$(lint "$tmp/s.mustache") || out="(lint failed)"
	out=$(printf '%s' "$out" | cut -f 1,2 | sort -u | tr '\t\n' ': ')
	is "$out" "$rule:$line " \
		"self-test: $rule caught in: ${snippet//$'\n'/\\n}"
}

expect raw 1 '<p>{{{title}}}</p>'
expect raw 2 $'<p>\n{{& post.title }}</p>'
expect raw 1 '<p>{{{ body_html.x }}}</p>'
expect raw 1 '{{=<% %>=}}<p><%{title}%></p>'
expect script 1 '<script>var t = "{{title}}";</script>'
expect script 3 $'<p>a</p>\n<SCRIPT type="module">\nlet x = {{x}};\n</SCRIPT>'
expect script 1 '<style>p { color: {{colour}} }</style>'
expect script 1 '<script src="{{url}}"></script>'
expect script 1 '<p style="color: {{colour}}">x</p>'
expect event 1 "<a href=\"#\" onclick=\"go('{{id}}')\">x</a>"
expect event 1 "<body ONLOAD='{{x}}'>"
expect unquoted 1 '<a href={{url}}>x</a>'
expect unquoted 1 '<input value= {{v}}>'
expect unquoted 1 '<a title=x{{y}}>x</a>'
printf '%s\n' '{{! a <script> or {{{x} in a comment }}<p>{{y}}</p>' \
	'<p title="{{t}}" data-x='"'"'{{y}}'"'"'>{{x}} {{{body_html}}}</p>' \
	'<input {{#c}}checked{{/c}} name="q" value="{{q}}">' \
	'<script src="/static/a.js"></script><!-- {{c}} -->' \
	'<a href="/search?q={{q}}&amp;p={{p}}">{{> pager}}</a>' \
	'<style>p { color: red }</style><p>{{#a}}on={{/a}}</p>' \
	>"$tmp/good.mustache"
out=$(lint "$tmp/good.mustache") || out="(lint failed)"
is "$out" "" "self-test: a clean template has no findings"

# --- the theme -----------------------------------------------------------
n=0
while IFS= read -r -d '' f; do
	check "$f" "${f#"$SRC"/}"
	n=$((n + 1))
done < <(find "$SRC/templates" -type f -name '*.mustache' -print0 2>/dev/null |
	sort -z)
note "linted $n templates under $SRC/templates"
done_testing
