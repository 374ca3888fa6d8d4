/**
 * What `npm run test:rollout` takes from a synthesized stack (cdk.tf.json): the target group's health check and
 * deregistration delay, the load balancer's idle timeout, the ECS service's deployment limits and health check grace
 * period, and the container definition (stopTimeout, environment, memory, ports). Read, never retyped: a change to
 * the stack changes the run.
 *
 * The target group is found through the ECS service that uses it (its load_balancer block), not by a logical id, so
 * renamed or additional target groups don't break it. Attributes the stack leaves unset get AWS's documented defaults.
 */

type Json = any;

export interface HealthCheckSettings {
  readonly path: string;
  readonly intervalS: number;
  readonly timeoutS: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** ALB matcher: "200", "200,202" or "200-299". */
  readonly matcher: string;
}

export interface ContainerSettings {
  readonly name: string;
  readonly containerPort: number;
  readonly stopTimeoutS: number;
  readonly environment: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly memoryMiB?: number;
  readonly memoryReservationMiB?: number;
  readonly cpuUnits?: number;
  readonly readonlyRootFilesystem: boolean;
  /** Container paths of writable task volumes and tmpfs mounts (the harness mounts a tmpfs on each). */
  readonly writablePaths: readonly string[];
  /** Who the container runs as; unset: the image's user. */
  readonly user?: string;
}

export interface RolloutSettings {
  readonly serviceName: string;
  readonly desiredCount?: number;
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  /** How long ECS ignores a new task's failing load balancer health checks (0 when unset). */
  readonly healthCheckGracePeriodS: number;
  /** Logical id of the target group in cdk.tf.json, and its name. */
  readonly targetGroupId: string;
  readonly targetGroupName?: string;
  readonly healthCheck: HealthCheckSettings;
  readonly deregistrationDelayS: number;
  readonly slowStartS: number;
  /** round_robin, least_outstanding_requests or weighted_random. */
  readonly algorithm: string;
  /** The idle timeout of the load balancer whose listener forwards to the target group (60 s when unset). */
  readonly idleTimeoutS: number;
  readonly idleTimeoutSource: string;
  readonly taskDefinitionId: string;
  readonly container: ContainerSettings;
}

export class SettingsError extends Error {}

const ECS_STOP_TIMEOUT_DEFAULT_S = 30; // the ECS agent's ECS_CONTAINER_STOP_TIMEOUT default

/** The logical id in a `${<type>.<id>.<attribute>}` reference, if `value` is exactly one. */
function referencedId(value: unknown, type: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = new RegExp(`^\\$\\{${type}\\.([^.}]+)\\.[a-z_]+\\}$`).exec(value);
  return m?.[1];
}

function num(value: unknown, fallback: number, what: string): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new SettingsError(`${what} is not a number: ${JSON.stringify(value)}`);
  return n;
}

