#!/usr/bin/env bash
# npm run bench: measures synth, the unit tests and the workload (start-up, load, memory), each against a
# reference measured in the same run, and writes bench/RESULTS.md (also printed). Nothing here asserts a time.
#
#   bash bench/run.sh            the five parts (under 10 minutes on the 2-core machine)
#   bash bench/run.sh --tuning   the same, plus workload variants (JVM and Tomcat settings): "Tuning" in RESULTS.md
#
# Environment:
#   BENCH_RUNS=5           synth runs and workload starts per command or variant
#   BENCH_JEST_RUNS=3      runs of each jest suite
#   BENCH_TUNING_ROUNDS=2  load runs per tuning variant
#   BENCH_VARIANTS=a,b     only these tuning variants (names as in tuning_part), e.g. baseline,two-cpus
#   BENCH_ENV=dev          the environment whose task size (memory, cpu -> JAVA_TOOL_OPTIONS) the JVM gets
#   BENCH_IMAGE=host-name:test-image   the image workload/test-image.sh builds; used when `docker info` works
#   BENCH_MODE=process     run the jars as JVM processes even when the engine and the image are there
#   BENCH_SKIP=synth,tests leave parts out while working on the others (RESULTS.md then says n/a)
#   BENCH_KEEP=1           keep the raw measurements (re-render: node_modules/.bin/tsx bench/report.ts DIR)
# Everything it starts (JVMs, containers, nginx, a memory cgroup) is stopped on exit, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

TUNING=0
case "${1:-}" in
  '') ;;
  --tuning) TUNING=1 ;;
  *) echo "usage: bash bench/run.sh [--tuning]" >&2; exit 2 ;;
esac
RUNS=${BENCH_RUNS:-5}
JEST_RUNS=${BENCH_JEST_RUNS:-3}
IMAGE=${BENCH_IMAGE:-host-name:test-image}
WORK=$(mktemp -d /tmp/host-name-bench.XXXXXX)
export CHECKPOINT_DISABLE=1 # cdktf CLI: no version check over the network
bench_start=$SECONDS

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
meta() { printf '%s=%s\n' "$1" "$2" >>"$WORK/meta.txt"; }
skip() { [[ ,${BENCH_SKIP:-}, == *,$1,* ]]; }

