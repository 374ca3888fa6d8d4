/**
 * `npm run test:rollout -- spot-interruption`: the EC2 Spot interruption drill on a real load balancer, under the
 * seed's load.
 *
 * HAProxy plays the ALB with dev's synthesized health check, thresholds and deregistration delay; containers of the
 * image play the tasks, with dev's task definition. The tasks run as awsvpc tasks do (Fargate's only mode): no host
 * port, and each registers as an `ip` target, the container's own address and container port. "Instances" are
 * groups of tasks, one instance per availability zone, the tasks placed by the service's spread over zones.
 *
 * Under `wrk -t4 -c300` for the whole drill: a Spot interruption notice for the instance with the most tasks. With
 * ECS_ENABLE_SPOT_INSTANCE_DRAINING the agent sets it DRAINING, and ECS replaces its service tasks within the
 * deployment limits (minimum healthy 100%, maximum 200%): each replacement starts on another instance and must pass
 * the load balancer's health check; then its old task is deregistered, drained for the deregistration delay and
 * stopped with SIGTERM (SIGKILL after stopTimeout). Everything from the notice to the last old task's exit must fit in
 * the two minutes before EC2 reclaims the instance, on the wall clock: no duration inside that budget is scaled.
 * Prints PASS/FAIL per check and `N passed, M failed`. Env as the rolling mode's (harness/rollout.ts), except that
 * ROLLOUT_TIME_SCALE is not applied and ROLLOUT_TASKS defaults to 4. See harness/README.md.
 */
import { RolloutSettings } from './rollout-settings';
import { HarnessError } from './terraform';
import {
  BACKEND,
  badBodies,
  checks,
  Cluster,
  createNetwork,
  describeSettings,
  docker,
  envNumber,
  HAProxy,
  inWindow,
  isFailure,
  listenerConfig,
  Load,
  log,
  non200,
  Phase,
  preflight,
  prepareDocker,
  printFigures,
  printPhase,
  readLog,
  scaledTimeouts,
  sleep,
  socketErrors,
  startHAProxy,
  synthesize,
  TargetGroup,
  Task,
  Timeouts,
  warmUp,
  WrkResult,
} from './rollout-kit';

/** EC2's Spot interruption notice comes two minutes before the instance is stopped or terminated. */
export const SPOT_NOTICE_MS = 120_000;
/** Availability zones, one instance each: the service spreads over zones first. */
const ZONES = ['a', 'b', 'c'];
/** Load before the notice and after the last stop, so the drill's edges are under load too (not scaled). */
const LEAD_MS = 5000;
const TAIL_MS = 3000;

export interface Verdict {
  readonly ok: boolean;
  readonly detail: string;
}

/** A container instance: its tasks, and whether it is draining. */
export interface Instance {
  readonly id: string;
  readonly zone: string;
  status: 'ACTIVE' | 'DRAINING';
  readonly tasks: Task[];
}

/**
 * ECS's placement for the service's strategy (spread over availability zones, then binpack on memory; one instance
 * per zone here, so spread over instances): the ACTIVE instance with the fewest tasks, the first on a tie. A
 * DRAINING instance gets no new task.
 */
export function placeTask(instances: readonly Instance[]): Instance {
  const active = instances.filter((i) => i.status === 'ACTIVE');
  if (active.length === 0) throw new HarnessError('no ACTIVE container instance to place a task on');
  return active.reduce((best, i) => (i.tasks.length < best.tasks.length ? i : best));
}

/** What happened to one task of the interrupted instance, in wall-clock ms. */
export interface Retirement {
  readonly old: string;
  readonly replacement: string;
  readonly replacementInstance: string;
  readonly replacementStartedMs: number;
  readonly replacementHealthyMs: number;
  readonly deregisteredMs: number;
  readonly drainedMs: number;
  /** Requests the load balancer sent to the old task after its deregistration. */
  readonly newRequests: number;
  readonly sigtermMs: number;
  readonly stopMs: number;
  readonly exitCode: number;
}

