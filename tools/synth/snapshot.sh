#!/usr/bin/env bash
# Writes every stack's cdk.tf.json (dev, prod, microservices, the registry, and the state bucket's with
# remote state on) into OUT_DIR, with this checkout's path masked, so two commits' synth can be compared:
#   git stash; bash tools/synth/snapshot.sh /tmp/before; git stash pop
#   bash tools/synth/snapshot.sh /tmp/after && diff -r /tmp/before /tmp/after && echo identical
set -euo pipefail
out=${1:?usage: tools/synth/snapshot.sh OUT_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
copy() { # prefix
  for f in "$work"/stacks/*/cdk.tf.json; do
    sed "s#$root#REPO#g" "$f" > "$out/$1$(basename "$(dirname "$f")").json"
  done
}
CDKTF_OUTDIR=$work node tools/synth/run.js dev prod >/dev/null && copy ''
rm -rf "$work"/stacks; CDKTF_OUTDIR=$work node tools/synth/run.js microservices >/dev/null && copy ''
rm -rf "$work"/stacks; CDKTF_OUTDIR=$work HOST_NAME_STATE_BUCKET=snapshot-state node tools/synth/run.js dev >/dev/null && copy 'remote-state-'
ls "$out"