# ------------------------------------------------------------------------------------------------ cleanup
server_pid='' server_cid='' nginx_pid='' cgroup=''
stop_server() {
  if [[ -n $server_pid ]]; then kill -9 "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [[ -n $server_cid ]]; then docker rm -f "$server_cid" >/dev/null 2>&1 || true; fi
  server_pid='' server_cid=''
}
cleanup() {
  local status=$?
  set +e
  stop_server
  if [[ -n $nginx_pid ]]; then kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; fi
  if [[ -n $cgroup ]]; then rmdir "$cgroup" 2>/dev/null; fi
  if [[ ${BENCH_KEEP:-0} == 1 ]]; then echo "bench: raw measurements kept in $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------------------------------------ setup
missing=()
for tool in wrk hyperfine nginx curl bc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[[ -d node_modules ]] || { log "npm ci"; npm ci --no-audit --no-fund >/dev/null; }
JAVA=''
for java in /usr/lib/jvm/temurin-25*/bin/java; do [[ -x $java ]] && JAVA=$java; done
[[ -n $JAVA ]] || { echo "bench: no Temurin 25 JDK under /usr/lib/jvm/temurin-25*" >&2; exit 1; }
JAR=workload/target/host-name.jar
if [[ ! -f $JAR ]] || [[ -n $(find workload/src workload/pom.xml -newer "$JAR" -print -quit) ]]; then
  log "building $JAR"
  (cd workload && ./mvnw -q -B -ntp -DskipTests package)
fi
# A private copy: the working tree is shared, and a rebuild must not swap the jar under a running JVM.
mkdir -p "$WORK/mnt"
chmod 0777 "$WORK/mnt" # also mounted into containers, which run as uid 10001
cp "$JAR" "$WORK/mnt/host-name.jar"
JAR=$WORK/mnt/host-name.jar
eval "$(node_modules/.bin/tsx bench/task-env.ts "${BENCH_ENV:-dev}")" # TASK_ENV, TASK_MEMORY_MIB, TASK_CPU, TASK_JAVA_OPTS

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/host-name

meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta cpu_model "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
meta cores "$(nproc)"
meta memory_mib "$(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024))"
meta kernel "$(uname -r)"
meta node "$(node --version)"
meta java "$("$JAVA" -version 2>&1 | sed -n 's/.*Runtime Environment //p' | head -1)"
meta loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
meta runs "$RUNS"
meta jest_runs "$JEST_RUNS"
meta tuning "$TUNING"
meta task_env "$TASK_ENV"
meta task_memory_mib "$TASK_MEMORY_MIB"
meta task_cpu "$TASK_CPU"
meta task_java_opts "$TASK_JAVA_OPTS"

# ------------------------------------------------------------------------------------------------ 1. synth
synth_part() {
  # Ours is whatever package.json's synth runs (measured directly, and through npm); "transpiled" is tsx
  # transpiling main.ts at every start, "before" the tsx CLI running it in a second process.
  local ours transpiled='node --require tsx/cjs main.ts'
  ours=$(node -p "require('./package.json').scripts.synth")
  meta synth_command "$ours"
  log "1/5 synth: $ours vs npx cdktf synth ($RUNS runs each after a warm-up)"
  mkdir -p "$WORK/synth"
  # The same bytes as the transpiled sources write, for every stack (the warm-up also builds the bundle if stale).
  CDKTF_OUTDIR=$WORK/synth/check-ours $ours >/dev/null
  CDKTF_OUTDIR=$WORK/synth/check-transpiled $transpiled >/dev/null
  if diff -r "$WORK/synth/check-ours/stacks" "$WORK/synth/check-transpiled/stacks" >/dev/null; then meta synth_identical yes; else meta synth_identical no; fi
  # Output outside the working tree: the shared cdktf.out stays untouched (--output for the CLI).
  export CDKTF_OUTDIR=$WORK/synth/ours
  hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$WORK/synth.hf.json" --style basic \
    -n ours "$ours" \
    -n ours-npm 'npm run --silent synth' \
    -n transpiled "$transpiled" \
    -n before 'node_modules/.bin/tsx main.ts' \
    -n template "npx cdktf synth --output $WORK/synth/ref" \
    -n template-no-npx "node_modules/.bin/cdktf synth --output $WORK/synth/ref" >&2
  # The first synth after a change rebuilds the bundle and its code cache (tools/synth/run.js).
  hyperfine -N --runs 3 --prepare 'rm -rf node_modules/.cache/host-name-synth' --export-json "$WORK/synth-cold.hf.json" --style basic \
    -n ours-cold "$ours" >&2
  # Memory in separate runs, so the sampler's own start-up stays out of the times above.
  local -a ours_words transpiled_words
  read -ra ours_words <<<"$ours"
  read -ra transpiled_words <<<"$transpiled"
  for ((i = 0; i < RUNS; i++)); do
    memory_probes synth-ours "${ours_words[@]}" >/dev/null
    memory_probes synth-transpiled "${transpiled_words[@]}" >/dev/null
    memory_probes synth-before node_modules/.bin/tsx main.ts >/dev/null
    memory_probes synth-template npx cdktf synth --output "$WORK/synth/ref" >/dev/null 2>&1
  done
  unset CDKTF_OUTDIR
}

# memory_probes NAME command...: the command under both memory probes -> NAME.max (largest process, KiB,
# from /usr/bin/time) and NAME.tree (the whole process tree, KiB, from bench/tree-rss.mjs).
memory_probes() {
  local name=$1
  shift
  node bench/tree-rss.mjs "$WORK/$name.tree" -- /usr/bin/time -a -o "$WORK/$name.max" -f %M "$@"
}

# ------------------------------------------------------------------------------------------------ 2. unit tests
# Cold (--no-cache): what CI and the first run after an edit see. With a warm cache ts-jest skips its
# type-check for unchanged files, so a warm comparison would hide what this measures.
tests_part() {
  local ts_jest=$WORK/ts-jest runs
  jest_cmd() { # NAME jest-args...: a hyperfine command line (no shell: split on spaces)
    echo "node bench/tree-rss.mjs $WORK/jest-$1.tree -- /usr/bin/time -a -o $WORK/jest-$1.max -f %M" \
      "node_modules/.bin/jest --ci --no-cache --silent --json --outputFile=$WORK/jest-$1.json ${*:2}"
  }
  runs=(-n ours "$(jest_cmd ours)")
  log "2/5 unit tests: installing ts-jest 29 in $ts_jest for the reference (package.json untouched)"
  if npm install --no-save --no-audit --no-fund --legacy-peer-deps --prefix "$ts_jest" 'ts-jest@^29' >"$WORK/ts-jest-install.log" 2>&1; then
    meta ts_jest "$(node -p "require('$ts_jest/node_modules/ts-jest/package.json').version")"
    # The template's setup: ts-jest type-checks each test file (our tsconfig's isolatedModules would turn that off).
    cat >"$ts_jest/tsconfig.json" <<EOF
{ "extends": "$PWD/tsconfig.json", "compilerOptions": { "isolatedModules": false, "typeRoots": ["$PWD/node_modules/@types"] } }
EOF
    cat >"$ts_jest/jest.config.js" <<EOF
const base = require('$PWD/jest.config.js');
module.exports = { ...base, rootDir: '$PWD', transform: { '^.+\\\\.ts\$': ['$ts_jest/node_modules/ts-jest', { tsconfig: '$ts_jest/tsconfig.json' }] } };
EOF
    runs+=(-n ts-jest "$(jest_cmd ts-jest -c "$ts_jest/jest.config.js")")
  else
    log "ts-jest could not be installed; reporting ours and tsc --noEmit only"
    tail -5 "$WORK/ts-jest-install.log" >&2
  fi
  log "2/5 unit tests: jest ($JEST_RUNS runs each, cold cache) and tsc --noEmit"
  # -i: a failing test (the tree is shared and busy) must not stop the benchmark; RESULTS.md shows the counts.
  # NODE_PATH: ts-jest, installed elsewhere, resolves typescript and jest's modules from the project.
  NODE_PATH=$PWD/node_modules hyperfine -N -i --runs "$JEST_RUNS" --export-json "$WORK/jest.hf.json" --style basic \
    "${runs[@]}" >&2
  hyperfine -N --warmup 1 --runs "$JEST_RUNS" --export-json "$WORK/tsc.hf.json" --style basic \
    -n tsc 'node_modules/.bin/tsc --noEmit' >&2
}

# ------------------------------------------------------------------------------------------------ the workload
# Containers of the image when the engine works and the image is there; else JVM processes, with the
# production layout made here the way workload/Dockerfile makes it.
setup_workload() {
  local created=''
  if [[ ${BENCH_MODE:-} != process ]] && docker info >/dev/null 2>&1; then
    created=$(docker image inspect -f '{{.Created}}' "$IMAGE" 2>/dev/null || true)
  fi
  # An image older than the workload's sources would measure old code.
  if [[ -n $created && -n $(find workload/src workload/pom.xml workload/Dockerfile -newermt "$created" -print -quit) ]]; then
    log "workload: image $IMAGE is older than workload/ (rebuild: npm run test:image); using JVM processes"
    created=''
  fi
  if [[ -n $created ]]; then
    MODE=docker
    meta image "$IMAGE ($(docker image inspect -f '{{.Id}}' "$IMAGE" | cut -c8-19), built $(docker image inspect -f '{{.Created}}' "$IMAGE" | cut -c1-16))"
    meta memory_limit "docker run -m ${TASK_MEMORY_MIB}m"
  else
    MODE=process
    APP=$WORK/app
    log "workload: JVM processes (no engine, or no current image $IMAGE); extracting layers, training the AOT cache"
    "$JAVA" -Djarmode=tools -jar "$JAR" extract --layers --destination "$WORK/extracted" >/dev/null
    mkdir -p "$APP"
    for layer in dependencies spring-boot-loader snapshot-dependencies application; do cp -r "$WORK/extracted/$layer/." "$APP/"; done
    # The training run with the image's default JAVA_TOOL_OPTIONS, as in the image build.
    IMAGE_JAVA_OPTS=$(sed -n 's/^ENV JAVA_TOOL_OPTIONS="\(.*\)"$/\1/p' workload/Dockerfile)
    (cd "$APP" && JAVA_TOOL_OPTIONS=$IMAGE_JAVA_OPTS "$JAVA" -XX:AOTCacheOutput=app.aot -Dspring.context.exit=onRefresh \
      -jar host-name.jar >"$WORK/aot-training.log" 2>&1)
    # The task's hard memory limit as a memory cgroup (v1), like docker run -m; without one, only -Xmx bounds it.
    if [[ -w /sys/fs/cgroup/memory ]] && mkdir "/sys/fs/cgroup/memory/host-name-bench-$$" 2>/dev/null; then
      cgroup=/sys/fs/cgroup/memory/host-name-bench-$$
      echo "$((TASK_MEMORY_MIB * 1024 * 1024))" >"$cgroup/memory.limit_in_bytes"
      meta memory_limit "memory cgroup of ${TASK_MEMORY_MIB} MiB"
    else
      meta memory_limit "none (-Xmx only: no writable memory cgroup)"
    fi
  fi
  meta mode "$MODE"
}

# launch VARIANT [OPTS]: starts the app on $PORT with the task's JAVA_TOOL_OPTIONS plus OPTS; returns at once.
# VARIANT: plain (java -jar of the Maven jar) | aot (the image's start: layers + AOT cache) |
# aot-requests (layers + the AOT cache train_with_requests makes).
launch() {
  local variant=$1 opts="$TASK_JAVA_OPTS ${2:-}"
  if [[ $MODE == docker ]]; then
    local args=(create --network host --read-only --tmpfs /tmp -m "${TASK_MEMORY_MIB}m"
      -e "SERVER_PORT=$PORT" -e "JAVA_TOOL_OPTIONS=$opts" -v "$WORK/mnt:/bench")
    case $variant in
      plain) args+=(--entrypoint java "$IMAGE" -jar /bench/host-name.jar) ;;
      aot) args+=("$IMAGE") ;; # the image's own ENTRYPOINT
      aot-requests) args+=(--entrypoint java "$IMAGE" -XX:AOTCache=/bench/requests.aot -jar /app/host-name.jar) ;;
    esac
    # Created before the clock starts: with the vfs storage driver, creating a container copies the image.
    server_cid=$(docker "${args[@]}")
    launched_at=${EPOCHREALTIME/./}
    docker start "$server_cid" >/dev/null
  else
    local cmd
    case $variant in
      plain) cmd=("$JAVA" -jar "$JAR") ;;
      aot) cmd=("$JAVA" -XX:AOTCache=app.aot -jar host-name.jar) ;;
      aot-requests) cmd=("$JAVA" -XX:AOTCache="$WORK/mnt/requests.aot" -jar host-name.jar) ;;
    esac
    launched_at=${EPOCHREALTIME/./}
    (
      cd "$APP"
      [[ -z $cgroup ]] || echo "$BASHPID" >"$cgroup/cgroup.procs"
      SERVER_PORT=$PORT JAVA_TOOL_OPTIONS=$opts exec "${cmd[@]}"
    ) >>"$WORK/server.log" 2>&1 &
    server_pid=$!
  fi
}