/** One retirement, as ECS's draining must do it: replaced on another instance first, drained in full, stopped by SIGTERM. */
export function retirementVerdict(r: Retirement, drainingInstance: string, drainMs: number, stopTimeoutS: number): Verdict {
  const ok =
    r.replacementInstance !== drainingInstance &&
    r.replacementHealthyMs <= r.deregisteredMs &&
    r.newRequests === 0 &&
    r.drainedMs - r.deregisteredMs >= drainMs &&
    r.sigtermMs >= r.drainedMs &&
    (r.exitCode === 143 || r.exitCode === 0) &&
    r.stopMs < stopTimeoutS * 1000;
  return {
    ok,
    detail:
      `${r.replacement} on ${r.replacementInstance} healthy ${((r.replacementHealthyMs - r.replacementStartedMs) / 1000).toFixed(1)} s after start; ` +
      `${r.old} deregistered ${r.deregisteredMs - r.replacementHealthyMs} ms after that, drained ${r.drainedMs - r.deregisteredMs} ms (delay ${drainMs} ms), ` +
      `${r.newRequests} new requests after deregistration; SIGTERM, exit ${r.exitCode} in ${r.stopMs} ms (stopTimeout ${stopTimeoutS} s)`,
  };
}

/** From the notice to the last old task's exit, on the wall clock, within the Spot warning. */
export function budgetVerdict(noticeMs: number, retirements: readonly Retirement[], budgetMs = SPOT_NOTICE_MS): Verdict {
  if (retirements.length === 0) return { ok: false, detail: 'no task was retired' };
  const at = (ms: number) => `+${((ms - noticeMs) / 1000).toFixed(1)} s`;
  const last = Math.max(...retirements.map((r) => r.sigtermMs + r.stopMs));
  return {
    ok: last - noticeMs <= budgetMs,
    detail:
      `last exit ${at(last)} after the notice (budget ${budgetMs / 1000} s); ` +
      retirements
        .map(
          (r) =>
            `${r.old}: replacement healthy ${at(r.replacementHealthyMs)}, deregistered ${at(r.deregisteredMs)}, SIGTERM ${at(r.sigtermMs)}, exited ${at(r.sigtermMs + r.stopMs)}`,
        )
        .join('; '),
  };
}

/** What the load saw: every response a 200 with {"hostName": <one of the live tasks>}, no socket error. */
export function loadVerdict(w: WrkResult, liveTasks: readonly string[]): Verdict {
  const unknown = Object.keys(w.hosts).filter((h) => !liveTasks.includes(h));
  return {
    ok: w.requests > 0 && non200(w) === 0 && socketErrors(w) === 0 && badBodies(w) === 0 && unknown.length === 0,
    detail:
      `${w.requests} requests, statuses ${JSON.stringify(w.statuses)}, socket errors ${JSON.stringify(w.errors)}, ` +
      `non-JSON ${w.nonJson}, other JSON ${w.otherShape}, glued ${w.glued}, unknown hosts ${unknown.join(' ') || 'none'}`,
  };
}

interface Drill {
  readonly settings: RolloutSettings;
  readonly t: Timeouts;
  readonly haproxy: HAProxy;
  readonly cluster: Cluster;
  readonly url: string;
  readonly instances: Instance[];
  readonly taskCount: number;
  readonly runId: string;
}

/** Refuses a deployment configuration under which ECS would stop a draining task before its replacement is healthy. */
function refuseUnmodelledLimits(settings: RolloutSettings): void {
  if (settings.minimumHealthyPercent < 100 || settings.maximumPercent <= 100) {
    throw new HarnessError(
      `the service deploys with minimum healthy ${settings.minimumHealthyPercent}% / maximum ${settings.maximumPercent}%: ` +
        `ECS would stop draining tasks before their replacements are healthy, which this drill does not model`,
    );
  }
}