function single<T>(value: T | T[] | undefined): T | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the rollout settings of the ECS service behind a target group; `serviceName` picks one of several. */
export function readRolloutSettings(stack: Json, serviceName?: string): RolloutSettings {
  const resources: Json = stack?.resource ?? {};
  const services = Object.entries<Json>(resources.aws_ecs_service ?? {}).filter(
    ([, s]) => (s.load_balancer ?? []).length > 0 && (serviceName === undefined || s.name === serviceName),
  );
  if (services.length === 0) {
    throw new SettingsError(
      serviceName === undefined
        ? 'no aws_ecs_service with a load_balancer block in the stack'
        : `no aws_ecs_service named ${serviceName} with a load_balancer block in the stack`,
    );
  }
  if (services.length > 1) {
    throw new SettingsError(
      `several load-balanced ECS services (${services.map(([, s]) => s.name).join(', ')}): set ROLLOUT_SERVICE to one name`,
    );
  }
  const [, service] = services[0];
  const lb = service.load_balancer[0];

  const targetGroups: Record<string, Json> = resources.aws_lb_target_group ?? {};
  const targetGroupId = referencedId(lb.target_group_arn, 'aws_lb_target_group');
  if (targetGroupId === undefined || !(targetGroupId in targetGroups)) {
    throw new SettingsError(
      `service ${service.name}: load_balancer.target_group_arn ${JSON.stringify(lb.target_group_arn)} is not an aws_lb_target_group of this stack`,
    );
  }
  const tg = targetGroups[targetGroupId];
  if ((tg.protocol ?? 'HTTP') !== 'HTTP')
    throw new SettingsError(`target group ${targetGroupId}: protocol ${tg.protocol} (only HTTP is simulated)`);
  const hc = single<Json>(tg.health_check) ?? {};
  if (hc.enabled === false) throw new SettingsError(`target group ${targetGroupId}: health checks are disabled`);
  if ((hc.protocol ?? 'HTTP') !== 'HTTP')
    throw new SettingsError(`target group ${targetGroupId}: health check protocol ${hc.protocol} (only HTTP is simulated)`);
  if ((hc.port ?? 'traffic-port') !== 'traffic-port')
    throw new SettingsError(`target group ${targetGroupId}: health check port ${hc.port} (only traffic-port is simulated)`);
  const matcher = String(hc.matcher ?? '200');
  if (!/^[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*$/.test(matcher))
    throw new SettingsError(`target group ${targetGroupId}: matcher ${matcher}`);
  // AWS defaults for an HTTP target group of an ALB.
  const healthCheck: HealthCheckSettings = {
    path: hc.path ?? '/',
    intervalS: num(hc.interval, 30, 'health_check.interval'),
    timeoutS: num(hc.timeout, 5, 'health_check.timeout'),
    healthyThreshold: num(hc.healthy_threshold, 5, 'health_check.healthy_threshold'),
    unhealthyThreshold: num(hc.unhealthy_threshold, 2, 'health_check.unhealthy_threshold'),
    matcher,
  };

  // The idle timeout of the ALB whose listener forwards to this target group.
  let idleTimeoutS = 60;
  let idleTimeoutSource = 'AWS default (no listener of this stack forwards to the target group)';
  for (const [listenerId, listener] of Object.entries<Json>(resources.aws_lb_listener ?? {})) {
    const actions: Json[] = listener.default_action ?? [];
    const forwards = actions.some(
      (a) =>
        referencedId(a.target_group_arn, 'aws_lb_target_group') === targetGroupId ||
        (single<Json>(a.forward)?.target_group ?? []).some((t: Json) => referencedId(t.arn, 'aws_lb_target_group') === targetGroupId),
    );
    const lbId = referencedId(listener.load_balancer_arn, 'aws_lb');
    if (forwards && lbId !== undefined && resources.aws_lb?.[lbId]) {
      idleTimeoutS = num(resources.aws_lb[lbId].idle_timeout, 60, 'aws_lb.idle_timeout');
      idleTimeoutSource = `aws_lb.${lbId} (listener ${listenerId})`;
      break;
    }
  }

  const taskDefinitionId = referencedId(service.task_definition, 'aws_ecs_task_definition');
  const taskDefinition = taskDefinitionId && resources.aws_ecs_task_definition?.[taskDefinitionId];
  if (!taskDefinition)
    throw new SettingsError(
      `service ${service.name}: task_definition ${JSON.stringify(service.task_definition)} is not an aws_ecs_task_definition of this stack`,
    );
  let definitions: Json[];
  try {
    definitions = JSON.parse(taskDefinition.container_definitions);
  } catch (error) {
    throw new SettingsError(`task definition ${taskDefinitionId}: container_definitions is not JSON (${(error as Error).message})`);
  }
  const def = definitions.find((d) => d.name === lb.container_name);
  if (!def)
    throw new SettingsError(
      `task definition ${taskDefinitionId} has no container ${lb.container_name} (the service's load_balancer.container_name)`,
    );
  const containerPort = num(lb.container_port, NaN, 'load_balancer.container_port');
  if (!(def.portMappings ?? []).some((p: Json) => p.containerPort === containerPort)) {
    throw new SettingsError(`container ${def.name} maps no containerPort ${containerPort}`);
  }
  const volumes: Json[] = taskDefinition.volume ?? [];
  const writablePaths = (def.mountPoints ?? [])
    .filter((m: Json) => !m.readOnly && volumes.some((v) => v.name === m.sourceVolume && !v.host_path))
    .map((m: Json) => String(m.containerPath))
    .concat((def.linuxParameters?.tmpfs ?? []).map((t: Json) => String(t.containerPath)));

  return {
    serviceName: service.name,
    desiredCount: service.desired_count,
    minimumHealthyPercent: num(service.deployment_minimum_healthy_percent, 100, 'deployment_minimum_healthy_percent'),
    maximumPercent: num(service.deployment_maximum_percent, 200, 'deployment_maximum_percent'),
    healthCheckGracePeriodS: num(service.health_check_grace_period_seconds, 0, 'health_check_grace_period_seconds'),
    targetGroupId,
    targetGroupName: tg.name,
    healthCheck,
    deregistrationDelayS: num(tg.deregistration_delay, 300, 'deregistration_delay'),
    slowStartS: num(tg.slow_start, 0, 'slow_start'),
    algorithm: tg.load_balancing_algorithm_type ?? 'round_robin',
    idleTimeoutS,
    idleTimeoutSource,
    taskDefinitionId,
    container: {
      name: def.name,
      containerPort,
      stopTimeoutS: num(def.stopTimeout, ECS_STOP_TIMEOUT_DEFAULT_S, 'stopTimeout'),
      environment: (def.environment ?? []).map((e: Json) => ({ name: String(e.name), value: String(e.value) })),
      memoryMiB: def.memory,
      memoryReservationMiB: def.memoryReservation,
      cpuUnits: def.cpu,
      readonlyRootFilesystem: def.readonlyRootFilesystem === true,
      writablePaths,
      ...(def.user !== undefined ? { user: String(def.user) } : {}),
    },
  };
}