# wait_200: polls /host-name every 20 ms until the first 200; prints the milliseconds since launch.
# Gives up when the app has died or after about 2 minutes.
wait_200() {
  local tries=0
  until curl -fs -o /dev/null --max-time 2 "$URL"; do
    if { ((++tries % 25 == 0)) && ! server_alive; } || ((tries > 6000)); then
      echo "bench: the app did not answer on $URL; its log:" >&2
      if [[ -n $server_cid ]]; then docker logs "$server_cid" 2>&1; else cat "$WORK/server.log"; fi | tail -20 >&2
      return 1
    fi
    sleep 0.02
  done
  echo $(((${EPOCHREALTIME/./} - launched_at) / 1000))
}
server_alive() {
  if [[ -n $server_cid ]]; then [[ $(docker inspect -f '{{.State.Running}}' "$server_cid") == true ]]; else kill -0 "$server_pid" 2>/dev/null; fi
}
jvm_pid() { if [[ -n $server_cid ]]; then docker inspect -f '{{.State.Pid}}' "$server_cid"; else echo "$server_pid"; fi; }
rss_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; } # PID VmRSS|VmHWM
cpu_seconds() { # PIDS...: the user+system CPU seconds they have used
  local pid ticks=0
  for pid in "$@"; do ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc
}