async function setUp(): Promise<Drill> {
  const { scale } = preflight();
  const taskCount = envNumber('ROLLOUT_TASKS', 4, (n) => Number.isInteger(n) && n >= 2 && n <= 8, 'must be an integer from 2 to 8');
  const settings = synthesize();
  describeSettings(settings);
  refuseUnmodelledLimits(settings);
  // Unscaled: the proof is that the stack's own health check, deregistration delay and stopTimeout fit the warning.
  const t = scaledTimeouts(settings, 1);
  log(
    `${scale === 1 ? '' : `ROLLOUT_TIME_SCALE=${scale} is not applied in this mode: `}interval ${t.intervalMs} ms, check timeout ${t.checkTimeoutMs} ms, ` +
      `deregistration delay ${t.drainMs} ms, stopTimeout ${settings.container.stopTimeoutS} s, all as synthesized; ${taskCount} tasks on ${ZONES.length} instances; ` +
      `budget ${SPOT_NOTICE_MS / 1000} s from the notice on the wall clock`,
  );
  const { image, runId, network } = prepareDocker();
  createNetwork(network, runId);
  const tg: TargetGroup = { backend: BACKEND, prefix: 't', slots: 2 * taskCount };
  const haproxy = await startHAProxy((port, socket) => listenerConfig(settings, t, port, socket, tg));
  // awsvpc tasks need no gateway: their targets are their own addresses.
  const cluster = new Cluster(settings, image, network, '', haproxy, [tg], runId);
  const instances: Instance[] = ZONES.map((zone, i) => ({ id: `i${i + 1}`, zone, status: 'ACTIVE', tasks: [] }));
  return { settings, t, haproxy, cluster, url: `http://127.0.0.1:${haproxy.port}/host-name`, instances, taskCount, runId };
}

/** A task on `instance`, started as an awsvpc task and registered as an `ip` target. */
const launch = (d: Drill, instance: Instance, label: string): Promise<Task> => d.cluster.start(`${instance.id}-${label}`, { awsvpc: true });

async function startService(d: Drill): Promise<Task[]> {
  const placed = Array.from({ length: d.taskCount }, (_, i) => {
    const instance = placeTask(d.instances);
    const slot: Task = { name: `pending-${i}`, backend: BACKEND, slot: '' };
    instance.tasks.push(slot); // counted for the next placement before its docker run
    return { instance, slot, label: `a${i + 1}` };
  });
  const tasks: Task[] = [];
  for (const p of placed) {
    const task = await launch(d, p.instance, p.label);
    p.instance.tasks.splice(p.instance.tasks.indexOf(p.slot), 1, task);
    tasks.push(task);
  }
  await Promise.all(tasks.map((x) => d.cluster.waitHealthy(x)));
  checks.check(
    `${d.taskCount} tasks healthy in the load balancer as ip targets, spread over ${d.instances.length} instances`,
    tasks.every((x) => x.address !== undefined && x.port === d.settings.container.containerPort),
    d.instances
      .map((i) => `${i.id} (zone ${i.zone}): ${i.tasks.map((x) => `${x.name} ${x.address}:${x.port}`).join(', ') || '-'}`)
      .join('; '),
  );
  return tasks;
}

/** Deregisters, drains for the deregistration delay, then stops the old task as the ECS agent does. */
async function retire(d: Drill, old: Task, replacement: Task, instance: Instance): Promise<Retirement> {
  const slot = `${BACKEND}/${old.slot}`;
  await d.haproxy.command(`set server ${slot} state drain`);
  const deregisteredMs = Date.now();
  const drainStart = await d.haproxy.server(old.slot);
  await sleep(d.t.drainMs);
  const drainEnd = await d.haproxy.server(old.slot);
  const drainedMs = Date.now();
  await d.haproxy.command(`set server ${slot} state maint`);
  const sigtermMs = Date.now();
  const [{ stopMs, exitCode }] = await d.cluster.stopAndRemove([old]);
  instance.tasks.splice(instance.tasks.indexOf(old), 1);
  return {
    old: old.name,
    replacement: replacement.name,
    replacementInstance: d.instances.find((i) => i.tasks.includes(replacement))!.id,
    replacementStartedMs: replacement.startedMs!,
    replacementHealthyMs: replacement.healthyMs!,
    deregisteredMs,
    drainedMs,
    newRequests: Number(drainEnd.stot) - Number(drainStart.stot),
    sigtermMs,
    stopMs,
    exitCode,
  };
}

