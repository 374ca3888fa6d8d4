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
 * `npm run test:rollout -- blue-green` runs CodeDeploy's blue/green deployment instead (harness/rollout-blue-green.ts).
 * `npm run test:rollout -- spot-interruption` runs the Spot interruption drill (harness/rollout-spot-interruption.ts);
 * `npm run test:rollout -- help` lists the modes.
 *
 * Env: ROLLOUT_TIME_SCALE (default 1; CI 0.25), ROLLOUT_TASKS (default 3), ROLLOUT_IMAGE (skip the build, use this
 * image), ROLLOUT_SERVICE (when the stack has several load-balanced services), KEEP_DOCKERD=1.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RolloutSettings } from './rollout-settings';
import { HarnessError } from './terraform';
import {
  BACKEND,
  badBodies,
  checks,
  children,
  cli,
  Cluster,
  createNetwork,
  describeSettings,
  docker,
  HAProxy,
  listenerConfig,
  inWindow,
  isFailure,
  Load,
  log,
  LogLine,
  non200,
  OUT_DIR,
  Phase,
  phaseMs,
  POLL_MS,
  preflight,
  printFigures,
  prepareDocker,
  printPhase,
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
  track,
  warmUp,
} from './rollout-kit';
import { blueGreen } from './rollout-blue-green';
import { spotInterruption } from './rollout-spot-interruption';

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

/** Refuses a deployment order the rolling mode does not model. */
function refuseUnmodelledOrder(settings: RolloutSettings, taskCount: number): void {
  if (settings.minimumHealthyPercent < 100 || Math.floor((taskCount * settings.maximumPercent) / 100) <= taskCount) {
    throw new HarnessError(
      `the service deploys with minimum healthy ${settings.minimumHealthyPercent}% / maximum ${settings.maximumPercent}%: ` +
        `ECS would not start a new task before stopping an old one, which this simulation does not model`,
    );
  }
}

function scaleDurations(settings: RolloutSettings, scale: number, taskCount: number): Durations {
  const hc = settings.healthCheck;
  const t = scaledTimeouts(settings, scale);
  const steadyMs = phaseMs(60, scale);
  const faultLeadMs = phaseMs(10, scale);
  const downBoundMs = hc.unhealthyThreshold * t.intervalMs;
  log(
    `ROLLOUT_TIME_SCALE=${scale}: interval ${t.intervalMs} ms, check timeout ${t.checkTimeoutMs} ms, deregistration delay ${t.drainMs} ms, ` +
      `steady state ${steadyMs} ms; stopTimeout ${settings.container.stopTimeoutS} s (not scaled); ${taskCount} tasks`,
  );
  return { t, steadyMs, faultLeadMs, downBoundMs };
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

async function steadyState(r: Run, initial: readonly Task[]): Promise<Phase> {
  const warmups = await warmUp(r.url);
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

// ------------------------------------------------------------------------------------------------ main

async function rolling(): Promise<number> {
  const { scale, taskCount } = preflight();
  const settings = synthesize();
  describeSettings(settings);
  refuseUnmodelledOrder(settings, taskCount);
  const durations = scaleDurations(settings, scale, taskCount);

  const { image, runId, network } = prepareDocker();
  const gateway = createNetwork(network, runId);
  const tg: TargetGroup = { backend: BACKEND, prefix: 't', slots: 2 * taskCount + 1 };
  const haproxy = await startHAProxy((port, socket) => listenerConfig(settings, durations.t, port, socket, tg));
  const r: Run = {
    ...durations,
    settings,
    taskCount,
    haproxy,
    url: `http://127.0.0.1:${haproxy.port}/host-name`,
    cluster: new Cluster(settings, image, network, gateway, haproxy, [tg], runId),
  };

  const initial = await startTasks(r);
  const steady = await steadyState(r, initial);
  const rollout = await rollOut(r, initial);
  const fault = await sigkillFault(r, rollout.replaced);

  printFigures([steady, rollout.phase, fault], rollout.stops);
  console.log(`${checks.passed} passed, ${checks.failed} failed`);
  return checks.failed === 0 ? 0 : 1;
}

const MODES: Record<string, { readonly run: () => Promise<number>; readonly what: string }> = {
  rolling: { run: rolling, what: "(the default) ECS's rolling deployment, then a SIGKILL under load" },
  'blue-green': { run: blueGreen, what: "CodeDeploy's blue/green deployment, then a rollback" },
  'spot-interruption': {
    run: spotInterruption,
    what: "a Spot notice drains one instance's ip-target tasks: replaced, drained and stopped within 120 s (not scaled)",
  },
};
const HELP = `npm run test:rollout [-- <mode>], as root; modes:\n${Object.entries(MODES)
  .map(([name, m]) => `  ${name.padEnd(18)} ${m.what}`)
  .join('\n')}\nEnv: ROLLOUT_TIME_SCALE, ROLLOUT_TASKS, ROLLOUT_IMAGE, ROLLOUT_SERVICE, KEEP_DOCKERD=1 (harness/README.md)`;

// Children first, then (registered later, in prepareDocker) the containers, the network and a dockerd this run started.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
const mode = process.argv[2] ?? 'rolling';
if (mode === 'help' || mode === '--help') {
  console.log(HELP);
  process.exit(0);
}
(MODES[mode]?.run ?? (() => Promise.reject(new HarnessError(`unknown mode ${mode}\n${HELP}`))))().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof HarnessError ? `error: ${error.message}` : error);
    checks.check('the run completed', false);
    console.log(`${checks.passed} passed, ${checks.failed} failed`);
    process.exit(1);
  },
);