# start_once DIR VARIANT [OPTS]: one measured start -> a line in DIR/start.ms and DIR/start.rss (VmRSS, KiB).
start_once() {
  mkdir -p "$1"
  launch "$2" "${3:-}"
  wait_200 >>"$1/start.ms"
  rss_kib "$(jvm_pid)" VmRSS >>"$1/start.rss"
  # What the JVM itself counts (Spring Boot's "process running for"), without the container's own start.
  if [[ -n $server_cid ]]; then docker logs "$server_cid" 2>&1; else cat "$WORK/server.log"; fi |
    grep -o 'process running for [0-9.]*' | tail -1 | awk '{ print $4 * 1000 }' >>"$1/start.jvm"
  stop_server
}

# load PREFIX URL PIDS...: a 10 s warm-up, then the measured run at c=64 -> PREFIX.wrk, PREFIX.cpu (CPU s of
# PIDS); then the seed's load, wrk -t4 -c300, 5 s to open its connections, measured -> PREFIX.c300.{wrk,cpu}.
load() {
  local prefix=$1 url=$2
  shift 2
  wrk -t2 -c64 -d10s "$url" >/dev/null
  measure "$prefix" "-t2 -c64" "$url" "$@"
  wrk -t4 -c300 -d5s "$url" >/dev/null
  measure "$prefix.c300" "-t4 -c300" "$url" "$@"
}
measure() { # PREFIX "WRK ARGS" URL PIDS...
  local prefix=$1 args=$2 url=$3 before after
  shift 3
  before=$(cpu_seconds "$@")
  # shellcheck disable=SC2086 # the wrk arguments are words
  wrk $args -d15s --latency "$url" >"$prefix.wrk"
  after=$(cpu_seconds "$@")
  echo "$after - $before" | bc >"$prefix.cpu"
}

