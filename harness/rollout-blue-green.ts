/**
 * `npm run test:rollout -- blue-green`: CodeDeploy's blue/green deployment of the dev service (ECS deployment
 * controller CODE_DEPLOY, all at once as CodeDeployDefault.ECSAllAtOnce) on a real load balancer, under the seed's load.
 *
 * HAProxy plays the ALB as CodeDeploy's deployment group sets it up: two target groups (backends blue and green, each
 * with dev's synthesized health check, thresholds and deregistration delay: the stack has one target group, the second
 * is its twin), a production listener and a test listener. Each listener forwards to the target group its entry in a
 * map names; CodeDeploy's reroutes are `set map` over the runtime API. One deployment runs CodeDeploy's lifecycle
 * events for ECS in order, each hook able to fail it (AppSpec hooks AfterInstall, AfterAllowTestTraffic,
 * BeforeAllowTraffic; a failure rolls back as CodeDeploy's automatic rollback does):
 *   Install               the replacement task set: N tasks started and registered with the other target group;
 *   AfterInstall          each replacement target turns healthy there (a failing one is judged after ECS's grace period);
 *   TestTraffic           the test listener to the replacement's target group;
 *   AfterAllowTestTraffic the health path and the route through the test listener, answered by every replacement task;
 *   BeforeAllowTraffic    every replacement target still healthy;
 *   AllowTraffic          the production listener to the replacement's target group: one `set map` (the flip);
 *   AfterAllowTraffic     then the termination wait, and the original task set is deleted: its targets deregistered,
 *                         drained for the deregistration delay, stopped (SIGTERM, stopTimeout).
 * Rollback: both listeners back on the original target group, the replacement task set deleted.
 *
 * The run: the original task set (revision 1, blue); a deployment of revision 2 to green that must succeed; a
 * deployment of a revision whose readiness answers 503 (to blue: CodeDeploy alternates the target groups) that must
 * fail in AfterInstall and roll back. Each deployment under `wrk -t4 -c300` through the production listener, every
 * response tagged by HAProxy with the target group it was routed to. Prints PASS/FAIL per check and
 * `N passed, M failed`. Env as the rolling mode's (harness/rollout.ts). See harness/README.md.
 */
import { get } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RolloutSettings } from './rollout-settings';
import { HarnessError } from './terraform';
import {
  badBodies,
  checks,
  cli,
  Cluster,
  createNetwork,
  describeSettings,
  docker,
  freePort,
  HAProxy,
  haproxyBackend,
  haproxyHead,
  inWindow,
  isFailure,
  Load,
  log,
  non200,
  OUT_DIR,
  Phase,
  phaseMs,
  POLL_MS,
  preflight,
  prepareDocker,
  printFigures,
  printPhase,
  READY_TIMEOUT_S,
  readLog,
  scaledTimeouts,
  sleep,
  socketErrors,
  startHAProxy,
  StatRow,
  strangers,
  synthesize,
  TargetGroup,
  Task,
  Timeouts,
  WrkResult,
} from './rollout-kit';

const BLUE = 'blue';
const GREEN = 'green';
/** The listeners: their keys in the routes map. */
const PRODUCTION = 'production';
const TEST = 'test';
const ROUTE = '/host-name';
/** Requests per replacement task to each of the health path and the route in AfterAllowTestTraffic. */
const VALIDATION_ROUNDS = 3;
/**
 * A broken revision: dev's task definition plus a readiness group that also requires 1000 TB of free disk. The app
 * starts and answers its route, but its health path answers 503: only the load balancer's health check stops it.
 */
type Revision = ReadonlyArray<{ readonly name: string; readonly value: string }>;
const BROKEN_REVISION: Revision = [
  { name: 'MANAGEMENT_ENDPOINT_HEALTH_GROUP_READINESS_INCLUDE', value: 'readinessState,diskSpace' },
  { name: 'MANAGEMENT_HEALTH_DISKSPACE_THRESHOLD', value: '1000TB' },
];

