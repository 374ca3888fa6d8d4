/**
 * `npm run test:rollout`: ECS's rolling deployment of the dev service on a real load balancer, under the seed's load.
 *
 * HAProxy (Debian's) plays the ALB, with the health check, thresholds, deregistration delay and idle timeout of the
 * dev stack's synthesized target group; containers of the real image play the tasks, with the task definition's
 * environment, memory, read-only root and stopTimeout; `wrk -t4 -c300` is the load. Phases:
 *   1. N tasks start and register; each takes traffic once HAProxy has seen it pass healthyThreshold checks.
 *   2. steady state under load;
 *   3. the rollout, in ECS's order for minimum healthy 100% / maximum 200%, one task at a time: start the new task,
 *      wait until the load balancer sees it healthy, deregister the old one and drain it for the deregistration delay,
 *      then SIGTERM (docker stop) and wait up to stopTimeout;
 *   4. a fault: SIGKILL one task under load; HAProxy must mark it down within unhealthyThreshold x interval and only
 *      the requests in flight on it may fail.
 * Prints PASS/FAIL per check, the figures per phase, and `N passed, M failed`. See harness/README.md.
 *
 * Env: ROLLOUT_TIME_SCALE (default 1; CI 0.25), ROLLOUT_TASKS (default 3), ROLLOUT_IMAGE (skip the build, use this
 * image), ROLLOUT_SERVICE (when the stack has several load-balanced services), KEEP_DOCKERD=1.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { readRolloutSettings, RolloutSettings, SettingsError } from './rollout-settings';
import { HarnessError, PROJECT_ROOT, WORK_DIR } from './terraform';
import { dockerRunning, stopDockerd } from './docker-engine';

const OUT_DIR = join(WORK_DIR, 'rollout');
const STACK = 'host-name-dev';
const SYNTH_FILE = join(PROJECT_ROOT, 'cdktf.out', 'stacks', STACK, 'cdk.tf.json');
const LUA = join(PROJECT_ROOT, 'harness', 'rollout.lua');
const BACKEND = 'tasks';
/** Its own tag: test-image.sh removes the previous image of the tag it builds, which must not be the one running here. */
const ROLLOUT_TAG = 'host-name:rollout';
/** The seed's load shape. */
const WRK_THREADS = 4;
const WRK_CONNECTIONS = 300;
/** ALB's connection timeout to targets (a documented constant, not a setting of the stack). */
const ALB_CONNECT_TIMEOUT_S = 10;
/** How long a new task may take to become healthy in the load balancer (JVM start on a busy 2-core machine). */
const READY_TIMEOUT_S = 180;
const POLL_MS = 100;
const WARMUP_ROUND_MS = 5000;
const WARMUP_MAX_ROUNDS = 12;

// ------------------------------------------------------------------------------------------------ small helpers