# load_run DIR VARIANT [OPTS]: a fresh app under load -> DIR/load-N.{wrk,cpu,mem} (mem: VmRSS afterwards and
# VmHWM, the peak since start) and DIR/body. N counts DIR's load runs.
load_run() {
  local pid prefix
  mkdir -p "$1"
  prefix=$1/load-$(($(find "$1" -name 'load-*.wrk' | wc -l) + 1))
  launch "$2" "${3:-}"
  wait_200 >/dev/null
  pid=$(jvm_pid)
  curl -fsS "$URL" >"$1/body"
  load "$prefix" "$URL" "$pid"
  printf 'VmRSS %s\nVmHWM %s\n' "$(rss_kib "$pid" VmRSS)" "$(rss_kib "$pid" VmHWM)" >"$prefix.mem"
  stop_server
}

# ------------------------------------------------------------------------------------------------ 3. start-up
start_part() {
  log "3/5 workload start ($MODE, $TASK_ENV task: ${TASK_MEMORY_MIB} MiB, JAVA_TOOL_OPTIONS=$TASK_JAVA_OPTS): $RUNS starts each"
  # Does the AOT cache load under the task's options? AOTMode=on fails instead of silently running without it.
  local check
  if [[ $MODE == docker ]]; then
    check=(docker run --rm --network none --read-only --tmpfs /tmp -m "${TASK_MEMORY_MIB}m" -e "JAVA_TOOL_OPTIONS=$TASK_JAVA_OPTS"
      --entrypoint java "$IMAGE" -XX:AOTCache=/app/app.aot -XX:AOTMode=on -Dspring.context.exit=onRefresh -jar /app/host-name.jar)
  else
    check=(env -C "$APP" JAVA_TOOL_OPTIONS="$TASK_JAVA_OPTS" "$JAVA" -XX:AOTCache=app.aot -XX:AOTMode=on -Dspring.context.exit=onRefresh -jar host-name.jar)
  fi
  if "${check[@]}" >"$WORK/aot-check.log" 2>&1; then meta aot_cache_loads yes; else meta aot_cache_loads no; fi
  start_once "$WORK/warm-up" plain # one of each, not counted: page cache, container machinery
  start_once "$WORK/warm-up" aot
  for ((i = 0; i < RUNS; i++)); do # alternated, so a noisy moment hits both
    start_once "$WORK/workload/plain" plain
    start_once "$WORK/workload/aot" aot
  done
}