interface BlueGreen {
  readonly settings: RolloutSettings;
  readonly taskCount: number;
  readonly t: Timeouts;
  /** ECS's health check grace period, not scaled: like stopTimeout it bounds the app's own start. */
  readonly graceMs: number;
  /** CodeDeploy's termination wait: the stack has no deployment group, so a short scaled phase. */
  readonly terminationWaitMs: number;
  readonly haproxy: HAProxy;
  readonly cluster: Cluster;
  readonly productionUrl: string;
  readonly testPort: number;
  /** The map file whose entries are the listeners' target groups. */
  readonly routes: string;
}

// ------------------------------------------------------------------------------------------------ the load balancer

export function blueGreenConfig(
  s: RolloutSettings,
  t: Timeouts,
  socket: string,
  ports: Record<string, number>,
  routes: string,
  tgs: readonly TargetGroup[],
): string {
  const listener = (name: string) => `frontend ${name}
    bind 127.0.0.1:${ports[name]}
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    # The listener's forward action: the target group its entry in the map names, looked up once per request and
    # used for both the backend and the tag, so a "set map" moves the listener at once and no request is split.
    http-request set-var(txn.target_group) str(${name}),map(${routes})
    use_backend %[var(txn.target_group)]
    # The target group the request was routed to, counted per host by rollout.lua (HAProxy's own errors included).
    http-after-response set-header X-Rollout-Target-Group %[var(txn.target_group)]
`;
  return `${haproxyHead(s, t, socket)}
${listener(PRODUCTION)}
${listener(TEST)}
${tgs.map((tg) => haproxyBackend(s, t, tg)).join('\n')}`;
}

/** Blue holds the original task set and the failed deployment's replacement; green one replacement. */
export const targetGroups = (taskCount: number): TargetGroup[] => [
  { backend: BLUE, prefix: 'b', slots: 2 * taskCount },
  { backend: GREEN, prefix: 'g', slots: 2 * taskCount },
];

/**
 * The flip. Why a map entry and not `set server` per target: one command moves the whole listener, and each request
 * reads the entry once (HAProxy runs one thread here; a map update is atomic for a lookup anyway), so a request goes
 * wholly to the old or the new target group, never to neither or both; as an ALB's ModifyListener changes the forward
 * action of the listener. Enabling and disabling servers would take 2N commands with a window between them.
 */
async function reroute(bg: BlueGreen, listener: string, backend: string): Promise<void> {
  await bg.haproxy.command(`set map ${bg.routes} ${listener} ${backend}`);
  log(`${listener} listener -> ${backend}`);
}

/** Each listener's target group, as HAProxy has it now. */
async function listeners(bg: BlueGreen): Promise<Record<string, string>> {
  const out = await bg.haproxy.command(`show map ${bg.routes}`);
  const entries = out.split('\n').map((l) => l.trim().split(/\s+/));
  return Object.fromEntries(entries.filter((f) => f.length === 3).map(([, key, value]) => [key, value]));
}

// ------------------------------------------------------------------------------------------------ target health

type Health = { readonly healthy: true; readonly after: string } | { readonly healthy: false; readonly why: string };

/**
 * Watches a new target until the ALB calls it healthy (healthyThreshold passing checks; then it is put in rotation),
 * or ECS would replace it: its container exited, or after the grace period it had been failing checks for
 * unhealthyThreshold x interval since it first answered one wrongly (a status the matcher refuses, an invalid answer;
 * a timeout on the way neither starts nor ends the stretch: scaled check timeouts on a busy machine). A target that
 * never answers is judged at READY_TIMEOUT_S: the JVM's start on this machine, not a setting of the stack.
 */