/** Child processes (haproxy, wrk) to stop however the run ends. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const stamp = () => new Date().toISOString().slice(11, 23);
const log = (line: string) => console.log(`[rollout ${stamp()}] ${line}`);
const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

function envNumber(name: string, fallback: number, valid: (n: number) => boolean, what: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !valid(n)) throw new HarnessError(`${name}=${raw}: ${what}`);
  return n;
}

function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutS?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    encoding: 'utf8',
    env: options.env ?? process.env,
    timeout: (options.timeoutS ?? 120) * 1000,
    cwd: PROJECT_ROOT,
  });
}

/** docker CLI; its stdout, trimmed; throws with its stderr on failure. */
function docker(...args: string[]): string {
  const r = run('docker', args);
  if (r.status !== 0) throw new HarnessError(`docker ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout.trim();
}

class Checks {
  passed = 0;
  failed = 0;

  check(name: string, ok: boolean, detail?: string): boolean {
    if (ok) this.passed++;
    else this.failed++;
    console.log(`${ok ? 'PASS' : 'FAIL'}: ${name}${detail ? `: ${detail}` : ''}`);
    return ok;
  }
}

// ------------------------------------------------------------------------------------------------ HAProxy

/** One command (or several, `;`-separated) on HAProxy's runtime API socket; its output. */
function cli(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(socket);
    let out = '';
    c.setEncoding('utf8');
    c.on('connect', () => c.write(`${command}\n`));
    c.on('data', (d) => (out += d));
    c.on('end', () => resolve(out));
    c.on('error', reject);
    c.setTimeout(10_000, () => c.destroy(new Error(`HAProxy CLI timed out on: ${command}`)));
  });
}

type StatRow = Record<string, string>;

class HAProxy {
  private child?: ChildProcess;
  readonly socket = join(OUT_DIR, 'haproxy.sock');
  readonly logFile = join(OUT_DIR, 'haproxy.log');
  readonly configFile = join(OUT_DIR, 'haproxy.cfg');

  constructor(readonly port: number) {}

  async start(config: string): Promise<void> {
    writeFileSync(this.configFile, config);
    const check = run('haproxy', ['-c', '-q', '-f', this.configFile]);
    if (check.status !== 0) throw new HarnessError(`haproxy -c rejected ${this.configFile}:\n${check.stdout}${check.stderr}`);
    rmSync(this.socket, { force: true });
    const out = openSync(this.logFile, 'w');
    this.child = track(spawn('haproxy', ['-db', '-f', this.configFile], { stdio: ['ignore', out, out] }));
    closeSync(out);
    for (let i = 0; i < 100; i++) {
      if (existsSync(this.socket) && (await cli(this.socket, 'show info').catch(() => '')).includes('Name: HAProxy')) return;
      if (this.child.exitCode !== null) break;
      await sleep(100);
    }
    throw new HarnessError(`haproxy did not start; see ${this.logFile}:\n${readFileSync(this.logFile, 'utf8').slice(-2000)}`);
  }

  async command(command: string): Promise<string> {
    const out = (await cli(this.socket, command)).trim();
    // Runtime API errors are plain text answers; the commands used here answer nothing (or a notice) on success.
    if (/^(Unknown command|No such|Require|.*not found|Invalid)/im.test(out)) throw new HarnessError(`HAProxy: ${command}: ${out}`);
    return out;
  }

  /** `show stat`, keyed by "proxy/server" (server BACKEND for the backend's totals). */
  async stats(): Promise<Map<string, StatRow>> {
    const csv = await cli(this.socket, 'show stat');
    const lines = csv.split('\n').filter((l) => l.length > 0);
    const header = lines[0].replace(/^# /, '').split(',');
    const rows = new Map<string, StatRow>();
    for (const line of lines.slice(1)) {
      const values = line.split(',');
      const row: StatRow = {};
      header.forEach((h, i) => (row[h] = values[i] ?? ''));
      rows.set(`${row.pxname}/${row.svname}`, row);
    }
    return rows;
  }

  /** Waits until no request is in flight (between load phases, so that counters can be compared); the stats then. */
  async quiesce(): Promise<Map<string, StatRow>> {
    for (let i = 0; i < 150; i++) {
      const stats = await this.stats();
      if (Number(stats.get(`${BACKEND}/BACKEND`)?.scur) === 0) return stats;
      await sleep(100);
    }
    throw new HarnessError('HAProxy still has requests in flight 15 s after the load stopped');
  }

  async server(slot: string): Promise<StatRow> {
    const row = (await this.stats()).get(`${BACKEND}/${slot}`);
    if (!row) throw new HarnessError(`HAProxy has no server ${BACKEND}/${slot}`);
    return row;
  }
}

interface Timeouts {
  intervalMs: number;
  checkTimeoutMs: number;
  drainMs: number;
}

function haproxyConfig(s: RolloutSettings, t: Timeouts, port: number, socket: string, slots: number): string {
  const hc = s.healthCheck;
  const algorithm: Record<string, string> = {
    round_robin: 'roundrobin',
    least_outstanding_requests: 'leastconn',
    weighted_random: 'random',
  };
  const balance = algorithm[s.algorithm];
  if (!balance) throw new HarnessError(`target group algorithm ${s.algorithm} has no HAProxy equivalent here`);
  const idle = `${s.idleTimeoutS}s`;
  return `# Generated by harness/rollout.ts from ${STACK}'s target group ${s.targetGroupId} (cdk.tf.json). HAProxy plays the ALB.
global
    maxconn 5000
    # One thread: a runtime API command (drain, then read the counters) is atomic with respect to the traffic.
    nbthread 1
    stats socket ${socket} mode 600 level admin
    log stdout format raw local0

defaults
    mode http
    log global
    # Only abnormal requests are logged (5xx, aborts, retries, redispatches), with the timers the fault check needs:
    # accept date (ms), server, status, termination state, Tq/Tw/Tc/Tr/Ta, retries (+ = redispatched), client.
    option dontlog-normal
    log-format "REQ %Ts.%ms %s %ST %ts %Tq %Tw %Tc %Tr %Ta %rc %ci:%cp"
    maxconn 5000
    # ALB: idle timeout on both sides (aws_lb.idle_timeout), connect timeout to targets 10 s.
    timeout client ${idle}
    timeout http-keep-alive ${idle}
    timeout http-request ${idle}
    timeout server ${idle}
    timeout connect ${ALB_CONNECT_TIMEOUT_S}s
    timeout check ${t.checkTimeoutMs}ms
    # ALB keeps HTTP/1.1 connections to targets open and reuses them for any client's requests.
    option http-keep-alive
    http-reuse always
    # Deviation from ALB (see harness/README.md): a refused connect is retried once on another target. The rollout
    # phase asserts that no request was retried, so this only ever acts in the SIGKILL fault.
    retries 1
    option redispatch 1

frontend alb
    bind 127.0.0.1:${port}
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    default_backend ${BACKEND}

backend ${BACKEND}
    balance ${balance}
    option httpchk
    http-check send meth GET uri ${hc.path} ver HTTP/1.1 hdr Host target hdr User-Agent ELB-HealthChecker/2.0
    http-check expect status ${hc.matcher}
    default-server check inter ${t.intervalMs}ms fastinter ${t.intervalMs}ms downinter ${t.intervalMs}ms rise ${hc.healthyThreshold} fall ${hc.unhealthyThreshold}${s.slowStartS > 0 ? ` slowstart ${s.slowStartS}s` : ''}
    # Target slots: a task is registered with "set server ... addr", deregistered with drain, then maint.
    server-template t 1-${slots} 127.0.0.1:1 disabled
`;
}

// ------------------------------------------------------------------------------------------------ wrk

interface WrkResult {
  durationUs: number;
  requests: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  statuses: Record<string, number>;
  hosts: Record<string, number>;
  nonJson: number;
  otherShape: number;
  glued: number;
  samples: string[];
}

interface Phase {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly wrk: WrkResult;
}

const non200 = (w: WrkResult) => Object.entries(w.statuses).reduce((n, [code, count]) => n + (code === '200' ? 0 : count), 0);
const socketErrors = (w: WrkResult) => w.errors.connect + w.errors.read + w.errors.write + w.errors.timeout;
/** Responses that were not a 200 with exactly {"hostName": ...} (glued bodies: see rollout.lua). */
const badBodies = (w: WrkResult) => w.nonJson + w.otherShape + w.glued;

/** wrk -t4 -c300 through HAProxy until stopped (SIGINT: wrk prints its summary as after -d). */
class Load {
  private readonly child: ChildProcess;
  private output = '';
  private readonly closed: Promise<number | null>;
  readonly startMs = Date.now();

  constructor(
    readonly name: string,
    url: string,
  ) {
    this.child = track(
      spawn('wrk', [`-t${WRK_THREADS}`, `-c${WRK_CONNECTIONS}`, '-d3600s', '--timeout', '60s', '-s', LUA, url], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
    this.closed = new Promise((resolve) => this.child.on('close', resolve));
  }

  async stop(): Promise<Phase> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    await this.closed;
    const endMs = Date.now();
    writeFileSync(join(OUT_DIR, `wrk-${this.name.replace(/[^a-z0-9]+/gi, '-')}.log`), this.output);
    const line = this.output.split('\n').find((l) => l.startsWith('ROLLOUT-WRK '));
    if (!line) throw new HarnessError(`wrk (${this.name}) printed no result:\n${this.output.slice(-1500)}`);
    return { name: this.name, startMs: this.startMs, endMs, wrk: JSON.parse(line.slice('ROLLOUT-WRK '.length)) };
  }
}

// ------------------------------------------------------------------------------------------------ HAProxy's log

interface LogLine {
  readonly receivedMs: number; // the request was fully received (accept date + Tq)
  readonly sentMs?: number; // it was sent to the server (+ Tw + Tc), when a connection was made
  readonly server: string;
  readonly status: number;
  readonly termination: string;
  readonly retries: string;
  readonly text: string;
}

function readLog(file: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    const f = text.split(' ');
    if (f[0] !== 'REQ' || f.length < 12) continue;
    const accept = Number(f[1]) * 1000;
    const [tq, tw, tc] = [Number(f[5]), Number(f[6]), Number(f[7])];
    const receivedMs = accept + Math.max(tq, 0);
    lines.push({
      receivedMs,
      sentMs: tw >= 0 && tc >= 0 ? receivedMs + tw + tc : undefined,
      server: f[2],
      status: Number(f[3]),
      termination: f[4],
      retries: f[10],
      text,
    });
  }
  return lines;
}

/** A request that did not end normally, not counting the load generator's own aborts when a phase stops. */
const isFailure = (l: LogLine) => l.termination[0] !== 'C' && (l.status < 100 || l.status >= 500 || l.termination !== '--');
const inWindow = (l: LogLine, p: { startMs: number; endMs: number }) => l.receivedMs >= p.startMs && l.receivedMs <= p.endMs;

// ------------------------------------------------------------------------------------------------ tasks

interface Task {
  readonly name: string; // container name = its --hostname
  readonly slot: string; // HAProxy server slot
  hostPort?: number;
  startedMs?: number;
  healthyMs?: number;
}

class Cluster {
  readonly tasks: Task[] = [];
  private nextSlot = 1;

  constructor(
    private readonly settings: RolloutSettings,
    private readonly image: string,
    private readonly network: string,
    private readonly gateway: string,
    private readonly haproxy: HAProxy,
    private readonly slots: number,
    private readonly runId: string,
  ) {}

  /** docker run as ECS would for the task definition (bridge mode, dynamic host port), then register the target. */
  async start(label: string): Promise<Task> {
    if (this.nextSlot > this.slots) throw new HarnessError('out of HAProxy server slots');
    const c = this.settings.container;
    const task: Task = { name: `ro${this.runId}-${label}`, slot: `t${this.nextSlot++}` };
    const args = [
      'run',
      '-d',
      '--name',
      task.name,
      '--hostname',
      task.name,
      '--network',
      this.network,
      '--label',
      `host-name-rollout=${this.runId}`,
    ];
    args.push('-p', `${this.gateway}::${c.containerPort}`);
    if (c.memoryMiB) args.push('-m', `${c.memoryMiB}m`);
    if (c.memoryReservationMiB) args.push('--memory-reservation', `${c.memoryReservationMiB}m`);
    if (c.cpuUnits && c.cpuUnits >= 2) args.push('--cpu-shares', String(c.cpuUnits));
    if (c.readonlyRootFilesystem) args.push('--read-only');
    for (const path of c.writablePaths) args.push('--tmpfs', path);
    if (c.user) args.push('--user', c.user);
    for (const e of c.environment) args.push('-e', `${e.name}=${e.value}`);
    args.push(this.image);
    this.tasks.push(task);
    task.startedMs = Date.now();
    docker(...args);
    const mapping = docker('port', task.name, `${c.containerPort}/tcp`).split('\n')[0];
    task.hostPort = Number(mapping.slice(mapping.lastIndexOf(':') + 1));
    // Registered like an ALB target in state "initial": no traffic (drain) and health down, so it takes traffic only
    // after healthyThreshold consecutive passing checks. (Leaving maintenance, HAProxy would otherwise start the
    // server UP with a single check pending.)
    const s = `${BACKEND}/${task.slot}`;
    await this.haproxy.command(`set server ${s} addr ${this.gateway} port ${task.hostPort}`);
    await this.haproxy.command(`set server ${s} state drain; set server ${s} health down`);
    return task;
  }

  /** Waits until HAProxy has seen the target pass healthyThreshold checks, then puts it in rotation. */
  async waitHealthy(task: Task): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_S * 1000;
    for (let i = 0; Date.now() < deadline; i++) {
      const row = await this.haproxy.server(task.slot);
      if (Number(row.check_health) >= Number(row.check_rise)) {
        await this.haproxy.command(`set server ${BACKEND}/${task.slot} state ready`);
        task.healthyMs = Date.now();
        return;
      }
      if (i % 20 === 19 && docker('inspect', '-f', '{{.State.Running}}', task.name) !== 'true') {
        throw new HarnessError(`task ${task.name} exited before it became healthy:\n${this.logs(task).slice(-2000)}`);
      }
      await sleep(POLL_MS);
    }
    throw new HarnessError(
      `task ${task.name} not healthy in the load balancer within ${READY_TIMEOUT_S} s (last check: ${(await this.haproxy.server(task.slot)).check_status})`,
    );
  }

  logs(task: Task): string {
    const r = run('docker', ['logs', task.name]);
    return `${r.stdout}${r.stderr}`;
  }

  /** docker stop (SIGTERM, SIGKILL after stopTimeout) as the ECS agent does; keeps its logs. */
  stop(task: Task): { stopMs: number; exitCode: number } {
    const t0 = Date.now();
    const r = run('docker', ['stop', '-t', String(this.settings.container.stopTimeoutS), task.name], {
      timeoutS: this.settings.container.stopTimeoutS + 60,
    });
    const stopMs = Date.now() - t0;
    if (r.status !== 0) throw new HarnessError(`docker stop ${task.name}: ${r.stderr.trim()}`);
    return { stopMs, exitCode: Number(docker('inspect', '-f', '{{.State.ExitCode}}', task.name)) };
  }

  remove(task: Task): void {
    writeFileSync(join(OUT_DIR, `${task.name}.log`), this.logs(task));
    docker('rm', '-f', task.name);
  }
}

// ------------------------------------------------------------------------------------------------ setup

function synthesize(): RolloutSettings {
  log(`npm run synth -- dev -> ${SYNTH_FILE}`);
  const r = run('npm', ['run', 'synth', '--', 'dev'], { timeoutS: 300 });
  if (r.status !== 0) throw new HarnessError(`npm run synth -- dev failed:\n${(r.stdout + r.stderr).slice(-2000)}`);
  try {
    return readRolloutSettings(JSON.parse(readFileSync(SYNTH_FILE, 'utf8')), process.env.ROLLOUT_SERVICE || undefined);
  } catch (error) {
    if (error instanceof SettingsError) throw new HarnessError(`${SYNTH_FILE}: ${error.message}`);
    throw error;
  }
}

/** The image to run, built by `workload/test-image.sh --build-only` (shared with the image test) unless ROLLOUT_IMAGE. */
function prepareImage(): { image: string; startedDockerd: boolean } {
  const wasRunning = dockerRunning();
  const wanted = process.env.ROLLOUT_IMAGE;
  if (wanted) {
    if (!wasRunning) throw new HarnessError('ROLLOUT_IMAGE is set but no Docker engine is running');
    return { image: docker('image', 'inspect', '-f', '{{.Id}}', wanted), startedDockerd: false };
  }
  const buildLog = join(OUT_DIR, 'build.log');
  log(`workload/test-image.sh --build-only (log: ${buildLog})`);
  const r = run('bash', [join(PROJECT_ROOT, 'workload', 'test-image.sh'), '--build-only'], {
    env: { ...process.env, KEEP_DOCKERD: '1', TEST_IMAGE: ROLLOUT_TAG },
    timeoutS: 1800,
  });
  writeFileSync(buildLog, `${r.stdout}${r.stderr}`);
  const startedDockerd = !wasRunning && dockerRunning();
  if (r.status !== 0) {
    if (startedDockerd) stopDockerd();
    throw new HarnessError(`workload/test-image.sh --build-only failed:\n${(r.stdout + r.stderr).slice(-2500)}`);
  }
  // The id this build produced (another build may move the tag at any time; containers run by id).
  const id = /--build-only: \S+ is (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1];
  if (!id) throw new HarnessError(`workload/test-image.sh --build-only printed no image id; see ${buildLog}`);
  return { image: id, startedDockerd };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------------------------------------ the test

function printPhase(p: Phase): void {
  const w = p.wrk;
  const seconds = w.durationUs / 1e6;
  const hosts = Object.entries(w.hosts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([h, n]) => `${h} ${n}`)
    .join(', ');
  log(
    `${p.name}: ${w.requests} requests in ${seconds.toFixed(1)} s (${(w.requests / seconds).toFixed(0)}/s), ` +
      `non-200 ${non200(w)}, socket errors ${socketErrors(w)}, non-JSON ${w.nonJson}, other JSON ${w.otherShape}, glued ${w.glued}; ` +
      `latency p50 ${ms(w.latencyUs.p50)} p99 ${ms(w.latencyUs.p99)} max ${ms(w.latencyUs.max)}; by container: ${hosts}`,
  );
  for (const s of w.samples) log(`  sample: ${JSON.stringify(s)}`);
}

/** Every body was {"hostName": <one of `allowed`>}; returns the offending names. */
function strangers(p: Phase, allowed: readonly string[]): string[] {
  return Object.keys(p.wrk.hosts).filter((h) => !allowed.includes(h));
}

const checks = new Checks();

// ------------------------------------------------------------------------------------------------ setup steps

/** The durations the run waits for, all scaled by ROLLOUT_TIME_SCALE. */
interface Durations {
  readonly t: Timeouts;
  readonly steadyMs: number;
  readonly faultLeadMs: number;
  readonly downBoundMs: number;
}

/** What every phase needs. */
interface Run extends Durations {
  readonly settings: RolloutSettings;
  readonly taskCount: number;
  readonly haproxy: HAProxy;
  readonly url: string;
  readonly cluster: Cluster;
}

/** Root, haproxy and wrk, the env, an empty output directory. */
function preflight(): { scale: number; taskCount: number } {
  if (process.getuid?.() !== 0)
    throw new HarnessError('test:rollout must run as root (it runs docker, and test-image.sh may install and start it)');
  for (const tool of ['haproxy', 'wrk']) {
    if (run('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new HarnessError(`${tool} is not installed (apt-get install -y haproxy wrk)`);
  }
  const scale = envNumber('ROLLOUT_TIME_SCALE', 1, (n) => n > 0 && n <= 1, 'must be a number in (0, 1]');
  const taskCount = envNumber('ROLLOUT_TASKS', 3, (n) => Number.isInteger(n) && n >= 2 && n <= 8, 'must be an integer from 2 to 8');
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  return { scale, taskCount };
}

/** Logs what the run takes from the stack; refuses a deployment order it does not model. */
function describeSettings(settings: RolloutSettings, taskCount: number): void {
  const hc = settings.healthCheck;
  const c = settings.container;
  log(
    `${STACK}: service ${settings.serviceName} (desired ${settings.desiredCount ?? '?'}, minimum healthy ${settings.minimumHealthyPercent}%, maximum ${settings.maximumPercent}%); ` +
      `target group ${settings.targetGroupName ?? settings.targetGroupId} (${settings.targetGroupId}): ${hc.path} every ${hc.intervalS} s, timeout ${hc.timeoutS} s, ` +
      `healthy ${hc.healthyThreshold}, unhealthy ${hc.unhealthyThreshold}, matcher ${hc.matcher}, deregistration delay ${settings.deregistrationDelayS} s, ` +
      `${settings.algorithm}; idle timeout ${settings.idleTimeoutS} s from ${settings.idleTimeoutSource}`,
  );
  log(
    `task definition ${settings.taskDefinitionId}, container ${c.name}: port ${c.containerPort}, stopTimeout ${c.stopTimeoutS} s, memory ${c.memoryMiB ?? '-'}/${c.memoryReservationMiB ?? '-'} MiB, ` +
      `cpu ${c.cpuUnits ?? '-'}, read-only root ${c.readonlyRootFilesystem}, writable ${c.writablePaths.join(' ') || '-'}, env ${c.environment.map((e) => `${e.name}=${e.value}`).join(' ')}`,
  );
  if (settings.minimumHealthyPercent < 100 || Math.floor((taskCount * settings.maximumPercent) / 100) <= taskCount) {
    throw new HarnessError(
      `the service deploys with minimum healthy ${settings.minimumHealthyPercent}% / maximum ${settings.maximumPercent}%: ` +
        `ECS would not start a new task before stopping an old one, which this simulation does not model`,
    );
  }
}

function scaleDurations(settings: RolloutSettings, scale: number, taskCount: number): Durations {
  const hc = settings.healthCheck;
  // One factor for every duration the load balancer and the test choose; stopTimeout is a limit on the app's own
  // (unscaled) shutdown, not a wait, so it stays as the task definition says.
  const t: Timeouts = {
    intervalMs: Math.round(hc.intervalS * 1000 * scale),
    checkTimeoutMs: Math.round(hc.timeoutS * 1000 * scale),
    drainMs: Math.round(settings.deregistrationDelayS * 1000 * scale),
  };
  const phaseMs = (s: number) => Math.max(3000, Math.round(s * 1000 * scale));
  const steadyMs = phaseMs(60);
  const faultLeadMs = phaseMs(10);
  const downBoundMs = hc.unhealthyThreshold * t.intervalMs;
  log(
    `ROLLOUT_TIME_SCALE=${scale}: interval ${t.intervalMs} ms, check timeout ${t.checkTimeoutMs} ms, deregistration delay ${t.drainMs} ms, ` +
      `steady state ${steadyMs} ms; stopTimeout ${settings.container.stopTimeoutS} s (not scaled); ${taskCount} tasks`,
  );
  return { t, steadyMs, faultLeadMs, downBoundMs };
}

/** The image; on exit, the run's containers, its network and a dockerd it started are removed. */
function prepareDocker(): { image: string; runId: string; network: string } {
  const { image, startedDockerd } = prepareImage();
  const runId = String(process.pid);
  const network = `host-name-rollout-${runId}`;
  const cleanup = () => {
    const ids = run('docker', ['ps', '-aq', '--filter', `label=host-name-rollout=${runId}`])
      .stdout.split('\n')
      .filter(Boolean);
    if (ids.length > 0) run('docker', ['rm', '-f', ...ids]);
    run('docker', ['network', 'rm', network]);
    if (startedDockerd && process.env.KEEP_DOCKERD !== '1') stopDockerd();
  };
  process.on('exit', cleanup);
  log(`image ${image}${startedDockerd ? ' (dockerd started for this run)' : ''}`);
  return { image, runId, network };
}

/** The run's bridge network; its gateway, the address targets are reached at. */
function createNetwork(network: string, runId: string): string {
  // Targets are reached as an ALB reaches bridge-mode tasks: host address : dynamic host port, through Docker's DNAT
  // (here the address is the run's own bridge's gateway, so no traffic leaves the machine). A killed task's port then
  // refuses connections, as on an EC2 instance.
  docker('network', 'create', '--label', `host-name-rollout=${runId}`, network);
  return docker('network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', network);
}

async function startHAProxy(settings: RolloutSettings, t: Timeouts, slots: number): Promise<HAProxy> {
  const haproxy = new HAProxy(await freePort());
  await haproxy.start(haproxyConfig(settings, t, haproxy.port, haproxy.socket, slots));
  return haproxy;
}

// ------------------------------------------------------------------------------------------------ 1. N tasks

async function startTasks(r: Run): Promise<Task[]> {
  const initial: Task[] = [];
  for (let i = 1; i <= r.taskCount; i++) initial.push(await r.cluster.start(`a${i}`));
  await Promise.all(initial.map((task) => r.cluster.waitHealthy(task)));
  checks.check(
    `${r.taskCount} tasks healthy in the load balancer`,
    true,
    initial.map((x) => `${x.name} ${((x.healthyMs! - x.startedMs!) / 1000).toFixed(1)} s after docker run`).join(', '),
  );
  return initial;
}

// ------------------------------------------------------------------------------------------------ 2. steady state

/**
 * Warm-up (JIT, connection pools): rounds of WARMUP_ROUND_MS (not scaled: the JVM's warm-up is not a setting of the
 * stack) until the request rate stops climbing by more than 10%; checked, not measured.
 */
async function warmUp(r: Run): Promise<Phase[]> {
  const warmups: Phase[] = [];
  for (let round = 1; round <= WARMUP_MAX_ROUNDS; round++) {
    const load = new Load(`warm-up ${round}`, r.url);
    await sleep(WARMUP_ROUND_MS);
    warmups.push(await load.stop());
    printPhase(warmups[warmups.length - 1]);
    const rate = (p: Phase) => p.wrk.requests / p.wrk.durationUs;
    if (warmups.length >= 2 && rate(warmups[warmups.length - 1]) < 1.1 * rate(warmups[warmups.length - 2])) break;
  }
  return warmups;
}

async function steadyState(r: Run, initial: readonly Task[]): Promise<Phase> {
  const warmups = await warmUp(r);
  const steadyLoad = new Load('steady state', r.url);
  await sleep(r.steadyMs);
  const steady = await steadyLoad.stop();
  printPhase(steady);
  const initialNames = initial.map((x) => x.name);
  for (const p of [...warmups, steady]) {
    checks.check(
      `${p.name}: every response a 200 with {"hostName": <a live task>}`,
      non200(p.wrk) + socketErrors(p.wrk) + badBodies(p.wrk) === 0 && strangers(p, initialNames).length === 0 && p.wrk.requests > 0,
      `${p.wrk.requests} requests, non-200 ${non200(p.wrk)}, socket errors ${socketErrors(p.wrk)}, other bodies ${badBodies(p.wrk)}, unknown hosts ${strangers(p, initialNames).join(' ') || 'none'}`,
    );
  }
  const fair = steady.wrk.requests / r.taskCount;
  checks.check(
    'steady state: answers spread across the tasks (each at least half of an even share)',
    initialNames.every((h) => (steady.wrk.hosts[h] ?? 0) >= fair / 2),
    initialNames.map((h) => `${h} ${(((steady.wrk.hosts[h] ?? 0) / steady.wrk.requests) * 100).toFixed(1)}%`).join(', '),
  );
  return steady;
}

// ------------------------------------------------------------------------------------------------ 3. the rollout

interface Rollout {
  readonly phase: Phase;
  readonly replaced: Task[];
  readonly stops: string[];
}

/** Replaces every task, one at a time, under load; then checks what the load saw. */
async function rollOut(r: Run, initial: readonly Task[]): Promise<Rollout> {
  const before = (await r.haproxy.stats()).get(`${BACKEND}/BACKEND`)!;
  const rolloutLoad = new Load('rollout', r.url);
  await sleep(1000);
  const replaced: Task[] = [];
  const stops: string[] = [];
  for (const [i, old] of initial.entries()) {
    const fresh = await r.cluster.start(`b${i + 1}`);
    await r.cluster.waitHealthy(fresh);
    replaced.push(fresh);
    stops.push(await retire(r, old, fresh));
  }
  const phase = await rolloutLoad.stop();
  writeFileSync(join(OUT_DIR, 'stats-after-rollout.csv'), await cli(r.haproxy.socket, 'show stat'));
  const after = (await r.haproxy.stats()).get(`${BACKEND}/BACKEND`)!;
  printPhase(phase);
  checkRollout(
    r,
    phase,
    [...initial, ...replaced].map((x) => x.name),
    before,
    after,
  );
  return { phase, replaced, stops };
}

/** Deregisters the old task, drains it, stops it as ECS does; checked. Its stop, for the figures. */
async function retire(r: Run, old: Task, fresh: Task): Promise<string> {
  const slot = `${BACKEND}/${old.slot}`;
  // Deregister: no new requests from now on; those in flight complete. Counters read in the same command batch.
  await r.haproxy.command(`set server ${slot} state drain`);
  const drainStart = await r.haproxy.server(old.slot);
  await sleep(r.t.drainMs);
  const drainEnd = await r.haproxy.server(old.slot);
  await r.haproxy.command(`set server ${slot} state maint`);
  const { stopMs, exitCode } = r.cluster.stop(old);
  r.cluster.remove(old);
  const newRequests = Number(drainEnd.stot) - Number(drainStart.stot);
  checks.check(
    `replace ${old.name} by ${fresh.name}: healthy ${((fresh.healthyMs! - fresh.startedMs!) / 1000).toFixed(1)} s after start; ` +
      `no new request after deregistration (${newRequests}), ${drainEnd.scur} in flight after the drain; stopped by SIGTERM in ${stopMs} ms, exit ${exitCode}`,
    newRequests === 0 && (exitCode === 143 || exitCode === 0) && stopMs < r.settings.container.stopTimeoutS * 1000,
  );
  return `${old.name} ${stopMs} ms exit ${exitCode}`;
}

function checkRollout(r: Run, rollout: Phase, allNames: readonly string[], before: StatRow, after: StatRow): void {
  const rolloutLog = readLog(r.haproxy.logFile).filter((l) => inWindow(l, rollout));
  const delta = (k: string) => Number(after[k]) - Number(before[k]);
  const w = rollout.wrk;
  checks.check(
    'rollout: zero non-200 responses and zero socket errors',
    non200(w) === 0 && socketErrors(w) === 0 && w.requests > 0,
    `${w.requests} requests, statuses ${JSON.stringify(w.statuses)}, socket errors ${JSON.stringify(w.errors)}`,
  );
  checks.check(
    'rollout: every body is {"hostName": <a live task>}',
    badBodies(w) === 0 && strangers(rollout, allNames).length === 0,
    `non-JSON ${w.nonJson}, other JSON ${w.otherShape}, glued ${w.glued}, unknown hosts ${strangers(rollout, allNames).join(' ') || 'none'}`,
  );
  checks.check(
    'rollout: the load balancer never failed, retried or re-dispatched a request (HAProxy log and counters)',
    rolloutLog.filter(isFailure).length + rolloutLog.filter((l) => l.retries !== '0').length === 0 &&
      delta('wretr') + delta('wredis') + delta('econ') + delta('eresp') === 0,
    `abnormal log lines ${rolloutLog.filter(isFailure).length}, retried ${rolloutLog.filter((l) => l.retries !== '0').length}; ` +
      `counters: retries ${delta('wretr')}, redispatches ${delta('wredis')}, connection errors ${delta('econ')}, response errors ${delta('eresp')}`,
  );
  for (const l of rolloutLog.filter(isFailure).slice(0, 10)) log(`  haproxy: ${l.text}`);
  checks.check(
    `rollout: every task, old and new, answered`,
    allNames.every((h) => (w.hosts[h] ?? 0) > 0),
    allNames.map((h) => `${h} ${w.hosts[h] ?? 0}`).join(', '),
  );
}

// ------------------------------------------------------------------------------------------------ 4. the fault

/** The SIGKILL under load, as measured until HAProxy had seen the task die. */
interface Kill {
  readonly load: Load;
  readonly faultStart: Map<string, StatRow>;
  readonly beforeKill: StatRow;
  readonly killStartMs: number;
  readonly killEndMs: number;
  readonly sampledInFlight: number;
  readonly sawDeathMs: number;
  readonly sentDuringKill: number;
  readonly lossBound: number;
}

interface Down {
  readonly downAtMs?: number;
  readonly downRow?: StatRow;
  readonly afterDownMs: number;
  readonly afterDown: StatRow;
}

/** Everything the fault's accounting and checks read. */
interface Fault {
  readonly victim: Task;
  readonly survivors: readonly Task[];
  readonly kill: Kill;
  readonly down: Down;
  readonly phase: Phase;
  readonly faultEnd: Map<string, StatRow>;
}

interface Losses {
  readonly finishedAt: string;
  readonly deathMs: number;
  readonly failures: LogLine[];
  readonly inFlight: LogLine[];
  readonly latestAfterDeathMs: number;
  readonly truncated: number;
  readonly victimLost: number;
  readonly survivorsLost: number;
  readonly redispatched: number;
  readonly clientFailures: number;
}

/** SIGKILL one task under load: it must be marked down in time, and only the requests in flight on it may fail. */
async function sigkillFault(r: Run, replaced: readonly Task[]): Promise<Phase> {
  const victim = replaced[Math.floor(replaced.length / 2)];
  const kill = await killUnderLoad(r, victim);
  const down = await waitForDown(r, victim, kill);
  const phase = await kill.load.stop();
  const faultEnd = await r.haproxy.quiesce();
  writeFileSync(join(OUT_DIR, 'stats-after-fault.csv'), await cli(r.haproxy.socket, 'show stat'));
  printPhase(phase);
  const f: Fault = { victim, survivors: replaced.filter((x) => x !== victim), kill, down, phase, faultEnd };
  checkFault(r, f, accountForLosses(r, f));
  return phase;
}

async function killUnderLoad(r: Run, victim: Task): Promise<Kill> {
  const faultStart = await r.haproxy.quiesce();
  await r.haproxy.command('clear counters'); // max values (smax: most requests in flight at once) restart from here
  const load = new Load('SIGKILL fault', r.url);
  await sleep(r.faultLeadMs);
  const beforeKill = await r.haproxy.server(victim.slot);
  const killStartMs = Date.now();
  const killer = track(spawn('docker', ['kill', '-s', 'KILL', victim.name], { stdio: 'ignore' }));
  const killed = new Promise<number | null>((resolve) => killer.on('close', resolve));
  let killEndMs: number | undefined;
  void killed.then(() => (killEndMs = Date.now()));
  // Requests in flight on the victim while the kill is under way, sampled until HAProxy has seen it die.
  let sampledInFlight = Number(beforeKill.scur);
  let afterKill = beforeKill;
  while (killEndMs === undefined || Date.now() < killEndMs + 500) {
    afterKill = await r.haproxy.server(victim.slot);
    sampledInFlight = Math.max(sampledInFlight, Number(afterKill.scur));
    await sleep(5);
  }
  // A kill is not an instant: until the process is gone its kernel still accepts connections, and HAProxy sends
  // them requests that die with it. So what can be lost is what was in flight when the kill began plus what was
  // sent to the victim until HAProxy had seen it die (not the most in flight at once: that undercounts).
  const sawDeathMs = Date.now();
  const sentDuringKill = Number(afterKill.stot) - Number(beforeKill.stot);
  const lossBound = Number(beforeKill.scur) + sentDuringKill;
  if ((await killed) !== 0) throw new HarnessError(`docker kill -s KILL ${victim.name} failed`);
  return { load, faultStart, beforeKill, killStartMs, killEndMs, sampledInFlight, sawDeathMs, sentDuringKill, lossBound };
}

/** Polls until HAProxy marks the victim DOWN, then watches it a little longer for requests still sent to it. */
async function waitForDown(r: Run, victim: Task, kill: Kill): Promise<Down> {
  let downAtMs: number | undefined;
  let downRow: StatRow | undefined;
  const downDeadline = kill.killEndMs + r.downBoundMs + r.t.checkTimeoutMs + 10_000;
  while (Date.now() < downDeadline) {
    const row = await r.haproxy.server(victim.slot);
    if (row.status.startsWith('DOWN')) {
      downAtMs = Date.now();
      downRow = row;
      break;
    }
    await sleep(POLL_MS);
  }
  const afterDownMs = Math.max(2000, r.t.intervalMs);
  await sleep(afterDownMs);
  const afterDownStats = await r.haproxy.stats();
  const afterDown = afterDownStats.get(`${BACKEND}/${victim.slot}`)!;
  return { downAtMs, downRow, afterDownMs, afterDown };
}

function accountForLosses(r: Run, f: Fault): Losses {
  const { victim, kill, phase: fault, faultEnd } = f;
  const finishedAt = docker('inspect', '-f', '{{.State.FinishedAt}}', victim.name);
  // Docker's record of the exit: no earlier than the process's end, when the kernel closed its connections.
  const deathMs = Number.isFinite(Date.parse(finishedAt)) ? Date.parse(finishedAt) : kill.killEndMs;
  const faultLog = readLog(r.haproxy.logFile).filter((l) => inWindow(l, fault));
  const failures = faultLog.filter(isFailure);
  // Logged failures that were in flight on the victim: sent to it over an established connection no later than HAProxy
  // had seen it die. Not "no later than its death": HAProxy can still send a request on a pooled connection whose
  // reset it has not read yet (a run: Tc 0, sent 29 ms after Docker recorded the exit), as an ALB can.
  // HAProxy does not log every failure: a request that was not the first on its client connection and whose server
  // connection closed before any answer gets its client connection closed without a response and without a log line
  // (http_ana.c, abort_keep_alive); the client counts those as read errors. Hence the bound below: the client's failures against HAProxy's counters, and what it lost
  // against lossBound (in flight as the kill began + sent to it until HAProxy saw it die).
  const inFlight = failures.filter((l) => l.server === victim.slot && l.sentMs !== undefined && l.sentMs <= kill.sawDeathMs);
  const latestAfterDeathMs = Math.max(0, ...inFlight.map((l) => l.sentMs! - deathMs));
  const truncated = inFlight.filter((l) => l.status === 200).length;
  // HAProxy's counters account for every request, logged or not. Per target, between two moments with nothing in
  // flight: requests assigned to it, minus those it answered (any status), minus those re-dispatched elsewhere after a
  // refused connect, minus those the client gave up before an answer (wrk stopping: logged, C...), is the requests it
  // never answered. For the victim these are exactly the requests that died with it; for the others, zero.
  const unanswered = (slot: string) => {
    const [a, b] = [kill.faultStart.get(`${BACKEND}/${slot}`)!, faultEnd.get(`${BACKEND}/${slot}`)!];
    const d = (k: string) => Number(b[k] || 0) - Number(a[k] || 0);
    const answered = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'].reduce((n, k) => n + d(k), 0);
    const clientGaveUp = faultLog.filter((l) => l.server === slot && l.termination[0] === 'C' && l.status < 100).length;
    return d('stot') - answered - d('wredis') - clientGaveUp;
  };
  const victimLost = unanswered(victim.slot);
  const redispatched = faultLog.filter((l) => l.retries.startsWith('+') && !isFailure(l)).length;
  const clientFailures = non200(fault.wrk) + socketErrors(fault.wrk);
  const survivorsLost = f.survivors.map((x) => x.slot).reduce((n, slot) => n + unanswered(slot), 0);
  return {
    finishedAt,
    deathMs,
    failures,
    inFlight,
    latestAfterDeathMs,
    truncated,
    victimLost,
    survivorsLost,
    redispatched,
    clientFailures,
  };
}

function checkFault(r: Run, f: Fault, x: Losses): void {
  const { victim, kill, phase: fault } = f;
  const { downAtMs, downRow, afterDownMs, afterDown } = f.down;
  const { beforeKill, sentDuringKill, killStartMs } = kill;
  const hc = r.settings.healthCheck;
  // The bound runs from the task's death (the kill command itself takes up to a second on a busy machine).
  const downMs = downAtMs === undefined ? undefined : downAtMs - x.deathMs;
  log(
    `fault: SIGKILL ${victim.name} at ${new Date(killStartMs).toISOString().slice(11, 23)}, docker kill returned after ${kill.killEndMs - killStartMs} ms, ` +
      `exit recorded at ${x.finishedAt.slice(11, 23)}; requests in flight on it: ${beforeKill.scur} just before, up to ${kill.sampledInFlight} sampled during the kill, ` +
      `at most ${afterDown.smax} at once in this phase (smax), ${sentDuringKill} sent to it during the kill; marked DOWN ${downMs ?? '-'} ms after its exit (${downRow?.check_status ?? '?'}); ` +
      `${x.redispatched} requests re-dispatched to another task after a refused connect`,
  );
  for (const l of x.failures.slice(0, 10)) log(`  haproxy: ${l.text}`);
  checks.check(
    `fault: ${victim.name} marked down within unhealthyThreshold x interval (${hc.unhealthyThreshold} x ${r.t.intervalMs} ms = ${r.downBoundMs} ms, + ${r.t.checkTimeoutMs} ms check timeout)`,
    downMs !== undefined && downMs <= r.downBoundMs + r.t.checkTimeoutMs,
    `${downMs ?? 'never'} ms after its exit, ${downAtMs === undefined ? '-' : downAtMs - killStartMs} ms after docker kill began`,
  );
  const fw = fault.wrk;
  checks.check(
    `fault: failures bounded to what was in flight on ${victim.name}`,
    x.failures.length === x.inFlight.length &&
      x.clientFailures === x.victimLost + x.truncated &&
      x.survivorsLost === 0 &&
      x.victimLost <= kill.lossBound,
    `${x.clientFailures} failed at the client (statuses ${JSON.stringify(fw.statuses)}, socket errors ${JSON.stringify(fw.errors)}) = ` +
      `${x.victimLost} requests HAProxy sent to ${victim.name} that it never answered + ${x.truncated} answers it cut off; ` +
      `${x.survivorsLost} unanswered on the other tasks; lost ${x.victimLost} <= ${beforeKill.scur} in flight as the kill began + ${sentDuringKill} sent to it until HAProxy saw it die; HAProxy logged ${x.failures.length} abnormal, ${x.inFlight.length} of them sent to ${victim.name} before HAProxy saw it die (the latest ${x.latestAfterDeathMs} ms after its exit) ` +
      `(the others closed the client's keep-alive connection without a response or a log line)`,
  );
  checks.check(
    `fault: no request sent to ${victim.name} once it was down`,
    downRow !== undefined && afterDown.stot === downRow.stot,
    `sessions ${downRow?.stot ?? '?'} at DOWN, ${afterDown.stot} ${afterDownMs} ms later`,
  );
  const survivors = f.survivors.map((s) => s.name);
  checks.check(
    'fault: every 200 is {"hostName": <a live task>}, and the other tasks kept answering',
    fw.nonJson === non200(fw) &&
      fw.otherShape === 0 &&
      fw.glued <= x.truncated &&
      strangers(fault, [...survivors, victim.name]).length === 0 &&
      survivors.every((h) => (fw.hosts[h] ?? 0) > 0),
    `non-JSON ${fw.nonJson} (= the non-200: HAProxy's error pages), glued ${fw.glued} (<= ${x.truncated} cut off), ` +
      `${survivors.map((h) => `${h} ${fw.hosts[h] ?? 0}`).join(', ')}, ${victim.name} ${fw.hosts[victim.name] ?? 0}`,
  );
}

// ------------------------------------------------------------------------------------------------ figures

function printFigures(phases: readonly Phase[], stops: readonly string[]): void {
  console.log('');
  console.log('phase            requests    req/s  non-200  socket-errors      p50        p99        max');
  for (const p of phases) {
    const x = p.wrk;
    const s = x.durationUs / 1e6;
    console.log(
      `${p.name.padEnd(15)} ${String(x.requests).padStart(9)} ${(x.requests / s).toFixed(0).padStart(8)} ${String(non200(x)).padStart(8)} ` +
        `${String(socketErrors(x)).padStart(14)} ${ms(x.latencyUs.p50).padStart(10)} ${ms(x.latencyUs.p99).padStart(10)} ${ms(x.latencyUs.max).padStart(10)}`,
    );
  }
  console.log(`stops: ${stops.join(', ')}`);
  console.log(`logs: ${OUT_DIR}`);
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<number> {
  const { scale, taskCount } = preflight();
  const settings = synthesize();
  describeSettings(settings, taskCount);
  const durations = scaleDurations(settings, scale, taskCount);

  const { image, runId, network } = prepareDocker();
  const gateway = createNetwork(network, runId);
  const slots = 2 * taskCount + 1;
  const haproxy = await startHAProxy(settings, durations.t, slots);
  const r: Run = {
    ...durations,
    settings,
    taskCount,
    haproxy,
    url: `http://127.0.0.1:${haproxy.port}/host-name`,
    cluster: new Cluster(settings, image, network, gateway, haproxy, slots, runId),
  };

  const initial = await startTasks(r);
  const steady = await steadyState(r, initial);
  const rollout = await rollOut(r, initial);
  const fault = await sigkillFault(r, rollout.replaced);

  printFigures([steady, rollout.phase, fault], rollout.stops);
  console.log(`${checks.passed} passed, ${checks.failed} failed`);
  return checks.failed === 0 ? 0 : 1;
}

// Children first, then (registered later, in prepareDocker) the containers, the network and a dockerd this run started.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof HarnessError ? `error: ${error.message}` : error);
    checks.check('the run completed', false);
    console.log(`${checks.passed} passed, ${checks.failed} failed`);
    process.exit(1);
  },
);
