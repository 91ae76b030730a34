#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 7101-terraform-parse: terraform/ without a terraform binary (one is
# used as well where there is one): every .tf file parses with
# @cdktf/hcl2json; every module and environment has its files, every
# variable a type and a description, every module call passes what the
# module declares and requires; the evaluator t/lib/hcl_eval.mjs computes
# what it should and refuses what it cannot do, clearly; each module's
# user data, rendered with it from t/data/terraform/, passes the
# variables' validation blocks (and broken inputs do not) and
# "cloud-init schema --config-file"; HTTPS in both environments (the
# local one's load balancer: certbot with the ACME directory given, and
# its nginx site; the AWS one's listeners on 443 and 80); backups (the
# database primary's pgBackRest step, with a repository on its disk or
# in S3; the AWS backup bucket and the primary's role, their policies
# computed). The checks are
# t/terraform/check.mjs;
# rendered files stay in $INKWELL_TEST_VAR/out/7101-terraform-parse
# (build/t/out/... without it). Needs the npm packages script/test
# installs (INKWELL_NODE_MODULES).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=t/lib/tap.sh
. "$here/lib/tap.sh"
need_env INKWELL_NODE_MODULES
src=${INKWELL_SRC:-$(cd "$here/.." && pwd)}
build=${INKWELL_BUILD:-$src/build}
out=${INKWELL_TEST_VAR:-$build/t}/out/7101-terraform-parse
rm -rf "$out"
mkdir -p "$out"

INKWELL_SRC=$src INKWELL_TEST_OUT=$out exec timeout -k 10 600 \
	node "$here/terraform/check.mjs"
