/**
 * `npm run ops -- wait <env>`: after an apply, waits until each service's PRIMARY deployment is
 * COMPLETED. ECS keeps watching the deployment alarms through the bake time after the service looks
 * steady (which is all Terraform waits for), and may still roll back; this fails on a FAILED
 * rollout and on a rollback: a PRIMARY that runs another task definition than the family's latest
 * revision (the one the apply registered), or a "rolling back" service event. Blue-green services are
 * CodeDeploy's: `npm run release -- deploy` waits for them; this names them and leaves them out.
 */
import { DescribeTaskDefinitionCommand, Deployment, Service } from '@aws-sdk/client-ecs';
import { EnvironmentConfig } from '../../src/environment/config';
import { Clients, Clock, DeploymentFailed, describeServices, namesOf, OpsError, poll, requireDeployed } from './aws';

export const WAIT_POLL_MS = 15_000;

export interface WaitOptions {
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly progress: (line: string) => void;
}

const ROLLBACK_EVENT = /\broll(?:ing|ed) back\b/i;
const revision = (arn: string | undefined) => (arn ?? '?').split('/').pop()!;

/** The longest deployment timeout of the environment's services (services.<name>.deployment.timeoutMinutes). */
export const defaultWaitMinutes = (config: EnvironmentConfig) => Math.max(...config.services.map((s) => s.deployment.timeoutMinutes));

interface Watched {
  readonly name: string;
  /** The family's latest revision: what the apply registered. */
  readonly expected: string;
  /** Events before the deployment being watched are not about it. */
  readonly since: number;
  done?: Deployment;
  last?: Deployment;
}

export async function waitForDeployments(c: Clients, config: EnvironmentConfig, o: WaitOptions): Promise<void> {
  const cluster = namesOf(config).cluster;
  await requireDeployed(c, config);
  const names = config.services.filter((s) => !s.deployment.blueGreen).map((s) => s.name);
  for (const s of config.services.filter((x) => x.deployment.blueGreen)) {
    o.progress(`${s.name}: blue/green, deployed and waited for by npm run release -- deploy ${config.name} ${s.name}`);
  }
  const start = o.clock.now();

  const first = await describeServices(c, cluster, names);
  const watched: Watched[] = [];
  for (const name of names) {
    const s = first.get(name);
    if (!s || s.status === 'INACTIVE') throw new OpsError(`service "${name}" of environment "${config.name}" is not deployed`);
    const primary = primaryOf(s, config);
    const family = revision(primary.taskDefinition).split(':')[0];
    const latest = (await c.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))).taskDefinition?.taskDefinitionArn;
    watched.push({ name, expected: latest ?? primary.taskDefinition ?? '?', since: primary.createdAt?.getTime() ?? 0 });
  }

  let services: Map<string, Service> | undefined = first;
  await poll(
    o.clock,
    o.timeoutMs,
    WAIT_POLL_MS,
    async () => {
      services ??= await describeServices(
        c,
        cluster,
        watched.filter((w) => !w.done).map((w) => w.name),
      );
      for (const w of watched.filter((x) => !x.done)) {
        const s = services.get(w.name)!;
        const primary = primaryOf(s, config);
        w.last = primary;
        const state = `${w.name}: deployment ${primary.id ?? '?'}`;
        if (primary.taskDefinition !== w.expected) {
          throw new DeploymentFailed(
            `${w.name} was rolled back: its PRIMARY deployment ${primary.id ?? '?'} runs ${revision(primary.taskDefinition)}, not ${revision(w.expected)} that was just applied (npm run ops -- events ${config.name} ${w.name})`,
          );
        }
        const rollback = (s.events ?? []).find((e) => (e.createdAt?.getTime() ?? 0) >= w.since && ROLLBACK_EVENT.test(e.message ?? ''));
        if (rollback) throw new DeploymentFailed(`${w.name} was rolled back: ECS says "${rollback.message}"`);
        if (primary.rolloutState === 'FAILED')
          throw new DeploymentFailed(`${state} FAILED: ${primary.rolloutStateReason ?? 'no reason given'}`);
        if (primary.rolloutState === 'COMPLETED') {
          w.done = primary;
          o.progress(
            `${state} COMPLETED on ${revision(primary.taskDefinition)}, ${primary.runningCount ?? 0} running (${Math.round((o.clock.now() - start) / 1000)} s)`,
          );
        }
      }
      services = undefined;
      return watched.every((w) => w.done) ? true : undefined;
    },
    () => {
      const open = watched
        .filter((w) => !w.done)
        .map(
          (w) =>
            `${w.name}'s deployment ${w.last?.id ?? '?'} is still ${w.last?.rolloutState ?? 'unknown'} (${w.last?.runningCount ?? 0} of ${w.last?.desiredCount ?? 0} running)`,
        );
      return `timed out after ${Math.round(o.timeoutMs / 60_000)} min: ${open.join('; ')}; follow it with npm run ops -- status ${config.name}`;
    },
  );
}

function primaryOf(s: Service, config: EnvironmentConfig): Deployment {
  const primary = (s.deployments ?? []).find((d) => d.status === 'PRIMARY');
  if (!primary) throw new OpsError(`service "${s.serviceName}" of environment "${config.name}" has no PRIMARY deployment`);
  return primary;
}