async function targetHealth(bg: BlueGreen, task: Task): Promise<Health> {
  const failFor = bg.settings.healthCheck.unhealthyThreshold * bg.t.intervalMs;
  const since = (ms: number) => `${((ms - task.startedMs!) / 1000).toFixed(1)} s after docker run`;
  let failing: { since: number; first: string } | undefined;
  let row: StatRow | undefined;
  for (let i = 0; Date.now() < task.startedMs! + READY_TIMEOUT_S * 1000; i++) {
    row = await bg.haproxy.server(task.slot, task.backend);
    if (Number(row.check_health) >= Number(row.check_rise)) {
      await bg.cluster.waitHealthy(task);
      return { healthy: true, after: since(task.healthyMs!) };
    }
    const now = Date.now();
    const status = row.check_status.replace('* ', '');
    if (Number(row.check_health) > 0 || !/^L7(STS|RSP|TOUT)$/.test(status)) failing = undefined;
    else if (!failing && status !== 'L7TOUT') failing = { since: now, first: `${status} ${row.check_code}` };
    if (failing && now - failing.since >= failFor && now - task.startedMs! >= bg.graceMs) {
      return { healthy: false, why: `unhealthy: ${failing.first} since ${since(failing.since)}, last ${status} ${row.check_code}` };
    }
    if (i % 20 === 19 && docker('inspect', '-f', '{{.State.Running}}', task.name) !== 'true') {
      return { healthy: false, why: `exited ${docker('inspect', '-f', '{{.State.ExitCode}}', task.name)}, ${since(now)}` };
    }
    await sleep(POLL_MS);
  }
  return { healthy: false, why: `not healthy within ${READY_TIMEOUT_S} s (last check ${row?.check_status})` };
}

// ------------------------------------------------------------------------------------------------ the test listener

