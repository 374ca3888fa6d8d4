/** One service: its target group, its way in (rule or default action), the ECS service attached to it, its scaling. */
import { ServiceConfig } from '../../src/environment/config';
import { expect, Json, same } from '../checks';
import { EMULATOR_IMAGE_URI } from '../emulator-stack';
import { Deployment } from './deployment';
import { checkBlueGreenRoute, checkCodeDeploy } from './blue-green';
import { FARGATE_CAPACITY_PROVIDERS, isFargate } from '../../src/services/fargate';

export function checkService(d: Deployment, service: ServiceConfig): void {
  checkTargetGroup(d, service);
  if (!service.routing.default) checkListenerRule(d, service);
  checkEcsService(d, service);
  if (isFargate(service.runsOn)) checkFargate(d, service);
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
    // Fargate's tasks register their own address on the container port (awsvpc); EC2's their instance on a host port.
    const targets = isFargate(service.runsOn) ? { type: 'ip', port: service.container.port } : { type: 'instance', port: 80 };
    expect(
      tg.TargetType === targets.type && tg.Port === targets.port,
      `${tg.TargetType} targets on ${tg.Port}, expected ${targets.type} on ${targets.port}`,
    );
    return `${tg.TargetGroupName}, ${tg.TargetType} targets on ${tg.Port}, health check ${path}`;
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
    const networkMode = isFargate(service.runsOn) ? 'awsvpc' : 'bridge';
    expect(task.networkMode === networkMode, `network mode ${task.networkMode}, expected ${networkMode}`);
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

/** A Fargate service as ECS describes it: its provider alone, the private subnets, its own group, no public IP; its task's size and platform. */
function checkFargate(d: Deployment, service: ServiceConfig): void {
  const { aws, out } = d;
  const o = out.services[service.name];
  const provider = FARGATE_CAPACITY_PROVIDERS[service.runsOn as keyof typeof FARGATE_CAPACITY_PROVIDERS];
  d.checks.run(
    `${service.name}: on ${provider}, in the private subnets with its own security group and no public IP, a FARGATE task`,
    () => {
      const s = aws('ecs', 'describe-services', '--cluster', out.cluster_name, '--services', o.service_name).services[0];
      const strategy = (s.capacityProviderStrategy ?? []).map((x: Json) => x.capacityProvider);
      expect(
        same(strategy, [provider]),
        `capacity provider strategy ${JSON.stringify(s.capacityProviderStrategy)}, expected ${provider} alone`,
      );
      const vpc = s.networkConfiguration?.awsvpcConfiguration;
      expect(vpc, `no awsvpcConfiguration: ${JSON.stringify(s.networkConfiguration)}`);
      const privates = d.subnets().privates.map((x: Json) => x.SubnetId);
      expect(same(vpc.subnets, privates), `subnets ${vpc.subnets}, expected the private ones ${privates}`);
      expect(vpc.assignPublicIp === 'DISABLED', `assignPublicIp ${vpc.assignPublicIp}`);
      expect(vpc.securityGroups?.length === 1, `security groups ${vpc.securityGroups}`);
      const [group] = aws('ec2', 'describe-security-groups', '--group-ids', vpc.securityGroups[0]).SecurityGroups;
      const ingress = group.IpPermissions ?? [];
      expect(
        ingress.length === 1 &&
          ingress[0].FromPort === service.container.port &&
          ingress[0].ToPort === service.container.port &&
          (ingress[0].IpRanges ?? []).length === 0 &&
          ingress[0].UserIdGroupPairs?.length === 1,
        `task group ingress ${JSON.stringify(ingress)}, expected one group on ${service.container.port}`,
      );
      const cluster = aws('ecs', 'describe-clusters', '--clusters', out.cluster_name).clusters[0];
      expect(cluster.capacityProviders?.includes(provider), `cluster providers ${cluster.capacityProviders}`);
      const task = aws('ecs', 'describe-task-definition', '--task-definition', s.taskDefinition).taskDefinition;
      const size = { cpu: String(service.container.cpu), memory: String(service.container.memoryMiB) };
      expect(same(task.requiresCompatibilities, ['FARGATE']), `requiresCompatibilities ${task.requiresCompatibilities}`);
      expect(
        task.cpu === size.cpu && task.memory === size.memory,
        `task size ${task.cpu}/${task.memory}, expected ${size.cpu}/${size.memory}`,
      );
      expect(task.runtimePlatform?.operatingSystemFamily === 'LINUX', `runtime platform ${JSON.stringify(task.runtimePlatform)}`);
      return `${provider}, ${vpc.subnets.length} private subnets, ${group.GroupName} (in: ${service.container.port} from one group), task ${size.cpu}/${size.memory} ${task.runtimePlatform.cpuArchitecture}`;
    },
  );
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