# ------------------------------------------------------------------------------------------------ 4. load
load_part() {
  log "4/5 load: wrk -t2 -c64 and wrk -t4 -c300, 15 s each, against the production start, then nginx serving the same body"
  load_run "$WORK/workload/aot" aot
  local dir=$WORK/nginx port workers
  port=$(free_port)
  mkdir -p "$dir" "$WORK/workload/nginx"
  cp "$WORK/workload/aot/body" "$dir/host-name.json" # the same bytes the app answered
  cat >"$dir/nginx.conf" <<EOF
daemon off;
user root;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log;
events {}
http {
  access_log off;
  server {
    listen 127.0.0.1:$port;
    location = /host-name { default_type application/json; alias $dir/host-name.json; }
  }
}
EOF
  nginx -e "$dir/error.log" -c "$dir/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 1 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/host-name" && break; sleep 0.05; done
  mapfile -t workers < <(pgrep -P "$nginx_pid")
  meta nginx "$(nginx -v 2>&1 | sed 's/.*nginx\///'), ${#workers[@]} workers"
  load "$WORK/workload/nginx/load-1" "http://127.0.0.1:$port/host-name" "$nginx_pid" "${workers[@]}"
  echo "VmRSS $(for p in "$nginx_pid" "${workers[@]}"; do rss_kib "$p" VmRSS; done | paste -sd+ | bc)" >"$WORK/workload/nginx/load-1.mem"
  kill "$nginx_pid"
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=''
}

# ------------------------------------------------------------------------------------------------ tuning
# An AOT cache trained with real requests: start with AOTCacheOutput, serve traffic, SIGTERM (the JVM writes the
# cache at exit), so Tomcat's request path and the JIT's profiles are in the cache too. The image's training
# run stops at the context refresh. Same JVM options as the image's training run.
train_with_requests() {
  log "tuning: training an AOT cache with 5 s of requests"
  if [[ $MODE == docker ]]; then
    server_cid=$(docker run -d --network host --read-only --tmpfs /tmp -e "SERVER_PORT=$PORT" -v "$WORK/mnt:/bench" \
      --entrypoint java "$IMAGE" -XX:AOTCacheOutput=/bench/requests.aot -jar /app/host-name.jar)
  else
    (cd "$APP" && SERVER_PORT=$PORT JAVA_TOOL_OPTIONS=$IMAGE_JAVA_OPTS exec "$JAVA" -XX:AOTCacheOutput="$WORK/mnt/requests.aot" \
      -jar host-name.jar) >>"$WORK/server.log" 2>&1 &
    server_pid=$!
  fi
  launched_at=${EPOCHREALTIME/./}
  wait_200 >/dev/null
  wrk -t1 -c4 -d5s "$URL" >/dev/null
  curl -fs -o /dev/null "http://127.0.0.1:$PORT/actuator/health/readiness"
  if [[ -n $server_cid ]]; then docker stop -t 60 "$server_cid" >/dev/null; else kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  stop_server
}

