/** One service: its target group, its way in (rule or default action), the ECS service attached to it, its scaling. */
import { ServiceConfig } from '../../src/environment/config';
import { expect, Json, same } from '../checks';
import { EMULATOR_IMAGE_URI } from '../emulator-stack';
import { Deployment } from './deployment';
import { checkBlueGreenRoute, checkCodeDeploy } from './blue-green';

export function checkService(d: Deployment, service: ServiceConfig): void {
  checkTargetGroup(d, service);
  if (!service.routing.default) checkListenerRule(d, service);
  checkEcsService(d, service);
  checkScaling(d, service);
  if (service.deployment.blueGreen) {
    checkBlueGreenRoute(d, service);
    checkCodeDeploy(d, service);
  }
}

function checkTargetGroup(d: Deployment, service: ServiceConfig): void {
  const o = d.out.services[service.name];
  d.checks.run(`${service.name}: target group with the configured health check`, () => {
    const tg = d.aws('elbv2', 'describe-target-groups', '--target-group-arns', o.target_group_arn).TargetGroups[0];
    expect(tg.TargetGroupName === o.target_group_name, `target group ${tg.TargetGroupName}`);
    const path = service.targetGroup.healthCheckPath;
    expect(tg.HealthCheckPath === path, `health check path ${tg.HealthCheckPath}, expected ${path}`);
    return `${tg.TargetGroupName}, health check ${path}`;
  });
}

function checkListenerRule(d: Deployment, service: ServiceConfig): void {
  const o = d.out.services[service.name];
  d.checks.run(`${service.name}: a listener rule at its priority forwards its paths and hosts to the target group`, () => {
    const rule = d.rules().find((r) => r.Actions?.some((a: Json) => a.TargetGroupArn === o.target_group_arn));
    expect(rule, `no rule on listener ${d.listener().Port} forwards to ${o.target_group_name}`);
    expect(Number(rule.Priority) === service.routing.priority, `priority ${rule.Priority}, expected ${service.routing.priority}`);
    const values = (field: string) =>
      rule.Conditions.filter((c: Json) => c.Field === field).flatMap(
        (c: Json) => c.Values ?? c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? [],
      );
    expect(same(values('path-pattern'), service.routing.pathPatterns), `path patterns ${values('path-pattern')}`);
    expect(same(values('host-header'), service.routing.hostHeaders), `host headers ${values('host-header')}`);
    return `priority ${rule.Priority}: ${[...service.routing.hostHeaders, ...service.routing.pathPatterns].join(' ')}`;
  });
}

function checkEcsService(d: Deployment, service: ServiceConfig): void {
  const { aws, out } = d;
  const o = out.services[service.name];
  d.checks.run(`${service.name}: the ECS service is attached to the target group with the configured desired count`, () => {
    const s = aws('ecs', 'describe-services', '--cluster', out.cluster_name, '--services', o.service_name).services[0];
    expect(s?.status === 'ACTIVE', `service ${o.service_name} is ${s?.status ?? 'missing'}`);
    const lb = s.loadBalancers?.[0];
    expect(lb?.targetGroupArn === o.target_group_arn, `service load balancer ${JSON.stringify(s.loadBalancers)}`);
    expect(lb.containerPort === service.container.port, `container port ${lb.containerPort}`);
    expect(s.desiredCount === service.scaling.desiredCount, `desired count ${s.desiredCount}, expected ${service.scaling.desiredCount}`);
    const task = aws('ecs', 'describe-task-definition', '--task-definition', s.taskDefinition).taskDefinition;
    expect(task.networkMode === 'bridge', `network mode ${task.networkMode}`);
    const [container] = task.containerDefinitions;
    const image = service.image.kind === 'uri' ? service.image.uri : EMULATOR_IMAGE_URI;
    expect(container.image === image, `image ${container.image}, expected ${image}`);
    expect(
      container.logConfiguration?.options?.['awslogs-group'] === o.log_group,
      `log group ${container.logConfiguration?.options?.['awslogs-group']}`,
    );
    const secrets = (container.secrets ?? []).map((x: Json) => `${x.name}=${x.valueFrom}`);
    expect(
      same(
        secrets,
        Object.entries(service.container.secrets).map(([k, v]) => `${k}=${v}`),
      ),
      `secrets ${secrets}`,
    );
    return `desired ${s.desiredCount}, port ${lb.containerPort}${secrets.length ? `, ${secrets.length} secret(s)` : ''}`;
  });
}