/** The notice: the instance goes DRAINING; each of its tasks is replaced elsewhere, then retired. */
async function interrupt(d: Drill, victim: Instance): Promise<{ noticeMs: number; retirements: Retirement[]; replacements: Task[] }> {
  const noticeMs = Date.now();
  victim.status = 'DRAINING';
  log(`Spot interruption notice for ${victim.id} (zone ${victim.zone}): DRAINING, tasks ${victim.tasks.map((x) => x.name).join(', ')}`);
  const replacements: Task[] = [];
  const plans = victim.tasks.map((old, i) => {
    const instance = placeTask(d.instances);
    const pending: Task = { name: `pending-r${i}`, backend: BACKEND, slot: '' };
    instance.tasks.push(pending);
    return { old, instance, pending, label: `r${i + 1}` };
  });
  const retirements = await Promise.all(
    plans.map(async (p) => {
      const replacement = await launch(d, p.instance, p.label);
      p.instance.tasks.splice(p.instance.tasks.indexOf(p.pending), 1, replacement);
      replacements.push(replacement);
      await d.cluster.waitHealthy(replacement);
      return retire(d, p.old, replacement, victim);
    }),
  );
  return { noticeMs, retirements, replacements };
}

function checkDrill(d: Drill, victim: Instance, phase: Phase, allTasks: readonly string[], drill: Awaited<ReturnType<typeof interrupt>>) {
  for (const r of drill.retirements) {
    const v = retirementVerdict(r, victim.id, d.t.drainMs, d.settings.container.stopTimeoutS);
    checks.check(`interruption: ${r.old} replaced on another instance, healthy before deregistration, drained, SIGTERM`, v.ok, v.detail);
  }
  const budget = budgetVerdict(drill.noticeMs, drill.retirements);
  checks.check(
    `interruption: every task of ${victim.id} stopped within the ${SPOT_NOTICE_MS / 1000} s Spot warning`,
    budget.ok,
    budget.detail,
  );
  const load = loadVerdict(phase.wrk, allTasks);
  checks.check('interruption: zero non-200, zero socket errors, every body {"hostName": <a live task>}', load.ok, load.detail);
  const failures = readLog(d.haproxy.logFile).filter((l) => inWindow(l, phase) && (isFailure(l) || l.retries !== '0'));
  checks.check(
    'interruption: the load balancer never failed, retried or re-dispatched a request (HAProxy log)',
    failures.length === 0,
    `${failures.length} abnormal`,
  );
  for (const l of failures.slice(0, 10)) log(`  haproxy: ${l.text}`);
  const replacements = drill.replacements.map((x) => x.name);
  checks.check(
    `interruption: ${victim.id} holds no task, the service is back at ${d.taskCount} on the other instances, every replacement answered`,
    victim.tasks.length === 0 &&
      d.instances.reduce((n, i) => n + i.tasks.length, 0) === d.taskCount &&
      docker('ps', '-q', '--filter', `label=host-name-rollout=${d.runId}`, '--filter', `name=-${victim.id}-`).length === 0 &&
      replacements.every((h) => (phase.wrk.hosts[h] ?? 0) > 0),
    d.instances.map((i) => `${i.id} ${i.status}: ${i.tasks.map((x) => x.name).join(', ') || '-'}`).join('; ') +
      `; answers ${replacements.map((h) => `${h} ${phase.wrk.hosts[h] ?? 0}`).join(', ')}`,
  );
}

export async function spotInterruption(): Promise<number> {
  const d = await setUp();
  const initial = await startService(d);
  const warmups = await warmUp(d.url);
  for (const p of warmups) {
    const v = loadVerdict(
      p.wrk,
      initial.map((x) => x.name),
    );
    checks.check(`${p.name}: every response a 200 with {"hostName": <a live task>}`, v.ok, v.detail);
  }
  const victim = d.instances.reduce((most, i) => (i.tasks.length > most.tasks.length ? i : most));
  const load = new Load('interruption', d.url);
  await sleep(LEAD_MS);
  const drill = await interrupt(d, victim);
  await sleep(TAIL_MS);
  const phase = await load.stop();
  printPhase(phase);
  checkDrill(
    d,
    victim,
    phase,
    [...initial, ...drill.replacements].map((x) => x.name),
    drill,
  );
  printFigures(
    [phase],
    drill.retirements.map((r) => `${r.old} ${r.stopMs} ms exit ${r.exitCode}`),
  );
  console.log(`${checks.passed} passed, ${checks.failed} failed`);
  return checks.failed === 0 ? 0 : 1;
}