tuning_part() {
  # name|launch variant|added to the task's JAVA_TOOL_OPTIONS (later options win)|description
  local variants=(
    "baseline|aot||as deployed"
    "before|aot|-Dspring.threads.virtual.enabled=false -Dserver.tomcat.max-keep-alive-requests=100|platform threads, connections closed after 100 requests (Tomcat's defaults)"
    "virtual-threads|aot|-Dspring.threads.virtual.enabled=true|virtual threads for requests (off in application.properties: see its note)"
    "keep-alive-100|aot|-Dserver.tomcat.max-keep-alive-requests=100|connections closed after 100 requests (Tomcat's default)"
    "c1-only|aot|-XX:TieredStopAtLevel=1|C1 JIT only"
    "two-cpus|aot|-XX:ActiveProcessorCount=2|JVM sized for 2 cores (bridge-mode cpu units do not cap them)"
    "heap-40|aot|-Xmx$((TASK_MEMORY_MIB * 40 / 100))m|heap 40% of the task memory (jvmOptions: 60%)"
    "aot-requests|aot-requests||AOT cache trained with 5 s of requests (the image's: up to the context refresh)"
    "platform-threads|aot|-Dspring.threads.virtual.enabled=false -Dserver.tomcat.threads.max=200 -Dserver.tomcat.threads.min-spare=10|Tomcat's default pool of up to 200 platform threads"
    "threads-16|aot|-Dspring.threads.virtual.enabled=false -Dserver.tomcat.threads.max=16 -Dserver.tomcat.threads.min-spare=4|platform threads, at most 16"
    "threads-4|aot|-Dspring.threads.virtual.enabled=false -Dserver.tomcat.threads.max=4 -Dserver.tomcat.threads.min-spare=4|platform threads, at most 4"
    "xss-256k|aot|-Xss256k|thread stacks of 256 KiB (jvmOptions: 512 KiB)"
    "lazy-init|aot|-Dspring.main.lazy-initialization=true|beans created on first use"
  )
  local v name variant opts description rounds=${BENCH_TUNING_ROUNDS:-2}
  if [[ -n ${BENCH_VARIANTS:-} ]]; then # a subset, e.g. BENCH_VARIANTS=baseline,two-cpus
    local chosen=()
    for v in "${variants[@]}"; do [[ ,$BENCH_VARIANTS, != *,${v%%|*},* ]] || chosen+=("$v"); done
    variants=("${chosen[@]}")
  fi
  if [[ " ${variants[*]} " == *" aot-requests|"* ]]; then train_with_requests; fi
  for v in "${variants[@]}"; do
    IFS='|' read -r name _ opts description <<<"$v"
    mkdir -p "$WORK/workload/$name"
    printf '%s\n' "$opts" >"$WORK/workload/$name/opts"
    printf '%s\n' "$description" >"$WORK/workload/$name/description"
  done
  # Interleaved (one of each variant per round), so a noisy minute on the shared machine hits all of them.
  log "tuning: ${#variants[@]} variants, $RUNS rounds of one start each"
  for ((i = 0; i < RUNS; i++)); do
    for v in "${variants[@]}"; do
      IFS='|' read -r name variant opts _ <<<"$v"
      start_once "$WORK/workload/$name" "$variant" "$opts"
    done
  done
  log "tuning: $rounds rounds of one load run each, every other round in reverse order"
  for ((r = 0; r < rounds; r++)); do
    for ((k = 0; k < ${#variants[@]}; k++)); do
      IFS='|' read -r name variant opts _ <<<"${variants[r % 2 ? ${#variants[@]} - 1 - k : k]}"
      load_run "$WORK/workload/$name" "$variant" "$opts"
    done
  done
}

# ------------------------------------------------------------------------------------------------ run
# Not `skip x || part`: bash ignores set -e inside a function called from an || list.
if ! skip synth; then synth_part; fi
if ! skip tests; then tests_part; fi
setup_workload
start_part
load_part
if ((TUNING)); then tuning_part; fi
meta loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"
meta duration_s "$((SECONDS - bench_start))"
log "5/5 memory fit (from the config) and the report -> bench/RESULTS.md"
node_modules/.bin/tsx bench/report.ts "$WORK" bench/RESULTS.md >"$WORK/RESULTS.md"
cp "$WORK/RESULTS.md" bench/RESULTS.md
cat bench/RESULTS.md
