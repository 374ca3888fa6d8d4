/**
 * `npm run test:integration [-- ENV... | upgrade | registry]`: a real `terraform apply` and `terraform destroy`
 * of whole environments against moto, with checks through the AWS CLI in between, the upgrade
 * check (harness/upgrade.ts) and the registry check (harness/registry-check.ts). Default: all of
 * them, in parallel (the upgrade check on a moto of its own).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentConfig, ServiceConfig } from '../src/environment/config';
import { scheduleTimes } from '../src/compute/schedule-times';
import { environmentNames } from '../src/shared/names';
import { ENVIRONMENTS, selectEnvironments } from '../src/environments';
import { Emulator, findMoto, startEmulator } from './emulator';
import { EMULATOR_IMAGE_URI, synthEmulatorStack } from './emulator-stack';
import { planChanges, runUpgrade } from './upgrade';
import { runRegistry } from './registry-check';
import { checkHttps, createHostedZone, deleteHostedZone } from './https-checks';
import { firstError, prepareTerraform, runHarness, seconds, TerraformSetup, WORK_DIR } from './terraform';
import {
  awsCli,
  Checks,
  emulatorAwsEnv,
  expect,
  Json,
  memo,
  oneAtATime,
  plannedChanges,
  readOutputs,
  requireAwsCli,
  same,
  StackOutputs,
  step,
} from './checks';

const OUT_DIR = join(WORK_DIR, 'integration');
/** The name that runs the upgrade check (harness/upgrade.ts). */
const UPGRADE = 'upgrade';
/** The name that runs the registry check (harness/registry-check.ts). */
const REGISTRY = 'registry';