interface Validation {
  readonly sent: number;
  readonly failures: readonly string[];
  readonly hosts: Readonly<Record<string, number>>;
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} through the test listener timed out`)));
    req.on('error', reject);
  });
}

/** An ALB matcher ("200", "200,202", "200-299") against a status. */
export function statusMatches(matcher: string, status: number): boolean {
  return matcher.split(',').some((part) => {
    const [low, high = low] = part.split('-').map(Number);
    return status >= low && status <= high;
  });
}

/**
 * AfterAllowTestTraffic: what a validation hook does through the test listener: the health path must match the
 * matcher and the route must answer {"hostName": <a replacement task>}, from every replacement task. Each path in a
 * run of its own, so that round robin reaches every task whatever their number.
 */
async function validate(bg: BlueGreen, replacement: readonly Task[]): Promise<Validation> {
  const hc = bg.settings.healthCheck;
  const names = replacement.map((x) => x.name);
  const failures: string[] = [];
  const hosts: Record<string, number> = {};
  let sent = 0;
  for (const path of [hc.path, ROUTE]) {
    for (let i = 0; i < VALIDATION_ROUNDS * replacement.length; i++, sent++) {
      const { status, body } = await httpGet(bg.testPort, path).catch((e: Error) => ({ status: 0, body: e.message }));
      const host = /^\{"hostName":"([^"\\]+)"\}$/.exec(body)?.[1];
      if (path === hc.path ? !statusMatches(hc.matcher, status) : status !== 200 || !host || !names.includes(host)) {
        failures.push(`${path}: ${status} ${body.slice(0, 100)}`);
      } else if (host) hosts[host] = (hosts[host] ?? 0) + 1;
    }
  }
  return { sent, failures, hosts };
}

// ------------------------------------------------------------------------------------------------ task sets

/** Install: the replacement task set's tasks, started as ECS does and registered with `backend`. */
async function install(bg: BlueGreen, revision: string, backend: string, environment?: Revision): Promise<Task[]> {
  const labels = Array.from({ length: bg.taskCount }, (_, i) => `${revision}-${i + 1}`);
  const tasks = await Promise.all(labels.map((label) => bg.cluster.start(label, { backend, environment })));
  log(`Install: ${tasks.map((x) => x.name).join(', ')} registered with ${backend}`);
  return tasks;
}

interface Deleted {
  readonly task: Task;
  readonly newRequests: number;
  readonly inFlight: number;
  readonly stopMs: number;
  readonly exitCode: number;
}

/** Deletes a task set as ECS does: deregister its targets (drain), wait the deregistration delay, stop each task. */
async function deleteTaskSet(bg: BlueGreen, tasks: readonly Task[]): Promise<Deleted[]> {
  for (const x of tasks) await bg.haproxy.command(`set server ${x.backend}/${x.slot} state drain`);
  const start = await bg.haproxy.stats();
  await sleep(bg.t.drainMs);
  const end = await bg.haproxy.stats();
  for (const x of tasks) await bg.haproxy.command(`set server ${x.backend}/${x.slot} state maint`);
  const stops = await bg.cluster.stopAndRemove(tasks);
  log(`deleted ${tasks.map((x) => x.name).join(', ')}`);
  return tasks.map((x, i) => {
    const [a, b] = [start.get(`${x.backend}/${x.slot}`)!, end.get(`${x.backend}/${x.slot}`)!];
    return { task: x, newRequests: Number(b.stot) - Number(a.stot), inFlight: Number(b.scur), ...stops[i] };
  });
}

// ------------------------------------------------------------------------------------------------ one deployment

/** What a deployment did, for its checks. */
interface Outcome {
  readonly from: string;
  readonly to: string;
  readonly original: readonly Task[];
  readonly replacement: readonly Task[];
  readonly health: readonly Health[];
  readonly validation?: Validation;
  /** The lifecycle event whose hook failed; undefined when the deployment succeeded. */
  readonly failedAt?: string;
  readonly before: Map<string, StatRow>;
  /** Just before and just after AllowTraffic (the flip), when it came to that. */
  readonly beforeFlip?: Map<string, StatRow>;
  readonly afterFlip?: Map<string, StatRow>;
  readonly end: Map<string, StatRow>;
  readonly after: Map<string, StatRow>;
  readonly listenersAtEnd: Record<string, string>;
  readonly deleted: readonly Deleted[];
  readonly phase: Phase;
}

/** The traffic steps, once AfterInstall passed: returns the hook that failed, if one did. */
async function shiftTraffic(bg: BlueGreen, from: string, to: string, replacement: readonly Task[]) {
  await reroute(bg, TEST, to);
  const validation = await validate(bg, replacement);
  const allAnswered = replacement.every((x) => (validation.hosts[x.name] ?? 0) > 0);
  if (validation.failures.length > 0 || !allAnswered) return { validation, failedAt: 'AfterAllowTestTraffic' };
  const beforeFlip = await bg.haproxy.stats();
  if (!replacement.every((x) => beforeFlip.get(`${to}/${x.slot}`)?.status.startsWith('UP'))) {
    return { validation, beforeFlip, failedAt: 'BeforeAllowTraffic' };
  }
  await reroute(bg, PRODUCTION, to);
  const afterFlip = await bg.haproxy.stats();
  log(`AllowTraffic done; termination wait ${bg.terminationWaitMs} ms (AfterAllowTraffic), then the ${from} task set is deleted`);
  await sleep(bg.terminationWaitMs);
  return { validation, beforeFlip, afterFlip };
}

/** One CodeDeploy deployment from the task set in `from` to a new one in `to`, under load; rolls back on a failed hook. */
async function deploy(
  bg: BlueGreen,
  name: string,
  original: readonly Task[],
  to: string,
  revision: string,
  environment?: Revision,
): Promise<Outcome> {
  const from = original[0].backend;
  const before = await bg.haproxy.quiesce([BLUE, GREEN]);
  const load = new Load(name, bg.productionUrl);
  await sleep(1000);
  const replacement = await install(bg, revision, to, environment);
  const health = await Promise.all(replacement.map((x) => targetHealth(bg, x)));
  log(`AfterInstall: ${replacement.map((x, i) => `${x.name} ${health[i].healthy ? 'healthy' : 'not healthy'}`).join(', ')}`);
  const traffic = health.every((h) => h.healthy) ? await shiftTraffic(bg, from, to, replacement) : { failedAt: 'AfterInstall' };
  // Rollback: production was never moved (AllowTraffic is the last step); the test listener goes back if it was.
  if (traffic.failedAt) log(`${traffic.failedAt} failed: rolling back, the replacement task set is deleted`);
  if (traffic.failedAt && traffic.failedAt !== 'AfterInstall') await reroute(bg, TEST, from);
  const deleted = await deleteTaskSet(bg, traffic.failedAt ? replacement : original);
  const end = await bg.haproxy.stats();
  const listenersAtEnd = await listeners(bg);
  await sleep(1000);
  const phase = await load.stop();
  const after = await bg.haproxy.quiesce([BLUE, GREEN]);
  writeFileSync(join(OUT_DIR, `stats-after-${name}.csv`), await cli(bg.haproxy.socket, 'show stat'));
  printPhase(phase);
  return { from, to, original, replacement, health, ...traffic, before, end, after, listenersAtEnd, deleted, phase };
}

// ------------------------------------------------------------------------------------------------ checks

const stot = (stats: Map<string, StatRow>, tasks: readonly Task[]) =>
  tasks.reduce((n, x) => n + Number(stats.get(`${x.backend}/${x.slot}`)!.stot), 0);

/** Hosts of the responses tagged with target group `tg`. */
function routedHosts(w: WrkResult, tg: string): Record<string, number> {
  const prefix = `${tg}|`;
  return Object.fromEntries(Object.entries(w.routedHosts).flatMap(([k, n]) => (k.startsWith(prefix) ? [[k.slice(prefix.length), n]] : [])));
}

/** Responses tagged `tg` whose host is not one of `allowed`. */
function misrouted(w: WrkResult, tg: string, allowed: readonly Task[]): string[] {
  const names = allowed.map((x) => x.name);
  return Object.entries(routedHosts(w, tg)).flatMap(([h, n]) => (names.includes(h) ? [] : [`${tg}: ${h} ${n}`]));
}

/** What holds for production in every deployment: every request a 200 from a task of its target group, none failed. */
function checkProduction(bg: BlueGreen, o: Outcome): void {
  const w = o.phase.wrk;
  const label = o.phase.name;
  const all = [...o.original, ...o.replacement].map((x) => x.name);
  checks.check(
    `${label}: zero non-200 responses and zero socket errors, every body {"hostName": <a task of the run>}`,
    non200(w) + socketErrors(w) + badBodies(w) === 0 && strangers(o.phase, all).length === 0 && w.requests > 0,
    `${w.requests} requests, statuses ${JSON.stringify(w.statuses)}, socket errors ${JSON.stringify(w.errors)}, other bodies ${badBodies(w)}`,
  );
  const lines = readLog(bg.haproxy.logFile).filter((l) => inWindow(l, o.phase));
  const delta = (k: string) =>
    [BLUE, GREEN].reduce((n, b) => n + Number(o.after.get(`${b}/BACKEND`)![k]) - Number(o.before.get(`${b}/BACKEND`)![k]), 0);
  checks.check(
    `${label}: the load balancer never failed, retried or re-dispatched a request (HAProxy log and counters)`,
    lines.filter(isFailure).length + lines.filter((l) => l.retries !== '0').length === 0 &&
      delta('wretr') + delta('wredis') + delta('econ') + delta('eresp') === 0,
    `abnormal log lines ${lines.filter(isFailure).length}; retries ${delta('wretr')}, redispatches ${delta('wredis')}, connection errors ${delta('econ')}, response errors ${delta('eresp')}`,
  );
  const tagged = Object.values(w.routed).reduce((n, x) => n + x, 0);
  checks.check(
    `${label}: every response is tagged with a target group, and came from a task registered there`,
    tagged === w.requests &&
      Object.keys(w.routed).every((tg) => tg === o.from || tg === o.to) &&
      misrouted(w, o.from, o.original).length === 0 &&
      misrouted(w, o.to, o.replacement).length === 0,
    `tagged ${JSON.stringify(w.routed)} of ${w.requests}; ${[...misrouted(w, o.from, o.original), ...misrouted(w, o.to, o.replacement)].join(', ') || 'none misrouted'}`,
  );
  for (const d of o.deleted) {
    checks.check(
      `${label}: ${d.task.name} deleted: no new request after deregistration (${d.newRequests}), ${d.inFlight} in flight after the drain; stopped by SIGTERM in ${d.stopMs} ms, exit ${d.exitCode}`,
      d.newRequests === 0 &&
        d.inFlight === 0 &&
        (d.exitCode === 143 || d.exitCode === 0) &&
        d.stopMs < bg.settings.container.stopTimeoutS * 1000,
    );
  }
}

/** The deployment that must succeed: the flip, and what reached each target group before and after it. */
function checkSucceeded(bg: BlueGreen, o: Outcome): void {
  const w = o.phase.wrk;
  const names = (tasks: readonly Task[]) => tasks.map((x) => x.name).join(', ');
  checks.check(
    `AfterInstall: ${o.replacement.length} replacement tasks healthy in target group ${o.to}`,
    o.health.every((h) => h.healthy),
    o.replacement
      .map((x, i) => `${x.name} ${o.health[i].healthy ? (o.health[i] as { after: string }).after : (o.health[i] as { why: string }).why}`)
      .join(', '),
  );
  const v = o.validation;
  checks.check(
    `AfterAllowTestTraffic: through the test listener ${bg.settings.healthCheck.path} matched ${bg.settings.healthCheck.matcher} and ${ROUTE} answered {"hostName": <a replacement task>}, from every replacement task`,
    v !== undefined && v.failures.length === 0 && o.replacement.every((x) => (v.hosts[x.name] ?? 0) > 0),
    v === undefined
      ? 'not reached'
      : `${v.sent} requests, failures: ${v.failures.slice(0, 3).join('; ') || 'none'}; ${JSON.stringify(v.hosts)}`,
  );
  checks.check(
    `BeforeAllowTraffic and AllowTraffic: every ${o.to} target UP, then one "set map" moved production (and test) to ${o.to}`,
    o.failedAt === undefined && o.listenersAtEnd[PRODUCTION] === o.to && o.listenersAtEnd[TEST] === o.to,
    `failed hook ${o.failedAt ?? 'none'}, listeners ${JSON.stringify(o.listenersAtEnd)}`,
  );
  if (!o.beforeFlip || !o.afterFlip || !v) return;
  // Before the flip the replacement served the test listener only: its counters hold exactly the validation's requests.
  const toBeforeFlip = stot(o.beforeFlip, o.replacement) - stot(o.before, o.replacement);
  const testRequests = Number(o.beforeFlip.get(`${TEST}/FRONTEND`)!.req_tot) - Number(o.before.get(`${TEST}/FRONTEND`)!.req_tot);
  const fromAfterFlip = stot(o.end, o.original) - stot(o.afterFlip, o.original);
  checks.check(
    `no production request reached ${o.to} before the flip, nor ${o.from} after it`,
    misrouted(w, o.from, o.original).length === 0 &&
      misrouted(w, o.to, o.replacement).length === 0 &&
      toBeforeFlip === v.sent &&
      testRequests === v.sent &&
      fromAfterFlip === 0,
    `responses routed to ${o.from}: ${JSON.stringify(routedHosts(w, o.from))}; to ${o.to}: ${JSON.stringify(routedHosts(w, o.to))}; ` +
      `${o.to}'s targets took ${toBeforeFlip} requests before the flip = the test listener's ${testRequests} = the validation's ${v.sent}; ` +
      `${o.from}'s targets took ${fromAfterFlip} after it`,
  );
  checks.check(
    `after the flip every replacement task answered production, and the original task set (${names(o.original)}) is gone`,
    o.replacement.every((x) => (routedHosts(w, o.to)[x.name] ?? 0) > 0) && o.deleted.length === o.original.length && gone(o.original),
    o.replacement.map((x) => `${x.name} ${routedHosts(w, o.to)[x.name] ?? 0}`).join(', '),
  );
}

