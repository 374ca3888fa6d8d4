/**
 * What the modes of `npm run test:rollout` share (harness/rollout.ts: rolling; harness/rollout-blue-green.ts:
 * blue/green; harness/rollout-spot-interruption.ts: the Spot drill): HAProxy playing the ALB and its runtime API, the wrk load and its checked results, HAProxy's log,
 * tasks as containers of the image run with the task definition, and the setup steps.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { readRolloutSettings, RolloutSettings, SettingsError } from './rollout-settings';
import { HarnessError, PROJECT_ROOT, WORK_DIR } from './terraform';
import { dockerRunning, stopDockerd } from './docker-engine';

export const OUT_DIR = join(WORK_DIR, 'rollout');
export const STACK = 'host-name-dev';
const SYNTH_FILE = join(PROJECT_ROOT, 'cdktf.out', 'stacks', STACK, 'cdk.tf.json');
const LUA = join(PROJECT_ROOT, 'harness', 'rollout.lua');
export const BACKEND = 'tasks';
/** Its own tag: test-image.sh removes the previous image of the tag it builds, which must not be the one running here. */
const ROLLOUT_TAG = 'host-name:rollout';
/** The seed's load shape. */
const WRK_THREADS = 4;
const WRK_CONNECTIONS = 300;
/** ALB's connection timeout to targets (a documented constant, not a setting of the stack). */
const ALB_CONNECT_TIMEOUT_S = 10;
/** How long a new task may take to become healthy in the load balancer (JVM start on a busy 2-core machine). */
export const READY_TIMEOUT_S = 180;
export const POLL_MS = 100;
const WARMUP_ROUND_MS = 5000;
const WARMUP_MAX_ROUNDS = 12;

// ------------------------------------------------------------------------------------------------ small helpers

/** Child processes (haproxy, wrk) to stop however the run ends. */
export const children = new Set<ChildProcess>();
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const stamp = () => new Date().toISOString().slice(11, 23);
export const log = (line: string) => console.log(`[rollout ${stamp()}] ${line}`);
export const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

export function envNumber(name: string, fallback: number, valid: (n: number) => boolean, what: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !valid(n)) throw new HarnessError(`${name}=${raw}: ${what}`);
  return n;
}

export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutS?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    encoding: 'utf8',
    env: options.env ?? process.env,
    timeout: (options.timeoutS ?? 120) * 1000,
    cwd: PROJECT_ROOT,
  });
}

/** docker CLI without blocking (several at once); its stdout, trimmed; throws with its stderr on failure. */
export function dockerAsync(args: string[], timeoutS = 120): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = track(spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutS * 1000 }));
    let [out, err] = ['', ''];
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new HarnessError(`docker ${args.join(' ')}: ${err.trim()}`))));
  });
}