/** Reads what apply created (found by the stack's outputs) and checks it against the environment's config. */
function checkDeployment(checks: Checks, aws: (...args: string[]) => Json, config: EnvironmentConfig, out: StackOutputs): void {
  const cluster = out.cluster_name;

  const vpc = memo(() => {
    const vpcs = aws('ec2', 'describe-vpcs', '--vpc-ids', out.vpc_id).Vpcs;
    expect(vpcs.length === 1, `expected the VPC ${out.vpc_id}, found ${vpcs.length}`);
    return vpcs[0];
  });
  /** Subnets of one tier (Tier tag), one per AZ in AZ order. */
  const subnets = memo(() => {
    const all: Json[] = aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpc().VpcId}`).Subnets;
    const tier = (s: Json) => s.Tags?.find((t: Json) => t.Key === 'Tier')?.Value;
    const byTier = (t: string): Json[] =>
      config.availabilityZones.map((az) => {
        const found = all.filter((s) => s.AvailabilityZone === az && tier(s) === t);
        expect(found.length === 1, `expected one ${t} subnet in ${az}, found ${found.length}`);
        return found[0];
      });
    return { publics: byTier('public'), privates: byTier('private') };
  });
  const ids = (list: Json[]): string[] => list.map((s) => s.SubnetId);
  const loadBalancer = memo(() => aws('elbv2', 'describe-load-balancers', '--load-balancer-arns', out.load_balancer_arn).LoadBalancers[0]);
  const listener = memo(() => {
    const listeners: Json[] = aws('elbv2', 'describe-listeners', '--load-balancer-arn', out.load_balancer_arn).Listeners;
    const port = out.https_listener_arn ? 443 : 80;
    const found = listeners.find((l) => l.Port === port);
    expect(found, `no listener on port ${port}`);
    return found;
  });
  const rules = memo((): Json[] => aws('elbv2', 'describe-rules', '--listener-arn', listener().ListenerArn).Rules);
  const asg = memo(() => {
    const group = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', out.autoscaling_group_name)
      .AutoScalingGroups[0];
    expect(group, `no Auto Scaling group ${out.autoscaling_group_name}`);
    return group;
  });

  checks.run('network: a public and a private subnet per AZ, private default routes through NAT', () => {
    const v = vpc();
    expect(v.CidrBlock === config.vpcCidr, `VPC CIDR ${v.CidrBlock}, expected ${config.vpcCidr}`);
    const { publics, privates } = subnets();
    const tables: Json[] = aws('ec2', 'describe-route-tables', '--filters', `Name=vpc-id,Values=${v.VpcId}`).RouteTables;
    const nats: Json[] = aws('ec2', 'describe-nat-gateways', '--filter', `Name=vpc-id,Values=${v.VpcId}`).NatGateways;
    const defaultRoute = (subnet: Json) => {
      const table = tables.find((t) => t.Associations?.some((a: Json) => a.SubnetId === subnet.SubnetId));
      expect(table, `subnet ${subnet.SubnetId} has no route table`);
      const route = table.Routes.find((r: Json) => r.DestinationCidrBlock === '0.0.0.0/0');
      expect(route, `route table ${table.RouteTableId} has no default route`);
      return route;
    };
    for (const subnet of publics) {
      expect(
        defaultRoute(subnet).GatewayId?.startsWith('igw-'),
        `public subnet ${subnet.SubnetId} does not route through the internet gateway`,
      );
    }
    if (config.natMode === 'instance') {
      const eni = out.nat_network_interface_id;
      privates.forEach((subnet) => {
        const target = defaultRoute(subnet).NetworkInterfaceId;
        expect(
          target === eni,
          `private subnet ${subnet.SubnetId} routes to ${target ?? JSON.stringify(defaultRoute(subnet))}, expected the NAT interface ${eni}`,
        );
      });
      return `${config.availabilityZones.join(', ')}; every private subnet routes to the NAT instance's interface ${eni}`;
    }
    const natIds = new Set<string>();
    privates.forEach((subnet, i) => {
      const nat = nats.find((n) => n.NatGatewayId === defaultRoute(subnet).NatGatewayId);
      expect(nat, `private subnet ${subnet.SubnetId} does not route through a NAT gateway of the VPC`);
      const home = config.natMode === 'per-az' ? publics[i] : publics[0];
      expect(
        nat.SubnetId === home.SubnetId,
        `NAT ${nat.NatGatewayId} of ${subnet.AvailabilityZone} sits in ${nat.SubnetId}, expected public subnet ${home.SubnetId}`,
      );
      natIds.add(nat.NatGatewayId);
    });
    return `${config.availabilityZones.join(', ')}; ${natIds.size} NAT gateway(s) (${config.natMode})`;
  });

  checks.run('load balancer: internet-facing in the public subnets; unrouted requests get the JSON 404 or the default service', () => {
    const lb = loadBalancer();
    expect(lb.Scheme === 'internet-facing', `scheme ${lb.Scheme}`);
    const lbSubnets = lb.AvailabilityZones.map((z: Json) => z.SubnetId);
    expect(same(lbSubnets, ids(subnets().publics)), `ALB subnets ${lbSubnets}, expected the public subnets`);
    const action = listener().DefaultActions[0];
    const byDefault = config.services.find((s) => s.routing.default);
    if (byDefault) {
      const tg = out.services[byDefault.name].target_group_arn;
      expect(
        action.Type === 'forward' && action.TargetGroupArn === tg,
        `default action ${JSON.stringify(action)}, expected forward to ${tg}`,
      );
      return `port ${listener().Port}: default -> ${byDefault.name}`;
    }
    const fixed = action.FixedResponseConfig ?? {};
    expect(
      action.Type === 'fixed-response' && fixed.StatusCode === '404' && fixed.ContentType === 'application/json',
      `default action ${JSON.stringify(action)}`,
    );
    return `port ${listener().Port}: default -> JSON 404`;
  });

  for (const service of config.services) checkService(checks, aws, out, service, { listener, rules, cluster });
  checkHttps(checks, aws, config, out);

  if (config.natMode === 'instance') {
    checks.run('NAT instance: a group of one, whose instance has the routed interface as its own, source/destination check off', () => {
      const eniId = out.nat_network_interface_id;
      const groupName = out.nat_autoscaling_group_name;
      expect(eniId && groupName, 'no nat_network_interface_id / nat_autoscaling_group_name output');
      const group = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', groupName).AutoScalingGroups[0];
      expect(group, `no Auto Scaling group ${groupName}`);
      expect(
        group.MinSize === 1 && group.MaxSize === 1 && group.DesiredCapacity === 1,
        `group size ${group.MinSize}-${group.MaxSize} (desired ${group.DesiredCapacity}), expected 1-1`,
      );
      expect(group.Instances.length === 1, `${group.Instances.length} instances in ${groupName}, expected 1`);
      // An existing interface in the template: the group names its AZ and no subnet, as AWS requires.
      expect(!group.VPCZoneIdentifier, `group sets VPCZoneIdentifier ${group.VPCZoneIdentifier} next to an existing interface`);
      expect(
        group.AvailabilityZones.join() === config.availabilityZones[0],
        `group AZs ${group.AvailabilityZones}, expected ${config.availabilityZones[0]}`,
      );
      const eni = aws('ec2', 'describe-network-interfaces', '--network-interface-ids', eniId).NetworkInterfaces[0];
      expect(eni.SourceDestCheck === false, `SourceDestCheck ${eni.SourceDestCheck} on ${eniId}`);
      expect(eni.SubnetId === subnets().publics[0].SubnetId, `interface in ${eni.SubnetId}, expected the first public subnet`);
      expect(eni.Association?.PublicIp, `no public address on ${eniId}`);
      const instanceId = group.Instances[0].InstanceId;
      const instance = aws('ec2', 'describe-instances', '--instance-ids', instanceId).Reservations[0].Instances[0];
      const primary = instance.NetworkInterfaces.find((n: Json) => n.Attachment?.DeviceIndex === 0);
      expect(
        primary?.NetworkInterfaceId === eniId,
        `instance ${instanceId}'s primary interface is ${primary?.NetworkInterfaceId}, expected ${eniId}`,
      );
      expect(eni.Attachment?.InstanceId === instanceId, `interface attached to ${eni.Attachment?.InstanceId}`);
      const version = aws(
        'ec2',
        'describe-launch-template-versions',
        '--launch-template-id',
        group.LaunchTemplate.LaunchTemplateId,
        '--versions',
        '$Latest',
      ).LaunchTemplateVersions[0];
      const data = version.LaunchTemplateData;
      expect(data.MetadataOptions?.HttpTokens === 'required', `launch template HttpTokens ${data.MetadataOptions?.HttpTokens}`);
      expect(data.KeyName === undefined, `launch template names key pair ${data.KeyName}`);
      expect(
        data.BlockDeviceMappings?.every((m: Json) => m.Ebs?.Encrypted === true),
        `root volume not encrypted: ${JSON.stringify(data.BlockDeviceMappings)}`,
      );
      return `${instanceId} on ${eniId} (${eni.Association.PublicIp}), source/dest check off`;
    });
    checks.run(
      "NAT instance: the emulator refuses a group that names a subnet beside the template's existing interface, as AWS does",
      () => {
        const groupName = out.nat_autoscaling_group_name!;
        const group = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', groupName).AutoScalingGroups[0];
        const template = `LaunchTemplateId=${group.LaunchTemplate.LaunchTemplateId},Version=$Latest`;
        const probe = `${groupName}-subnet-probe`;
        let refusal = '';
        try {
          aws(
            'autoscaling',
            'create-auto-scaling-group',
            '--auto-scaling-group-name',
            probe,
            '--launch-template',
            template,
            '--min-size',
            '1',
            '--max-size',
            '1',
            '--vpc-zone-identifier',
            subnets().publics[0].SubnetId,
          );
        } catch (e) {
          refusal = (e as Error).message;
        }
        if (!refusal) aws('autoscaling', 'delete-auto-scaling-group', '--auto-scaling-group-name', probe, '--force-delete');
        expect(
          /InvalidParameterCombination/.test(refusal),
          `CreateAutoScalingGroup with VPCZoneIdentifier and an interface id was accepted`,
        );
        return 'InvalidParameterCombination';
      },
    );
  }

  if (config.schedule.enabled) {
    checks.run('schedule: the instances and every service scale to zero after hours and back', () => {
      const actions: Json[] = aws(
        'autoscaling',
        'describe-scheduled-actions',
        '--auto-scaling-group-name',
        out.autoscaling_group_name,
      ).ScheduledUpdateGroupActions;
      const sizes = actions.map((a) => `${a.Recurrence}:${a.MinSize}/${a.MaxSize}/${a.DesiredCapacity}`).sort();
      expect(actions.length === 2, `${actions.length} scheduled actions on ${out.autoscaling_group_name}: ${sizes}`);
      // ECS protects the instances from scale-in: the stop lowers only the minimum and ECS scales in.
      const stop = actions.find((a) => a.MinSize === 0);
      expect(stop && stop.MaxSize !== 0 && stop.DesiredCapacity !== 0, `no action that lowers only the minimum to 0: ${sizes}`);
      expect(
        actions.some((a) => a.MinSize === config.capacity.min && a.MaxSize === config.capacity.max),
        `no action back to ${config.capacity.min}-${config.capacity.max}: ${sizes}`,
      );
      for (const service of config.services) {
        const resourceId = `service/${cluster}/${out.services[service.name].service_name}`;
        const scheduled: Json[] = aws(
          'application-autoscaling',
          'describe-scheduled-actions',
          '--service-namespace',
          'ecs',
          '--resource-id',
          resourceId,
        ).ScheduledActions;
        const ranges = scheduled
          .map((a) => `${a.Schedule}:${a.ScalableTargetAction?.MinCapacity}-${a.ScalableTargetAction?.MaxCapacity}`)
          .sort();
        expect(scheduled.length === 2, `${scheduled.length} scheduled actions on ${resourceId}: ${ranges}`);
        expect(
          scheduled.some((a) => a.ScalableTargetAction?.MaxCapacity === 0),
          `${service.name}: no action to zero: ${ranges}`,
        );
      }
      return sizes.join(', ');
    });
  }

  if (config.schedule.enabled && config.natMode === 'instance') {
    checks.run('schedule: the NAT instance is up from before the instances start until after they stop', () => {
      const times = scheduleTimes(config.schedule.start, config.schedule.stop);
      const groupName = out.nat_autoscaling_group_name;
      expect(groupName, 'no nat_autoscaling_group_name output');
      const actions: Json[] = aws(
        'autoscaling',
        'describe-scheduled-actions',
        '--auto-scaling-group-name',
        groupName,
      ).ScheduledUpdateGroupActions;
      const sizes = actions.map((a) => `${a.Recurrence}:${a.MinSize}/${a.MaxSize}/${a.DesiredCapacity}`).sort();
      // Unix cron "MM HH ...": the time the action runs, compared with the times the config derives.
      const at = (a: Json) => {
        const [minute, hour] = String(a.Recurrence).split(' ');
        return `${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
      };
      const up = actions.find((a) => a.MinSize === 1 && a.MaxSize === 1 && a.DesiredCapacity === 1);
      const down = actions.find((a) => a.MinSize === 0 && a.MaxSize === 0 && a.DesiredCapacity === 0);
      expect(actions.length === 2 && up && down, `${actions.length} scheduled actions on ${groupName}: ${sizes}`);
      expect(
        at(up) === times.natStart && at(down) === times.natStop,
        `up at ${at(up)}, down at ${at(down)}; expected ${times.natStart} and ${times.natStop}: ${sizes}`,
      );
      return `${groupName}: ${sizes.join(', ')}`;
    });
  }

  if (config.flowLogs) {
    checks.run(`network: VPC flow logs (${config.flowLogTraffic}) go to ${config.flowLogDestination}`, () => {
      const logs: Json[] = aws('ec2', 'describe-flow-logs', '--filter', `Name=resource-id,Values=${vpc().VpcId}`).FlowLogs;
      expect(logs.length === 1, `${logs.length} flow logs on the VPC`);
      expect(
        logs[0].LogDestinationType === config.flowLogDestination && logs[0].TrafficType === config.flowLogTraffic,
        JSON.stringify(logs[0]),
      );
      return logs[0].LogGroupName ?? logs[0].LogDestination;
    });
  }

  if (config.loadBalancer.accessLogs) {
    checks.run('load balancer: access logs go to a private bucket that grants ELB delivery', () => {
      const attributes: Json[] = aws('elbv2', 'describe-load-balancer-attributes', '--load-balancer-arn', out.load_balancer_arn).Attributes;
      const attribute = (key: string) => attributes.find((a) => a.Key === key)?.Value;
      expect(attribute('access_logs.s3.enabled') === 'true', 'access logs are not enabled');
      const bucket = attribute('access_logs.s3.bucket');
      expect(bucket, 'no access log bucket');
      const block = aws('s3api', 'get-public-access-block', '--bucket', bucket).PublicAccessBlockConfiguration;
      expect(
        Object.values(block).every((v) => v === true),
        `public access block ${JSON.stringify(block)}`,
      );
      const policy = JSON.parse(aws('s3api', 'get-bucket-policy', '--bucket', bucket).Policy);
      const writers = policy.Statement.filter((st: Json) => st.Effect === 'Allow' && st.Action === 's3:PutObject');
      expect(writers.length === 2, `bucket policy grants PutObject in ${writers.length} statements, expected 2`);
      return bucket;
    });
  }

  checks.run('capacity: the ASG uses the private subnets and the launch template, which requires IMDSv2', () => {
    const group = asg();
    const zones = group.VPCZoneIdentifier.split(',');
    expect(same(zones, ids(subnets().privates)), `ASG subnets ${zones}, expected the private subnets`);
    expect(group.MinSize === config.capacity.min && group.MaxSize === config.capacity.max, `ASG size ${group.MinSize}-${group.MaxSize}`);
    const templateId =
      group.LaunchTemplate?.LaunchTemplateId ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification?.LaunchTemplateId;
    expect(templateId, 'the ASG has no launch template');
    const version = aws('ec2', 'describe-launch-template-versions', '--launch-template-id', templateId, '--versions', '$Latest')
      .LaunchTemplateVersions[0];
    const metadata = version.LaunchTemplateData.MetadataOptions ?? {};
    expect(metadata.HttpTokens === 'required', `launch template HttpTokens ${metadata.HttpTokens}, expected required`);
    return `${zones.length} private subnets, ${templateId} (HttpTokens required)`;
  });

  checks.run('cluster: the capacity provider is the default strategy and scales the ASG', () => {
    const c = aws('ecs', 'describe-clusters', '--clusters', cluster).clusters[0];
    expect(c?.status === 'ACTIVE', `cluster ${cluster} is ${c?.status ?? 'missing'}`);
    const provider = out.capacity_provider_name;
    expect(c.capacityProviders?.includes(provider), `cluster capacity providers ${c.capacityProviders}`);
    const strategy = c.defaultCapacityProviderStrategy ?? [];
    expect(strategy.length === 1 && strategy[0].capacityProvider === provider, `default strategy ${JSON.stringify(strategy)}`);
    const cp = aws('ecs', 'describe-capacity-providers', '--capacity-providers', provider).capacityProviders[0];
    expect(
      cp.autoScalingGroupProvider.autoScalingGroupArn === asg().AutoScalingGroupARN,
      `capacity provider scales ${cp.autoScalingGroupProvider.autoScalingGroupArn}`,
    );
    return `${provider} -> ${out.autoscaling_group_name}`;
  });
}

/** One service: its target group, its way in (rule or default action), the ECS service attached to it, its scaling. */
function checkService(
  checks: Checks,
  aws: (...args: string[]) => Json,
  out: StackOutputs,
  service: ServiceConfig,
  shared: { listener: () => Json; rules: () => Json[]; cluster: string },
): void {
  const o = out.services[service.name];
  const name = service.name;
  const targetGroup = memo(() => aws('elbv2', 'describe-target-groups', '--target-group-arns', o.target_group_arn).TargetGroups[0]);

  checks.run(`${name}: target group with the configured health check`, () => {
    const tg = targetGroup();
    expect(tg.TargetGroupName === o.target_group_name, `target group ${tg.TargetGroupName}`);
    const path = service.targetGroup.healthCheckPath;
    expect(tg.HealthCheckPath === path, `health check path ${tg.HealthCheckPath}, expected ${path}`);
    return `${tg.TargetGroupName}, health check ${path}`;
  });

  if (!service.routing.default) {
    checks.run(`${name}: a listener rule at its priority forwards its paths and hosts to the target group`, () => {
      const rule = shared.rules().find((r) => r.Actions?.some((a: Json) => a.TargetGroupArn === o.target_group_arn));
      expect(rule, `no rule on listener ${shared.listener().Port} forwards to ${o.target_group_name}`);
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

  checks.run(`${name}: the ECS service is attached to the target group with the configured desired count`, () => {
    const s = aws('ecs', 'describe-services', '--cluster', shared.cluster, '--services', o.service_name).services[0];
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

  checks.run(`${name}: a scalable target, and ALBRequestCountPerTarget tracked on its target group`, () => {
    const resourceId = `service/${shared.cluster}/${o.service_name}`;
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

/** `npm run ops -- <args>` against the emulator (AWS_ENDPOINT_URL, fake credentials). */
function ops(endpoint: string, ...args: string[]) {
  const cli = join(__dirname, '..', 'tools', 'ops', 'cli.ts');
  const r = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), cli, ...args], {
    env: { ...emulatorAwsEnv(), AWS_ENDPOINT_URL: endpoint },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The operations layer: alarms, topic, dashboard, exec settings as AWS reports them, and `npm run ops` on the deployed stack. */
function checkOperations(
  checks: Checks,
  aws: (...args: string[]) => Json,
  endpoint: string,
  config: EnvironmentConfig,
  out: StackOutputs,
): void {
  const names = environmentNames(config.namePrefix);
  checks.run('operations: every alarm notifies the KMS-encrypted topic; the dashboard exists', () => {
    const alarms: Json[] = aws('cloudwatch', 'describe-alarms', '--alarm-name-prefix', names.alarmPrefix).MetricAlarms;
    // Six per service (five without Container Insights: no tasks-below-desired) and two for the environment.
    const expected = (config.containerInsights ? 6 : 5) * config.services.length + 2;
    expect(alarms.length === expected, `${alarms.length} alarms named ${names.alarmPrefix}*, expected ${expected}`);
    const silent = alarms.filter((a) => !a.AlarmActions?.includes(out.alarm_topic_arn));
    expect(silent.length === 0, `alarms not notifying ${out.alarm_topic_arn}: ${silent.map((a) => a.AlarmName)}`);
    const topic = aws('sns', 'get-topic-attributes', '--topic-arn', out.alarm_topic_arn).Attributes;
    expect(topic.KmsMasterKeyId?.includes(':key/'), `topic KmsMasterKeyId ${topic.KmsMasterKeyId}`);
    expect(
      JSON.parse(topic.Policy).Statement.some(
        (st: Json) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
      'topic policy has no TLS-only deny',
    );
    const body = JSON.parse(aws('cloudwatch', 'get-dashboard', '--dashboard-name', out.dashboard_name).DashboardBody);
    return `${alarms.length} alarms, topic under ${topic.KmsMasterKeyId.split('/').pop()}, dashboard ${out.dashboard_name} with ${body.widgets.length} widgets`;
  });

  if (config.operations.exec.enabled) {
    checks.run('operations: ECS Exec on, sessions logged (OVERRIDE) to the KMS-encrypted group', () => {
      const c = aws('ecs', 'describe-clusters', '--clusters', out.cluster_name, '--include', 'CONFIGURATIONS').clusters[0];
      const exec = c.configuration?.executeCommandConfiguration;
      expect(
        exec?.logging === 'OVERRIDE' && exec.logConfiguration?.cloudWatchLogGroupName === names.execLogGroup,
        `cluster exec configuration ${JSON.stringify(exec)}`,
      );
      const group = aws('logs', 'describe-log-groups', '--log-group-name-prefix', names.execLogGroup).logGroups[0];
      expect(group?.kmsKeyId, `log group ${names.execLogGroup}: ${JSON.stringify(group)}`);
      const services: Json[] = aws(
        'ecs',
        'describe-services',
        '--cluster',
        out.cluster_name,
        '--services',
        ...config.services.map((s) => s.name),
      ).services;
      const off = services.filter((s) => s.enableExecuteCommand !== true).map((s) => s.serviceName);
      expect(off.length === 0, `exec off on ${off}`);
      return `${names.execLogGroup}, ${services.length} service(s)`;
    });
  }

  checks.run('ops status: one screen from the AWS SDK (AWS_ENDPOINT_URL) with every service', () => {
    const r = ops(endpoint, 'status', config.name);
    expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
    expect(
      r.stdout.startsWith(`${config.name} (${config.region}): cluster ${out.cluster_name} ACTIVE`),
      `first line: ${r.stdout.split('\n')[0]}`,
    );
    for (const s of config.services)
      expect(r.stdout.includes(`\n  ${s.name}: `) && !r.stdout.includes(`${s.name}: NOT FOUND`), `no line for ${s.name}:\n${r.stdout}`);
    expect(
      r.stdout.includes(`${out.autoscaling_group_name}: `) && r.stdout.includes('Alarms in ALARM'),
      `no capacity or alarm section:\n${r.stdout}`,
    );
    return `${r.stdout.trim().split('\n').length} lines`;
  });

  checks.run('ops scale: desired count within the autoscaling bounds; outside them exit 2', () => {
    const service = config.services[0];
    const n = service.scaling.maxTasks;
    const r = ops(endpoint, 'scale', config.name, service.name, String(n));
    expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
    const desired = aws('ecs', 'describe-services', '--cluster', out.cluster_name, '--services', service.name).services[0].desiredCount;
    expect(desired === n, `desired count ${desired}, expected ${n}`);
    const over = ops(endpoint, 'scale', config.name, service.name, String(n + 1));
    expect(over.code === 2 && over.stderr.trim().split('\n').length === 1, `over the bounds: exit ${over.code}, stderr ${over.stderr}`);
    return `${service.name} -> ${n}; ${n + 1} refused`;
  });
}

/**
 * A deploy off hours: the environment as the schedule's stop actions leave it (every group at 0, every
 * service at 0-0), then `ops wake`, which must bring back what the deployed start actions say, NAT
 * first; then `ops wait`, which must see every deployment COMPLETED.
 */
function checkWakeAndWait(
  checks: Checks,
  aws: (...args: string[]) => Json,
  endpoint: string,
  config: EnvironmentConfig,
  out: StackOutputs,
): void {
  if (!config.schedule.enabled) return;
  const group = (name: string) =>
    aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', name).AutoScalingGroups[0];
  const inService = (g: Json) => (g.Instances ?? []).filter((i: Json) => i.LifecycleState === 'InService').length;
  /** The group's start action: its scheduled action that sets a minimum above 0. */
  const startOf = (name: string) => {
    const actions: Json[] = aws('autoscaling', 'describe-scheduled-actions', '--auto-scaling-group-name', name).ScheduledUpdateGroupActions;
    const start = actions.find((a) => a.MinSize > 0);
    expect(start, `no start action on ${name}: ${JSON.stringify(actions)}`);
    return start;
  };
  const resourceId = (service: string) => `service/${out.cluster_name}/${out.services[service].service_name}`;
  const natGroup = out.nat_autoscaling_group_name;

  const woke = checks.run(
    "ops wake: off hours (groups and services at 0), NAT then instances then services back at the start actions' sizes",
    () => {
      const groups = [...(natGroup ? [natGroup] : []), out.autoscaling_group_name];
      for (const name of groups)
        aws(
          'autoscaling',
          'update-auto-scaling-group',
          '--auto-scaling-group-name',
          name,
          '--min-size',
          '0',
          '--max-size',
          '0',
          '--desired-capacity',
          '0',
        );
      for (const s of config.services) {
        aws(
          'application-autoscaling',
          'register-scalable-target',
          '--service-namespace',
          'ecs',
          '--resource-id',
          resourceId(s.name),
          '--scalable-dimension',
          'ecs:service:DesiredCount',
          '--min-capacity',
          '0',
          '--max-capacity',
          '0',
        );
        aws('ecs', 'update-service', '--cluster', out.cluster_name, '--service', out.services[s.name].service_name, '--desired-count', '0');
      }
      for (const name of groups) expect(group(name).DesiredCapacity === 0, `${name} did not go to 0 for the off-hours state`);

      const r = ops(endpoint, 'wake', config.name);
      expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
      const lines = r.stdout.trim().split('\n');
      const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
      const order = [
        ...(natGroup ? [at(`NAT instance ${natGroup}:`)] : []),
        at(`container instances ${out.autoscaling_group_name}:`),
        ...config.services.map((s) => at(`service ${s.name}:`)),
      ];
      expect(
        order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])),
        `not NAT, then instances, then services:\n${r.stdout}`,
      );

      for (const name of groups) {
        const g = group(name);
        const start = startOf(name);
        expect(
          g.MinSize === start.MinSize && g.MaxSize === start.MaxSize,
          `${name}: ${g.MinSize}-${g.MaxSize}, the start action says ${start.MinSize}-${start.MaxSize}`,
        );
        expect(inService(g) >= start.MinSize, `${name}: ${inService(g)} in service, expected at least ${start.MinSize}`);
      }
      const instances = group(out.autoscaling_group_name);
      expect(
        instances.MinSize === config.capacity.min && instances.MaxSize === config.capacity.max,
        `instances ${instances.MinSize}-${instances.MaxSize}, config ${config.capacity.min}-${config.capacity.max}`,
      );
      for (const s of config.services) {
        const target = aws(
          'application-autoscaling',
          'describe-scalable-targets',
          '--service-namespace',
          'ecs',
          '--resource-ids',
          resourceId(s.name),
        ).ScalableTargets[0];
        expect(
          target.MinCapacity === s.scaling.minTasks && target.MaxCapacity === s.scaling.maxTasks,
          `${s.name}: target ${target.MinCapacity}-${target.MaxCapacity}, expected ${s.scaling.minTasks}-${s.scaling.maxTasks}`,
        );
        const svc = aws('ecs', 'describe-services', '--cluster', out.cluster_name, '--services', out.services[s.name].service_name)
          .services[0];
        expect(
          svc.desiredCount >= s.scaling.minTasks && svc.runningCount >= s.scaling.minTasks,
          `${s.name}: desired ${svc.desiredCount}, running ${svc.runningCount}, expected at least ${s.scaling.minTasks}`,
        );
      }
      return lines[lines.length - 1];
    },
  );

  if (woke) {
    checks.run("ops wait: every service's PRIMARY deployment COMPLETED on the applied revision, exit 0", () => {
      const r = ops(endpoint, 'wait', config.name, '1');
      expect(r.code === 0, `exit ${r.code}: ${r.stderr.trim()}`);
      for (const s of config.services)
        expect(
          new RegExp(`^${s.name}: deployment \\S+ COMPLETED on `, 'm').test(r.stdout),
          `no COMPLETED line for ${s.name}:\n${r.stdout}`,
        );
      return `${config.services.length} service(s)`;
    });
  }
}

/** What an operator runs by hand against the cluster. */
function checkOperatorCommands(checks: Checks, aws: (...args: string[]) => Json, config: EnvironmentConfig, out: StackOutputs): void {
  const cluster = out.cluster_name;
  const names = Object.values(out.services).map((s) => s.service_name);
  checks.run('operator: aws ecs list-clusters / list-services / describe-services', () => {
    const clusters: string[] = aws('ecs', 'list-clusters').clusterArns;
    expect(
      clusters.some((a) => a.endsWith(`/${cluster}`)),
      `list-clusters: ${clusters}`,
    );
    const services: string[] = aws('ecs', 'list-services', '--cluster', cluster).serviceArns;
    expect(
      same(
        services.map((a) => a.split('/').pop()!),
        names,
      ),
      `list-services: ${services}`,
    );
    const described = aws('ecs', 'describe-services', '--cluster', cluster, '--services', services[0]).services;
    expect(described[0]?.serviceArn === services[0], 'describe-services by ARN found nothing');
    return names.join(', ');
  });
  checks.run('operator: aws ecs update-service --desired-count 0', () => {
    aws('ecs', 'update-service', '--cluster', cluster, '--service', names[0], '--desired-count', '0');
    const count = aws('ecs', 'describe-services', '--cluster', cluster, '--services', names[0]).services[0].desiredCount;
    expect(count === 0, `desired count ${count} after update-service`);
  });
  checks.run('operator: aws autoscaling set-desired-capacity', () => {
    const desired = config.capacity.max;
    aws(
      'autoscaling',
      'set-desired-capacity',
      '--auto-scaling-group-name',
      out.autoscaling_group_name,
      '--desired-capacity',
      String(desired),
    );
    const asg = aws('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', out.autoscaling_group_name)
      .AutoScalingGroups[0];
    expect(asg.DesiredCapacity === desired, `desired capacity ${asg.DesiredCapacity}, expected ${desired}`);
    return `desired capacity ${desired}`;
  });
}

/**
 * Provider 5.x replaces an ECS service whose capacity provider strategy changes unless
 * force_new_deployment is set: change every service's strategy weight in the synthesized stack,
 * plan, and require an in-place update. The stack file is restored afterwards.
 */
async function checkStrategyChangeInPlace(checks: Checks, setup: TerraformSetup, dir: string): Promise<void> {
  const file = join(dir, 'cdk.tf.json');
  const original = readFileSync(file, 'utf8');
  const stack = JSON.parse(original);
  const services: Record<string, Json> = stack.resource.aws_ecs_service;
  for (const service of Object.values(services)) {
    for (const item of service.capacity_provider_strategy) item.weight += 1;
  }
  writeFileSync(file, JSON.stringify(stack, null, 2));
  try {
    const plan = await step(checks, setup, dir, 'plan-strategy', ['plan', '-out=strategy.tfplan']);
    checks.run('a changed capacity provider strategy weight updates each ECS service in place (no replacement)', () => {
      expect(plan.code === 0, `${firstError(plan.output)} (log: ${join(dir, 'plan-strategy.log')})`);
      const changes = planChanges(setup, dir, 'strategy.tfplan').filter((c) => c.type === 'aws_ecs_service');
      expect(
        changes.length === Object.keys(services).length,
        `${changes.length} aws_ecs_service changes, expected ${Object.keys(services).length}`,
      );
      const wrong = changes.filter((c) => c.change.actions.join() !== 'update');
      expect(wrong.length === 0, wrong.map((c) => `${c.address}: ${c.change.actions.join('/')}`).join('; '));
      return changes.map((c) => `${c.address}: update`).join(', ');
    });
  } finally {
    writeFileSync(file, original);
  }
}

async function runEnvironment(setup: TerraformSetup, emulator: Emulator, environment: string, checks: Checks): Promise<void> {
  const { config, dir } = synthEmulatorStack(environment, emulator.endpoint, join(OUT_DIR, environment));
  checks.log(
    `== ${environment}: ${config.availabilityZones.length} AZs, NAT ${config.natMode}, services ${config.services.map((s) => s.name).join(', ')}, images from a URI (the docker provider is not used) ==`,
  );
  const env = { ...setup, env: emulatorAwsEnv(setup.env) };
  const aws = awsCli(emulator.endpoint, config.region);
  const log = (name: string) => join(dir, `${name}.log`);

  const init = await oneAtATime(() => step(checks, env, dir, 'init', ['init']));
  if (!checks.run('terraform init', () => expect(init.code === 0, firstError(init.output)))) return;
  let zoneId: string | undefined;
  if (
    config.domain?.zoneName &&
    !checks.run(
      `hosted zone ${config.domain.zoneName} created first (the stack looks it up)`,
      () => (zoneId = createHostedZone(aws, config)),
    )
  )
    return;

  const apply = await step(checks, env, dir, 'apply', ['apply', '-auto-approve']);
  const applied = checks.run('terraform apply', () => {
    expect(apply.code === 0, `${firstError(apply.output)} (log: ${log('apply')})`);
    return /Resources: (\d+) added/.exec(apply.output)?.[0];
  });
  if (applied) {
    const out = readOutputs(env, dir);
    checkDeployment(checks, aws, config, out);
    // moto's answers are not complete enough for an empty re-plan: record the drift, don't assert on it.
    const plan = await step(checks, env, dir, 'plan', ['plan', '-detailed-exitcode']);
    const changes = plannedChanges(plan.output);
    if (plan.code === 1) checks.log(`second plan failed (not asserted): ${firstError(plan.output)}`);
    else
      checks.log(
        `second plan (not asserted): ${changes.length === 0 ? 'no changes' : `${changes.length} would change, see ${log('plan')}`}`,
      );
    changes.forEach((c) => checks.log(`  ${c}`));
    await checkStrategyChangeInPlace(checks, env, dir);
    checkOperations(checks, aws, emulator.endpoint, config, out);
    checkWakeAndWait(checks, aws, emulator.endpoint, config, out);
    checkOperatorCommands(checks, aws, config, out);
  }

  // Destroy even after a failed apply: it must clean up whatever was created.
  let vpcId: string | undefined;
  try {
    vpcId = readOutputs(env, dir).vpc_id;
  } catch {
    vpcId = undefined;
  }
  const destroy = await step(checks, env, dir, 'destroy', ['destroy', '-auto-approve']);
  checks.run('terraform destroy leaves an empty state', () => {
    expect(destroy.code === 0, `${firstError(destroy.output)} (log: ${log('destroy')})`);
    const state = spawnSync('terraform', ['state', 'list'], { cwd: dir, env: env.env, encoding: 'utf8' });
    expect(state.status === 0, `terraform state list: ${state.stderr.trim()}`);
    const left = state.stdout.trim();
    expect(left === '', `still in state: ${left.split('\n').join(', ')}`);
    if (vpcId) {
      const vpcs = aws('ec2', 'describe-vpcs', '--filters', `Name=vpc-id,Values=${vpcId}`).Vpcs;
      expect(vpcs.length === 0, `the VPC ${vpcId} is still in the emulator`);
    }
    return /Resources: (\d+) destroyed/.exec(destroy.output)?.[0];
  });
  if (applied) {
    checks.run('ops status after destroy: exit 2, one line saying the environment is not deployed', () => {
      const r = ops(emulator.endpoint, 'status', environment);
      expect(
        r.code === 2 && r.stdout === '' && /^error: environment "[a-z-]+" is not deployed in [a-z0-9-]+: .*\n$/.test(r.stderr),
        `exit ${r.code}, stderr ${JSON.stringify(r.stderr)}`,
      );
      return r.stderr.trim();
    });
  }
  if (zoneId) checks.run('hosted zone deleted (destroy left no record in it)', () => deleteHostedZone(aws, zoneId!));
}

async function main(): Promise<number> {
  const start = performance.now();
  const named = process.argv.slice(2).filter((a) => a.trim() !== '');
  // Default: every environment (the example too), the upgrade and registry checks; `upgrade` or `registry` names one alone.
  const runs = [...new Set(named.length > 0 ? named : [...Object.keys(ENVIRONMENTS), UPGRADE, REGISTRY])];
  const environments = runs.filter((r) => r !== UPGRADE && r !== REGISTRY);
  selectEnvironments(environments); // unknown names fail here, before anything starts
  const setup = await prepareTerraform();
  const cli = requireAwsCli();
  const moto = findMoto();
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const emulator = await startEmulator(moto, join(OUT_DIR, 'moto.log'));
  // The upgrade check deploys dev's names too: it gets a moto of its own.
  const upgradeEmulator = runs.includes(UPGRADE) ? await startEmulator(moto, join(OUT_DIR, 'moto-upgrade.log')) : undefined;
  console.log(`terraform ${setup.version}; ${setup.description}`);
  console.log(
    `moto ${emulator.version} (patched, harness/moto_launcher.py) at ${emulator.endpoint}${upgradeEmulator ? ` (upgrade check: ${upgradeEmulator.endpoint})` : ''}; ${cli}`,
  );

  let results: Checks[];
  try {
    results = await Promise.all(
      runs.map(async (run) => {
        const checks = new Checks();
        const job =
          run === UPGRADE
            ? runUpgrade(setup, upgradeEmulator!, OUT_DIR, checks)
            : run === REGISTRY
              ? runRegistry(setup, emulator, OUT_DIR, checks)
              : runEnvironment(setup, emulator, run, checks);
        await job.catch((error) =>
          checks.run('harness', () => {
            throw error;
          }),
        );
        console.log(['', ...checks.lines].join('\n'));
        return checks;
      }),
    );
  } finally {
    emulator.stop();
    upgradeEmulator?.stop();
  }
  const passed = results.reduce((n, c) => n + c.passed, 0);
  const failed = results.reduce((n, c) => n + c.failed, 0);
  console.log(`\nintegration took ${seconds(start)}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runHarness(main);