/** No container of these tasks is left. */
const gone = (tasks: readonly Task[]) => tasks.every((x) => docker('ps', '-aq', '--filter', `name=^/${x.name}$`) === '');

/** The deployment that must fail: AfterInstall fails, production never flips and never reaches the replacement. */
function checkRolledBack(bg: BlueGreen, o: Outcome): void {
  const w = o.phase.wrk;
  checks.check(
    `AfterInstall failed: every replacement task unhealthy in target group ${o.to} (after ECS's ${bg.graceMs / 1000} s grace period), so the deployment rolled back`,
    o.failedAt === 'AfterInstall' && o.health.every((h) => !h.healthy && /unhealthy: L7STS 503/.test(h.why)),
    o.replacement.map((x, i) => `${x.name} ${o.health[i].healthy ? 'healthy' : (o.health[i] as { why: string }).why}`).join(', '),
  );
  const toRequests = stot(o.end, o.replacement) - stot(o.before, o.replacement);
  checks.check(
    `production never flipped: both listeners stayed on ${o.from}, no response came from ${o.to}, and its targets took no request at all`,
    o.listenersAtEnd[PRODUCTION] === o.from &&
      o.listenersAtEnd[TEST] === o.from &&
      Object.keys(w.routed).every((tg) => tg === o.from) &&
      misrouted(w, o.from, o.original).length === 0 &&
      toRequests === 0,
    `listeners ${JSON.stringify(o.listenersAtEnd)}; routed ${JSON.stringify(w.routed)}; ${o.to}'s new targets took ${toRequests} requests`,
  );
  checks.check(
    `the replacement task set is removed: its containers gone, its targets in maintenance`,
    gone(o.replacement) && o.replacement.every((x) => o.end.get(`${x.backend}/${x.slot}`)!.status === 'MAINT'),
    o.replacement.map((x) => `${x.name} ${o.end.get(`${x.backend}/${x.slot}`)!.status}`).join(', '),
  );
  checks.check(
    `every original task kept answering production`,
    o.original.every((x) => (routedHosts(w, o.from)[x.name] ?? 0) > 0),
    o.original.map((x) => `${x.name} ${routedHosts(w, o.from)[x.name] ?? 0}`).join(', '),
  );
}

