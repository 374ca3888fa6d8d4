/** What `npm run ops -- status` shows, as plain data, and its one-screen rendering (no AWS calls here). */

export interface DeploymentStatus {
  readonly status: string;
  readonly rolloutState?: string;
  /** `family:revision`. */
  readonly taskDefinition: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly failed: number;
}

export interface ServiceStatus {
  readonly name: string;
  /** False when the environment's config names the service but ECS has none. */
  readonly found: boolean;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /** The scalable target's bounds, when there is one. */
  readonly scaling?: { readonly min: number; readonly max: number };
  readonly execEnabled: boolean;
  readonly deployments: readonly DeploymentStatus[];
  /** Target health states and how many targets are in each, e.g. { healthy: 2, draining: 1 }. */
  readonly targets: Readonly<Record<string, number>>;
  /** Newest first. */
  readonly events: readonly { readonly at: Date; readonly message: string }[];
}

export interface InstanceStatus {
  readonly ec2InstanceId: string;
  readonly status: string;
  readonly agentConnected: boolean;
  readonly runningTasks: number;
  readonly cpu: { readonly remaining: number; readonly registered: number };
  readonly memoryMiB: { readonly remaining: number; readonly registered: number };
}

export interface GroupStatus {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly desired: number;
  readonly inService: number;
}

export interface EnvironmentStatus {
  readonly environment: string;
  readonly region: string;
  readonly cluster: { readonly name: string; readonly status: string; readonly runningTasks: number; readonly pendingTasks: number };
  readonly autoScalingGroup?: GroupStatus;
  /** The Spot group, with spot.enabled: undefined there when not found. @default no Spot group */
  readonly spotAutoScalingGroup?: GroupStatus;
  readonly instances: readonly InstanceStatus[];
  readonly services: readonly ServiceStatus[];
  readonly alarms: readonly { readonly name: string; readonly reason: string; readonly since?: Date }[];
}

/** How many events per service one screen shows. */
export const EVENTS_SHOWN = 3;

export function renderStatus(s: EnvironmentStatus): string {
  const out: string[] = [];
  out.push(
    `${s.environment} (${s.region}): cluster ${s.cluster.name} ${s.cluster.status}, ${s.cluster.runningTasks} tasks running, ${s.cluster.pendingTasks} pending`,
  );
  out.push('', 'Capacity');
  const group = (asg: GroupStatus | undefined, what: string) =>
    asg
      ? `  ${asg.name}: ${asg.inService} in service, desired ${asg.desired} (min ${asg.min}, max ${asg.max})${asg.desired >= asg.max ? '  AT MAX' : ''}`
      : `  ${what}: not found`;
  out.push(group(s.autoScalingGroup, 'Auto Scaling group'));
  if ('spotAutoScalingGroup' in s) out.push(group(s.spotAutoScalingGroup, 'Spot Auto Scaling group'));
  if (s.instances.length === 0) out.push('  no container instances registered');
  for (const i of s.instances) {
    out.push(
      `  ${i.ec2InstanceId}  ${i.status}${i.agentConnected ? '' : ' (agent disconnected)'}  ${plural(i.runningTasks, 'task')}` +
        `  cpu ${i.cpu.remaining}/${i.cpu.registered} free  memory ${i.memoryMiB.remaining}/${i.memoryMiB.registered} MiB free`,
    );
  }
  out.push('', 'Services');
  for (const svc of s.services) out.push(...renderService(svc));
  out.push('', s.alarms.length === 0 ? 'Alarms in ALARM: none' : `Alarms in ALARM: ${s.alarms.length}`);
  for (const a of s.alarms) out.push(`  ${a.name}${a.since ? ` since ${time(a.since)}` : ''}: ${oneLine(a.reason)}`);
  return out.join('\n') + '\n';
}

function renderService(svc: ServiceStatus): string[] {
  if (!svc.found) return [`  ${svc.name}: NOT FOUND in the cluster`];
  const bounds = svc.scaling ? ` (autoscaling ${svc.scaling.min}-${svc.scaling.max})` : '';
  const targets = Object.entries(svc.targets);
  const health = targets.length === 0 ? 'no targets' : targets.map(([state, n]) => `${n} ${state}`).join(', ');
  const lines = [
    `  ${svc.name}: ${svc.running}/${svc.desired} running, ${svc.pending} pending${bounds}; targets: ${health}${svc.execEnabled ? '; exec on' : ''}`,
  ];
  for (const d of svc.deployments) {
    const failed = d.failed > 0 ? `, ${d.failed} failed` : '';
    lines.push(
      `    ${d.status.padEnd(7)} ${(d.rolloutState ?? '').padEnd(11)} ${d.taskDefinition}  ${d.running}/${d.desired} running, ${d.pending} pending${failed}`,
    );
  }
  for (const e of svc.events.slice(0, EVENTS_SHOWN)) lines.push(`    ${time(e.at)}  ${oneLine(e.message)}`);
  return lines;
}

/** Service events, newest first, one a line. */
export function renderEvents(service: string, events: ServiceStatus['events']): string {
  if (events.length === 0) return `${service}: no events\n`;
  return events.map((e) => `${time(e.at)}  ${oneLine(e.message)}`).join('\n') + '\n';
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
/** UTC, to the second: `2025-01-02 03:04:05Z`. */
const time = (d: Date) =>
  d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