/** docker CLI; its stdout, trimmed; throws with its stderr on failure. */
export function docker(...args: string[]): string {
  const r = run('docker', args);
  if (r.status !== 0) throw new HarnessError(`docker ${args.join(' ')}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout.trim();
}

export class Checks {
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
export function cli(socket: string, command: string): Promise<string> {
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

export type StatRow = Record<string, string>;

export class HAProxy {
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
  async quiesce(backends: readonly string[] = [BACKEND]): Promise<Map<string, StatRow>> {
    for (let i = 0; i < 150; i++) {
      const stats = await this.stats();
      if (backends.every((b) => Number(stats.get(`${b}/BACKEND`)?.scur) === 0)) return stats;
      await sleep(100);
    }
    throw new HarnessError('HAProxy still has requests in flight 15 s after the load stopped');
  }

  async server(slot: string, backend = BACKEND): Promise<StatRow> {
    const row = (await this.stats()).get(`${backend}/${slot}`);
    if (!row) throw new HarnessError(`HAProxy has no server ${backend}/${slot}`);
    return row;
  }
}

export interface Timeouts {
  intervalMs: number;
  checkTimeoutMs: number;
  drainMs: number;
}

/** HAProxy's global and defaults sections: the ALB's timeouts and connection handling. */
export function haproxyHead(s: RolloutSettings, t: Timeouts, socket: string): string {
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
`;
}

/** A backend playing a target group of the stack: its algorithm, health check and thresholds, and empty target slots. */
export function haproxyBackend(s: RolloutSettings, t: Timeouts, tg: TargetGroup): string {
  const hc = s.healthCheck;
  const algorithm: Record<string, string> = {
    round_robin: 'roundrobin',
    least_outstanding_requests: 'leastconn',
    weighted_random: 'random',
  };
  const balance = algorithm[s.algorithm];
  if (!balance) throw new HarnessError(`target group algorithm ${s.algorithm} has no HAProxy equivalent here`);
  return `backend ${tg.backend}
    balance ${balance}
    option httpchk
    http-check send meth GET uri ${hc.path} ver HTTP/1.1 hdr Host target hdr User-Agent ELB-HealthChecker/2.0
    http-check expect status ${hc.matcher}
    default-server check inter ${t.intervalMs}ms fastinter ${t.intervalMs}ms downinter ${t.intervalMs}ms rise ${hc.healthyThreshold} fall ${hc.unhealthyThreshold}${s.slowStartS > 0 ? ` slowstart ${s.slowStartS}s` : ''}
    # Target slots: a task is registered with "set server ... addr", deregistered with drain, then maint.
    server-template ${tg.prefix} 1-${tg.slots} 127.0.0.1:1 disabled
`;
}

/** The whole configuration for one listener forwarding to one target group (the rolling and Spot interruption modes). */
export function listenerConfig(s: RolloutSettings, t: Timeouts, port: number, socket: string, tg: TargetGroup): string {
  return `${haproxyHead(s, t, socket)}
frontend alb
    bind 127.0.0.1:${port}
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    default_backend ${tg.backend}

${haproxyBackend(s, t, tg)}`;
}

// ------------------------------------------------------------------------------------------------ wrk

export interface WrkResult {
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
  /** Responses per target group tag, and hosts per "tag|host" (blue/green mode; empty otherwise). */
  routed: Record<string, number>;
  routedHosts: Record<string, number>;
}

export interface Phase {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly wrk: WrkResult;
}

export const non200 = (w: WrkResult) => Object.entries(w.statuses).reduce((n, [code, count]) => n + (code === '200' ? 0 : count), 0);
export const socketErrors = (w: WrkResult) => w.errors.connect + w.errors.read + w.errors.write + w.errors.timeout;
/** Responses that were not a 200 with exactly {"hostName": ...} (glued bodies: see rollout.lua). */
export const badBodies = (w: WrkResult) => w.nonJson + w.otherShape + w.glued;

/** wrk -t4 -c300 through HAProxy until stopped (SIGINT: wrk prints its summary as after -d). */
export class Load {
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

export interface LogLine {
  readonly receivedMs: number; // the request was fully received (accept date + Tq)
  readonly sentMs?: number; // it was sent to the server (+ Tw + Tc), when a connection was made
  readonly server: string;
  readonly status: number;
  readonly termination: string;
  readonly retries: string;
  readonly text: string;
}

export function readLog(file: string): LogLine[] {
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
export const isFailure = (l: LogLine) => l.termination[0] !== 'C' && (l.status < 100 || l.status >= 500 || l.termination !== '--');
export const inWindow = (l: LogLine, p: { startMs: number; endMs: number }) => l.receivedMs >= p.startMs && l.receivedMs <= p.endMs;

// ------------------------------------------------------------------------------------------------ tasks

export interface Task {
  readonly name: string; // container name = its --hostname
  readonly backend: string; // HAProxy backend: the target group it is registered with
  readonly slot: string; // HAProxy server slot
  hostPort?: number;
  /** The target's registered address and port: the bridge gateway and host port, or (awsvpc) the task's own. */
  address?: string;
  port?: number;
  startedMs?: number;
  healthyMs?: number;
}

/** An HAProxy backend playing a target group: its name, and its `server-template <prefix> 1-<slots>`. */
export interface TargetGroup {
  readonly backend: string;
  readonly prefix: string;
  readonly slots: number;
}

export interface StartOptions {
  /** The backend to register with; the first target group when unset. */
  readonly backend?: string;
  /** Variables added to the task definition's environment (a revision that differs from the synthesized one). */
  readonly environment?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** awsvpc, as Fargate runs a task: no host port, and the target is an `ip` target, the task's own address and container port. */
  readonly awsvpc?: boolean;
}

export class Cluster {
  readonly tasks: Task[] = [];
  private readonly nextSlot = new Map<string, number>();

  constructor(
    private readonly settings: RolloutSettings,
    private readonly image: string,
    private readonly network: string,
    private readonly gateway: string,
    private readonly haproxy: HAProxy,
    private readonly targetGroups: readonly TargetGroup[],
    private readonly runId: string,
  ) {}

  /** docker run as ECS would for the task definition (bridge mode, dynamic host port; or awsvpc), then register the target. */
  async start(label: string, options: StartOptions = {}): Promise<Task> {
    const tg = this.targetGroups.find((g) => g.backend === (options.backend ?? this.targetGroups[0].backend));
    if (!tg) throw new HarnessError(`no target group ${options.backend}`);
    const slot = this.nextSlot.get(tg.backend) ?? 1;
    if (slot > tg.slots) throw new HarnessError(`out of HAProxy server slots in ${tg.backend}`);
    this.nextSlot.set(tg.backend, slot + 1);
    const c = this.settings.container;
    const task: Task = { name: `ro${this.runId}-${label}`, backend: tg.backend, slot: `${tg.prefix}${slot}` };
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
    if (!options.awsvpc) args.push('-p', `${this.gateway}::${c.containerPort}`);
    if (c.memoryMiB) args.push('-m', `${c.memoryMiB}m`);
    if (c.memoryReservationMiB) args.push('--memory-reservation', `${c.memoryReservationMiB}m`);
    if (c.cpuUnits && c.cpuUnits >= 2) args.push('--cpu-shares', String(c.cpuUnits));
    if (c.readonlyRootFilesystem) args.push('--read-only');
    for (const path of c.writablePaths) args.push('--tmpfs', path);
    if (c.user) args.push('--user', c.user);
    for (const e of [...c.environment, ...(options.environment ?? [])]) args.push('-e', `${e.name}=${e.value}`);
    args.push(this.image);
    this.tasks.push(task);
    task.startedMs = Date.now();
    await dockerAsync(args);
    if (options.awsvpc) {
      task.address = await dockerAsync(['inspect', '-f', `{{(index .NetworkSettings.Networks "${this.network}").IPAddress}}`, task.name]);
      task.port = c.containerPort;
    } else {
      const mapping = (await dockerAsync(['port', task.name, `${c.containerPort}/tcp`])).split('\n')[0];
      task.hostPort = Number(mapping.slice(mapping.lastIndexOf(':') + 1));
      [task.address, task.port] = [this.gateway, task.hostPort];
    }
    // Registered like an ALB target in state "initial": no traffic (drain) and health down, so it takes traffic only
    // after healthyThreshold consecutive passing checks. (Leaving maintenance, HAProxy would otherwise start the
    // server UP with a single check pending.)
    const s = `${task.backend}/${task.slot}`;
    await this.haproxy.command(`set server ${s} addr ${task.address} port ${task.port}`);
    await this.haproxy.command(`set server ${s} state drain; set server ${s} health down`);
    return task;
  }

  /** Waits until HAProxy has seen the target pass healthyThreshold checks, then puts it in rotation. */
  async waitHealthy(task: Task): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_S * 1000;
    for (let i = 0; Date.now() < deadline; i++) {
      const row = await this.haproxy.server(task.slot, task.backend);
      if (Number(row.check_health) >= Number(row.check_rise)) {
        await this.haproxy.command(`set server ${task.backend}/${task.slot} state ready`);
        task.healthyMs = Date.now();
        return;
      }
      if (i % 20 === 19 && docker('inspect', '-f', '{{.State.Running}}', task.name) !== 'true') {
        throw new HarnessError(`task ${task.name} exited before it became healthy:\n${this.logs(task).slice(-2000)}`);
      }
      await sleep(POLL_MS);
    }
    throw new HarnessError(
      `task ${task.name} not healthy in the load balancer within ${READY_TIMEOUT_S} s (last check: ${(await this.haproxy.server(task.slot, task.backend)).check_status})`,
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

  /** Stops tasks together, as ECS stops a task set's, each as stop() does; keeps their logs and removes them. */
  stopAndRemove(tasks: readonly Task[]): Promise<Array<{ stopMs: number; exitCode: number }>> {
    const stopTimeoutS = this.settings.container.stopTimeoutS;
    return Promise.all(
      tasks.map(async (task) => {
        const t0 = Date.now();
        await dockerAsync(['stop', '-t', String(stopTimeoutS), task.name], stopTimeoutS + 60);
        const stopMs = Date.now() - t0;
        const exitCode = Number(await dockerAsync(['inspect', '-f', '{{.State.ExitCode}}', task.name]));
        writeFileSync(join(OUT_DIR, `${task.name}.log`), this.logs(task));
        await dockerAsync(['rm', '-f', task.name]);
        return { stopMs, exitCode };
      }),
    );
  }
}

// ------------------------------------------------------------------------------------------------ setup

export function synthesize(): RolloutSettings {
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
export function prepareImage(): { image: string; startedDockerd: boolean } {
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

export function freePort(): Promise<number> {
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

export function printPhase(p: Phase): void {
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
export function strangers(p: Phase, allowed: readonly string[]): string[] {
  return Object.keys(p.wrk.hosts).filter((h) => !allowed.includes(h));
}

export const checks = new Checks();

// ------------------------------------------------------------------------------------------------ setup steps

/** Root, haproxy and wrk, the env, an empty output directory. */
export function preflight(): { scale: number; taskCount: number } {
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

/** Logs what the run takes from the stack. */
export function describeSettings(settings: RolloutSettings): void {
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
}

/**
 * The load balancer's durations scaled by ROLLOUT_TIME_SCALE: one factor for every duration the load balancer and the
 * test choose. stopTimeout is a limit on the app's own (unscaled) shutdown, not a wait, so it stays as the task
 * definition says.
 */
export function scaledTimeouts(settings: RolloutSettings, scale: number): Timeouts {
  const hc = settings.healthCheck;
  return {
    intervalMs: Math.round(hc.intervalS * 1000 * scale),
    checkTimeoutMs: Math.round(hc.timeoutS * 1000 * scale),
    drainMs: Math.round(settings.deregistrationDelayS * 1000 * scale),
  };
}

/** A phase of the test of `s` seconds at scale 1, scaled, and at least 3 s. */
export const phaseMs = (s: number, scale: number) => Math.max(3000, Math.round(s * 1000 * scale));

/** The image; on exit, the run's containers, its network and a dockerd it started are removed. */
export function prepareDocker(): { image: string; runId: string; network: string } {
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
export function createNetwork(network: string, runId: string): string {
  // Targets are reached as an ALB reaches bridge-mode tasks: host address : dynamic host port, through Docker's DNAT
  // (here the address is the run's own bridge's gateway, so no traffic leaves the machine). A killed task's port then
  // refuses connections, as on an EC2 instance. awsvpc tasks are reached at their own addresses on this network.
  docker('network', 'create', '--label', `host-name-rollout=${runId}`, network);
  return docker('network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', network);
}

/** HAProxy on a free port, with the configuration `config` writes for that port and runtime API socket. */
export async function startHAProxy(config: (port: number, socket: string) => string): Promise<HAProxy> {
  const haproxy = new HAProxy(await freePort());
  await haproxy.start(config(haproxy.port, haproxy.socket));
  return haproxy;
}
// ------------------------------------------------------------------------------------------------ figures

export function printFigures(phases: readonly Phase[], stops: readonly string[]): void {
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

// ------------------------------------------------------------------------------------------------ warm-up

/**
 * Warm-up (JIT, connection pools): rounds of WARMUP_ROUND_MS (not scaled: the JVM's warm-up is not a setting of the
 * stack) until the request rate stops climbing by more than 10%; checked, not measured.
 */
export async function warmUp(url: string): Promise<Phase[]> {
  const warmups: Phase[] = [];
  for (let round = 1; round <= WARMUP_MAX_ROUNDS; round++) {
    const load = new Load(`warm-up ${round}`, url);
    await sleep(WARMUP_ROUND_MS);
    warmups.push(await load.stop());
    printPhase(warmups[warmups.length - 1]);
    const rate = (p: Phase) => p.wrk.requests / p.wrk.durationUs;
    if (warmups.length >= 2 && rate(warmups[warmups.length - 1]) < 1.1 * rate(warmups[warmups.length - 2])) break;
  }
  return warmups;
}