// ------------------------------------------------------------------------------------------------ main

/**
 * The original task set: revision 1 in blue, healthy. No warm-up: the deployment's load runs on it, checked, until the
 * flip (its JVMs' warm-up is not what a blue/green deployment changes).
 */
async function startOriginal(bg: BlueGreen): Promise<Task[]> {
  const tasks = await install(bg, 'r1', BLUE);
  await Promise.all(tasks.map((x) => bg.cluster.waitHealthy(x)));
  checks.check(
    `the original task set: ${bg.taskCount} tasks healthy in target group ${BLUE}`,
    true,
    tasks.map((x) => `${x.name} ${((x.healthyMs! - x.startedMs!) / 1000).toFixed(1)} s after docker run`).join(', '),
  );
  return tasks;
}

async function setUp(): Promise<BlueGreen> {
  const { scale, taskCount } = preflight();
  const settings = synthesize();
  describeSettings(settings);
  const t = scaledTimeouts(settings, scale);
  const graceMs = settings.healthCheckGracePeriodS * 1000;
  const terminationWaitMs = phaseMs(10, scale);
  log(
    `ROLLOUT_TIME_SCALE=${scale}: interval ${t.intervalMs} ms, check timeout ${t.checkTimeoutMs} ms, deregistration delay ${t.drainMs} ms, ` +
      `termination wait ${terminationWaitMs} ms; health check grace period ${settings.healthCheckGracePeriodS} s and stopTimeout ${settings.container.stopTimeoutS} s (not scaled); ${taskCount} tasks per task set`,
  );
  const { image, runId, network } = prepareDocker();
  const gateway = createNetwork(network, runId);
  const routes = join(OUT_DIR, 'routes.map');
  writeFileSync(routes, `${PRODUCTION} ${BLUE}\n${TEST} ${BLUE}\n`);
  const testPort = await freePort();
  const tgs = targetGroups(taskCount);
  const haproxy = await startHAProxy((port, socket) =>
    blueGreenConfig(settings, t, socket, { [PRODUCTION]: port, [TEST]: testPort }, routes, tgs),
  );
  const cluster = new Cluster(settings, image, network, gateway, haproxy, tgs, runId);
  const productionUrl = `http://127.0.0.1:${haproxy.port}${ROUTE}`;
  return { settings, taskCount, t, graceMs, terminationWaitMs, haproxy, cluster, productionUrl, testPort, routes };
}

export async function blueGreen(): Promise<number> {
  const bg = await setUp();
  const revision1 = await startOriginal(bg);

  const deployment = await deploy(bg, 'deployment', revision1, GREEN, 'r2');
  checkSucceeded(bg, deployment);
  checkProduction(bg, deployment);
  if (deployment.failedAt)
    throw new HarnessError(`the deployment to ${GREEN} failed in ${deployment.failedAt}; the rollback case needs it`);

  const rollback = await deploy(bg, 'rollback', deployment.replacement, BLUE, 'r3', BROKEN_REVISION);
  checkRolledBack(bg, rollback);
  checkProduction(bg, rollback);

  const stops = [...deployment.deleted, ...rollback.deleted].map((d) => `${d.task.name} ${d.stopMs} ms exit ${d.exitCode}`);
  printFigures([deployment.phase, rollback.phase], stops);
  console.log(`${checks.passed} passed, ${checks.failed} failed`);
  return checks.failed === 0 ? 0 : 1;
}