/** A blue-green service's requests per target: RequestCountPerTarget summed over both target groups of its pair. */
function checkBothTargetGroupsTracked(d: Deployment, service: ServiceConfig, policies: Json[]): string {
  const { requestsPerTarget, minTasks, maxTasks } = service.scaling;
  const requests = policies.find((x) =>
    x.TargetTrackingScalingPolicyConfiguration?.CustomizedMetricSpecification?.Metrics?.some(
      (m: Json) => m.MetricStat?.Metric?.MetricName === 'RequestCountPerTarget',
    ),
  );
  expect(requests, `no RequestCountPerTarget policy among ${policies.map((x) => x.PolicyName)}`);
  const tracking = requests.TargetTrackingScalingPolicyConfiguration;
  expect(tracking.TargetValue === requestsPerTarget, `target value ${tracking.TargetValue}, expected ${requestsPerTarget}`);
  const suffix = (arn: string) => arn.split(':').pop();
  const groups: Json[] = d.aws(
    'elbv2',
    'describe-target-groups',
    '--names',
    ...d.out.blue_green![service.name].target_group_names,
  ).TargetGroups;
  const tracked = tracking.CustomizedMetricSpecification.Metrics.flatMap(
    (m: Json) => m.MetricStat?.Metric?.Dimensions?.filter((x: Json) => x.Name === 'TargetGroup').map((x: Json) => x.Value) ?? [],
  );
  expect(
    same(
      tracked,
      groups.map((g) => suffix(g.TargetGroupArn)!),
    ),
    `tracked target groups ${tracked}`,
  );
  return `${requestsPerTarget} requests per target over both target groups, ${minTasks}-${maxTasks} tasks`;
}

function checkScaling(d: Deployment, service: ServiceConfig): void {
  const { aws, out } = d;
  const o = out.services[service.name];
  d.checks.run(`${service.name}: a scalable target, and ALBRequestCountPerTarget tracked on its target group`, () => {
    const resourceId = `service/${out.cluster_name}/${o.service_name}`;
    const target = aws('application-autoscaling', 'describe-scalable-targets', '--service-namespace', 'ecs', '--resource-ids', resourceId)
      .ScalableTargets[0];
    expect(target, `no scalable target ${resourceId}`);
    const { minTasks, maxTasks, requestsPerTarget } = service.scaling;
    expect(
      target.MinCapacity === minTasks && target.MaxCapacity === maxTasks,
      `scalable target ${target.MinCapacity}-${target.MaxCapacity}, expected ${minTasks}-${maxTasks}`,
    );
    const policies: Json[] = aws(
      'application-autoscaling',
      'describe-scaling-policies',
      '--service-namespace',
      'ecs',
      '--resource-id',
      resourceId,
    ).ScalingPolicies;
    if (service.deployment.blueGreen) return checkBothTargetGroupsTracked(d, service, policies);
    const requests = policies.find(
      (x) => x.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === 'ALBRequestCountPerTarget',
    );
    expect(requests, `no ALBRequestCountPerTarget policy among ${policies.map((x) => x.PolicyName)}`);
    const tracking = requests.TargetTrackingScalingPolicyConfiguration;
    expect(tracking.TargetValue === requestsPerTarget, `target value ${tracking.TargetValue}, expected ${requestsPerTarget}`);
    const label = `${out.load_balancer_arn.split(':loadbalancer/')[1]}/${o.target_group_arn.split(':').pop()}`;
    const actual = tracking.PredefinedMetricSpecification.ResourceLabel;
    expect(actual === label, `resource label ${actual}, expected ${label}`);
    return `${requestsPerTarget} requests per target, ${minTasks}-${maxTasks} tasks`;
  });
}
