import { TerraformResource } from 'cdktf';
import { resolveEnvironment } from '../src/environment/resolve';
import { EXEC_SSM_ACTIONS, EXEC_WRITABLE_PATHS } from '../src/services/load-balanced-service';
import { NAMESPACES } from '../src/operations/metrics';
import { environmentNames } from '../src/shared/names';
import { SERVICE_ALARM_DEFAULTS } from '../src/operations/settings';
import { DEMO_ENVIRONMENTS, demoConfig, demoConfigs } from './support/fixtures';
import { address, synthStack, SynthesizedStack } from './support/stacks';
import { resourcesOf } from './support/synth';

/** `${aws_x.y.attr}`: how the synthesized JSON refers to a resource's attribute. */
const ref = (resource: TerraformResource, attr: string) => `\${${address(resource)}.${attr}}`;
const resourceOf = (s: SynthesizedStack, resource: TerraformResource) =>
  resourcesOf(s.json, resource.terraformResourceType)[resource.friendlyUniqueId];

const [devConfig, prodConfig, microConfig] = demoConfigs(['dev', 'prod', 'microservices']);
const stacks = { dev: synthStack(devConfig), prod: synthStack(prodConfig), microservices: synthStack(microConfig) };
/** Container Insights per stack: dev has it off, prod and microservices on. */
const insights = { dev: devConfig.containerInsights, prod: prodConfig.containerInsights, microservices: microConfig.containerInsights };

describe.each(Object.entries(stacks))('%s: alarms watch exactly the resources of their service', (env, s) => {
  const { stack } = s;
  const withInsights = insights[env as keyof typeof insights];
  const lb = ref(stack.loadBalancer.loadBalancer, 'arn_suffix');
  const cluster = ref(stack.capacity.cluster, 'name');

  test('one ServiceAlarms per service, six alarms each (five without Container Insights), plus two for the environment (three with Spot)', () => {
    expect(stack.serviceAlarms.map((a) => a.node.id)).toEqual(stack.services.map((x) => `alarms-${x.name}`));
    expect(Object.keys(resourcesOf(s.json, 'aws_cloudwatch_metric_alarm'))).toHaveLength(
      (withInsights ? 6 : 5) * stack.services.length + (stack.capacity.spotCapacityProvider ? 3 : 2),
    );
  });

  test('with Spot, a capacity-short alarm on each capacity provider; without, on the on-demand one alone', () => {
    const alarms = stack.environmentAlarms;
    const spot = stack.capacity.spotCapacityProvider;
    expect(alarms.spotCapacityShort === undefined).toBe(spot === undefined);
    if (!spot) return;
    expect(resourceOf(s, alarms.spotCapacityShort!)).toMatchObject({
      namespace: 'AWS/ECS/ManagedScaling',
      metric_name: 'CapacityProviderReservation',
      dimensions: { CapacityProviderName: ref(spot, 'name'), ClusterName: cluster },
      comparison_operator: 'GreaterThanThreshold',
      threshold: 100,
    });
  });

  test.each(stack.services.map((svc, i) => [svc.name, i] as const))('%s', (name, i) => {
    const svc = stack.services[i];
    const alarms = stack.serviceAlarms[i];
    const tg = { LoadBalancer: lb, TargetGroup: ref(svc.route.targetGroup, 'arn_suffix') };
    // The service's own name, as a literal: the service names these alarms (its deployment alarms), so they can't refer back to it.
    expect(resourceOf(s, svc.service).name).toBe(name);
    const ecs = { ClusterName: cluster, ServiceName: name };
    const get = (a: TerraformResource) => resourceOf(s, a);
    const query = (a: TerraformResource, id: string) => get(a).metric_query.find((q: { id: string }) => q.id === id).metric;

    const alb = (metric_name: string, dimensions: object, stat: string) => ({
      namespace: NAMESPACES.alb,
      metric_name,
      dimensions,
      period: 60,
      stat,
    });
    if (svc.route.blueGreen) {
      // Blue/green: the tasks serve from either target group, and the deployment alarms watch both.
      const tg2 = { LoadBalancer: lb, TargetGroup: ref(svc.route.blueGreen.alternateTargetGroup, 'arn_suffix') };
      expect(query(alarms.target5xxRate, 'errors1')).toEqual(alb('HTTPCode_Target_5XX_Count', tg, 'Sum'));
      expect(query(alarms.target5xxRate, 'errors2')).toEqual(alb('HTTPCode_Target_5XX_Count', tg2, 'Sum'));
      expect(query(alarms.target5xxRate, 'requests1')).toEqual(alb('RequestCount', tg, 'Sum'));
      expect(query(alarms.target5xxRate, 'requests2')).toEqual(alb('RequestCount', tg2, 'Sum'));
      for (const [alarm, metric, stat] of [
        [alarms.unhealthyHosts, 'UnHealthyHostCount', 'Maximum'],
        [alarms.p99Latency, 'TargetResponseTime', 'p99'],
      ] as const) {
        expect(query(alarm, 'first')).toEqual(alb(metric, tg, stat));
        expect(query(alarm, 'second')).toEqual(alb(metric, tg2, stat));
        expect(get(alarm).metric_query.find((q: { id: string }) => q.id === 'value').expression).toBe('MAX([first, second])');
      }
    } else {
      expect(query(alarms.target5xxRate, 'errors')).toEqual(alb('HTTPCode_Target_5XX_Count', tg, 'Sum'));
      expect(query(alarms.target5xxRate, 'requests')).toEqual(alb('RequestCount', tg, 'Sum'));
      expect(get(alarms.unhealthyHosts)).toMatchObject({
        namespace: NAMESPACES.alb,
        metric_name: 'UnHealthyHostCount',
        dimensions: tg,
        statistic: 'Maximum',
        threshold: 0,
      });
      expect(get(alarms.p99Latency)).toMatchObject({
        namespace: NAMESPACES.alb,
        metric_name: 'TargetResponseTime',
        dimensions: tg,
        extended_statistic: 'p99',
      });
    }
    expect(get(alarms.cpuHigh)).toMatchObject({
      namespace: NAMESPACES.ecs,
      metric_name: 'CPUUtilization',
      dimensions: ecs,
      statistic: 'Average',
    });
    expect(get(alarms.memoryHigh)).toMatchObject({
      namespace: NAMESPACES.ecs,
      metric_name: 'MemoryUtilization',
      dimensions: ecs,
      statistic: 'Average',
    });
    if (withInsights) {
      expect(query(alarms.tasksBelowDesired!, 'running')).toMatchObject({
        namespace: NAMESPACES.containerInsights,
        metric_name: 'RunningTaskCount',
        dimensions: ecs,
      });
      expect(query(alarms.tasksBelowDesired!, 'desired')).toMatchObject({
        namespace: NAMESPACES.containerInsights,
        metric_name: 'DesiredTaskCount',
        dimensions: ecs,
      });
    } else {
      // Nothing would publish RunningTaskCount: the alarm would sit in INSUFFICIENT_DATA forever.
      expect(alarms.tasksBelowDesired).toBeUndefined();
    }
    const namespaces = alarms.all.flatMap((a) => [get(a).namespace, ...(get(a).metric_query ?? []).map((q: any) => q.metric?.namespace)]);
    expect(namespaces.includes(NAMESPACES.containerInsights)).toBe(withInsights);

    for (const alarm of alarms.all) {
      expect(get(alarm)).toMatchObject({
        alarm_actions: [ref(stack.alarmTopic.topic, 'arn')],
        ok_actions: [ref(stack.alarmTopic.topic, 'arn')],
      });
      expect(get(alarm).alarm_name).toMatch(new RegExp(`^${stack.node.id}-${name}-`));
    }
    expect(alarms.deploymentAlarms).toEqual([alarms.target5xxRate, alarms.unhealthyHosts, alarms.p99Latency]);
  });

  test("the environment alarms: the ALB's own 5xx rate and the capacity provider short of instances", () => {
    const alb5xx = resourceOf(s, stack.environmentAlarms.loadBalancer5xxRate);
    const metricOf = (id: string) => alb5xx.metric_query.find((q: { id: string }) => q.id === id).metric;
    expect(metricOf('errors')).toMatchObject({
      namespace: NAMESPACES.alb,
      metric_name: 'HTTPCode_ELB_5XX_Count',
      dimensions: { LoadBalancer: lb },
    });
    expect(metricOf('requests')).toMatchObject({
      namespace: NAMESPACES.alb,
      metric_name: 'RequestCount',
      dimensions: { LoadBalancer: lb },
    });
    expect(resourceOf(s, stack.environmentAlarms.capacityShort)).toMatchObject({
      namespace: NAMESPACES.managedScaling,
      metric_name: 'CapacityProviderReservation',
      dimensions: { CapacityProviderName: ref(stack.capacity.capacityProvider, 'name'), ClusterName: cluster },
      statistic: 'Minimum',
      comparison_operator: 'GreaterThanThreshold',
      threshold: 100,
    });
  });
});

describe('Container Insights decides the task-count alarm and widgets, both ways', () => {
  test.each([
    [true, 6, 3],
    [false, 5, 0],
  ])('dev with containerInsights %s: %i alarms for its service, %i task/instance count lines', (on, alarms, countLines) => {
    const { stack, json } = synthStack(demoConfig('dev', { containerInsights: on }));
    expect(stack.serviceAlarms[0].all).toHaveLength(alarms);
    expect(Object.keys(resourcesOf(json, 'aws_cloudwatch_metric_alarm'))).toHaveLength(alarms + 2);
    const dashboard = resourcesOf(json, 'aws_cloudwatch_dashboard')[stack.dashboard.dashboard.friendlyUniqueId];
    const lines = JSON.parse(dashboard.dashboard_body).widgets.flatMap((w: any) => w.properties.metrics ?? []);
    // Running, desired and pending tasks are one widget's three lines; ContainerInstanceCount is its own widget.
    expect(lines.filter((l: any[]) => l[0] === NAMESPACES.containerInsights && l[1] !== 'ContainerInstanceCount')).toHaveLength(countLines);
    expect(lines.some((l: any[]) => l[1] === 'ContainerInstanceCount')).toBe(on);
  });
});

describe('alarm thresholds and evaluation come from the config', () => {
  const alarms = stacks.dev.stack.serviceAlarms[0];
  const get = (a: TerraformResource) => resourceOf(stacks.dev, a);
  const d = SERVICE_ALARM_DEFAULTS;

  test('defaults', () => {
    expect(get(alarms.target5xxRate)).toMatchObject({
      threshold: d.target5xxPercent,
      evaluation_periods: d.evaluationMinutes,
      datapoints_to_alarm: d.evaluationMinutes,
      treat_missing_data: 'notBreaching',
    });
    expect(get(alarms.target5xxRate).metric_query.find((q: { id: string }) => q.id === 'value')).toMatchObject({
      expression: 'IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)',
      return_data: true,
    });
    expect(get(alarms.unhealthyHosts)).toMatchObject({ evaluation_periods: d.unhealthyHostMinutes, treat_missing_data: 'notBreaching' });
    expect(get(alarms.p99Latency)).toMatchObject({ threshold: d.p99LatencySeconds, treat_missing_data: 'notBreaching' });
    expect(get(alarms.cpuHigh)).toMatchObject({ threshold: d.cpuPercent, treat_missing_data: 'missing' });
    expect(get(alarms.memoryHigh)).toMatchObject({ threshold: d.memoryPercent, treat_missing_data: 'missing' });
    const prodTasks = stacks.prod.stack.serviceAlarms[0].tasksBelowDesired!;
    expect(resourceOf(stacks.prod, prodTasks)).toMatchObject({
      threshold: 0,
      evaluation_periods: d.tasksBelowDesiredMinutes,
      treat_missing_data: 'missing',
    });
    expect(resourceOf(stacks.dev, stacks.dev.stack.environmentAlarms.capacityShort)).toMatchObject({
      evaluation_periods: 30,
      treat_missing_data: 'missing',
    });
  });

  test('environment values, then per-service overrides', () => {
    const config = resolveEnvironment('microservices', {
      ...DEMO_ENVIRONMENTS.microservices,
      operations: {
        alarms: {
          p99LatencySeconds: 1,
          evaluationMinutes: 3,
          minimumRequestsPerMinute: 5,
          services: { posts: { p99LatencySeconds: 0.5, cpuPercent: 70 } },
        },
      },
    });
    const { stack, json } = synthStack(config);
    const latency = (name: string) => {
      const a = stack.serviceAlarms[stack.services.findIndex((x) => x.name === name)];
      return resourcesOf(json, 'aws_cloudwatch_metric_alarm')[a.p99Latency.friendlyUniqueId];
    };
    expect(latency('users')).toMatchObject({ threshold: 1, evaluation_periods: 3 });
    expect(latency('posts')).toMatchObject({ threshold: 0.5, evaluation_periods: 3 });
    expect(config.operations.alarms.services.posts.cpuPercent).toBe(70);
    expect(config.operations.alarms.services.users.cpuPercent).toBe(d.cpuPercent);
    const rate = resourcesOf(json, 'aws_cloudwatch_metric_alarm')[stack.environmentAlarms.loadBalancer5xxRate.friendlyUniqueId];
    expect(rate.metric_query[2].expression).toBe('IF(requests >= 5, 100 * FILL(errors, 0) / requests, 0)');
    expect(rate.evaluation_periods).toBe(3);
  });
});

describe.each(Object.entries(stacks))('%s: the dashboard', (env, s) => {
  const withInsights = insights[env as keyof typeof insights];
  const dashboard = resourceOf(s, s.stack.dashboard.dashboard);
  const body = JSON.parse(dashboard.dashboard_body);
  const widgets: any[] = body.widgets;
  const lines: any[][] = widgets.filter((w) => w.type === 'metric').flatMap((w) => w.properties.metrics);

  test("is valid JSON on CloudWatch's 24-wide grid, named after the environment", () => {
    expect(dashboard.dashboard_name).toBe(s.stack.node.id);
    for (const w of widgets) {
      expect(Number.isInteger(w.x) && Number.isInteger(w.width) && w.x + w.width <= 24).toBe(true);
    }
  });

  test('every dimension value refers to a resource of this stack', () => {
    const dimensionValues = lines.flatMap((l) =>
      l
        .slice(2)
        .filter((x: unknown) => typeof x === 'string')
        .filter((_x: string, i: number) => i % 2 === 1),
    );
    expect(dimensionValues.length).toBeGreaterThan(0);
    for (const value of dimensionValues) {
      const m = /^\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.(arn_suffix|name)\}$/.exec(value);
      expect(m).not.toBeNull();
      expect(Object.keys(resourcesOf(s.json, m![1]))).toContain(m![2]);
    }
  });

  test('per service: requests, 5xx, p50/p99, healthy/unhealthy hosts, running/desired tasks (Container Insights), CPU, memory; for the cluster: instances (Container Insights) and capacity', () => {
    for (const svc of s.stack.services) {
      const tg = ref(svc.route.targetGroup, 'arn_suffix');
      const service = ref(svc.service, 'name');
      const of = (metric: string, stat?: string) =>
        lines.filter(
          (l) => l[1] === metric && (l.includes(tg) || l.includes(service)) && (stat === undefined || l[l.length - 1].stat === stat),
        );
      for (const metric of [
        'RequestCount',
        'HTTPCode_Target_5XX_Count',
        'HealthyHostCount',
        'UnHealthyHostCount',
        'CPUUtilization',
        'MemoryUtilization',
      ]) {
        expect([svc.name, metric, of(metric).length]).toEqual([svc.name, metric, 1]);
      }
      for (const metric of ['RunningTaskCount', 'DesiredTaskCount', 'PendingTaskCount']) {
        expect([svc.name, metric, of(metric).length]).toEqual([svc.name, metric, withInsights ? 1 : 0]);
      }
      expect(of('TargetResponseTime', 'p50')).toHaveLength(1);
      expect(of('TargetResponseTime', 'p99')).toHaveLength(1);
      // A blue/green service's second target group: its requests, 5xx, p99 and hosts beside the first's.
      const second = svc.route.blueGreen && ref(svc.route.blueGreen.alternateTargetGroup, 'arn_suffix');
      const onSecond = lines.filter((l) => second !== undefined && l.includes(second)).map((l) => `${l[1]} ${l[l.length - 1].stat}`);
      expect([svc.name, onSecond.sort()]).toEqual([
        svc.name,
        second === undefined
          ? []
          : [
              'HTTPCode_Target_5XX_Count Sum',
              'HealthyHostCount Minimum',
              'RequestCount Sum',
              'TargetResponseTime p99',
              'UnHealthyHostCount Maximum',
            ],
      ]);
    }
    const cluster = lines.filter((l) => l.includes(ref(s.stack.capacity.cluster, 'name'))).map((l) => l[1]);
    expect(cluster).toEqual(expect.arrayContaining(['CapacityProviderReservation', 'CPUReservation', 'MemoryReservation']));
    expect(cluster.includes('ContainerInstanceCount')).toBe(withInsights);
    // No widget left empty: a Container Insights metric only where the cluster publishes them.
    expect(lines.some((l) => l[0] === NAMESPACES.containerInsights)).toBe(withInsights);
  });

  test('the alarm widget lists every alarm of the stack', () => {
    const alarms = widgets.find((w) => w.type === 'alarm').properties.alarms;
    const all = Object.keys(resourcesOf(s.json, 'aws_cloudwatch_metric_alarm')).map((id) => `\${aws_cloudwatch_metric_alarm.${id}.arn}`);
    expect([...alarms].sort()).toEqual(all.sort());
  });
});

describe('the alarm topic', () => {
  const { stack, json } = stacks.prod;
  const topic = resourceOf(stacks.prod, stack.alarmTopic.topic);
  const key = resourceOf(stacks.prod, stack.alarmTopic.key.key);

  test('encrypted with its own rotating key, which CloudWatch alarms may use', () => {
    expect(topic).toMatchObject({ name: 'host-name-prod-alarms', kms_master_key_id: ref(stack.alarmTopic.key.key, 'arn') });
    expect(key.enable_key_rotation).toBe(true);
    const cw = JSON.parse(key.policy).Statement.find((st: any) => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cw.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });

  test('one customer managed key per environment for operations: the topic, and in dev ECS Exec, share it', () => {
    for (const [synthesized, config] of [
      [stacks.prod, prodConfig],
      [stacks.dev, devConfig],
    ] as const) {
      const { stack: st, json: j } = synthesized;
      const key = st.operationsKey.key;
      expect(Object.keys(resourcesOf(j, 'aws_kms_key'))).toEqual([key.key.friendlyUniqueId]);
      expect(Object.values(resourcesOf(j, 'aws_kms_alias'))).toEqual([
        expect.objectContaining({
          name: `alias/${environmentNames(config.namePrefix).operationsKeyAlias}`,
          target_key_id: ref(key.key, 'key_id'),
        }),
      ]);
      expect(resourceOf(synthesized, st.alarmTopic.topic).kms_master_key_id).toBe(ref(key.key, 'arn'));
    }
    const dev = stacks.dev;
    const key = ref(dev.stack.operationsKey.key.key, 'arn');
    expect(resourceOf(dev, dev.stack.execLogging!.logGroup).kms_key_id).toBe(key);
    expect(resourceOf(dev, dev.stack.capacity.cluster).configuration.execute_command_configuration.kms_key_id).toBe(key);
  });

  test("the key's policy: CloudWatch alarms everywhere; CloudWatch Logs only where exec logs, for that group only", () => {
    const services = (stack: typeof stacks.dev) =>
      JSON.parse(resourceOf(stack, stack.stack.operationsKey.key.key).policy).Statement.map((st: any) => [
        st.Sid,
        st.Principal.Service ?? st.Principal.AWS,
      ]);
    expect(services(stacks.prod)).toEqual([
      ['AccountAdministers', expect.stringMatching(/:root$/)],
      ['CloudWatchAlarmsPublish', 'cloudwatch.amazonaws.com'],
    ]);
    expect(services(stacks.dev)).toEqual([
      ['AccountAdministers', expect.stringMatching(/:root$/)],
      ['CloudWatchAlarmsPublish', 'cloudwatch.amazonaws.com'],
      ['CloudWatchLogsEncryptsTheExecLogGroup', 'logs.us-east-1.amazonaws.com'],
    ]);
  });

  test('an existing deployment keeps the key the alarm topic had (moved, not replaced)', () => {
    const moved = (stacks.prod.json as { moved?: { from: string; to: string }[] }).moved!;
    // The address the alarm topic's key had before the operations keys merged.
    expect(moved).toContainEqual({
      from: 'aws_kms_key.alarm-topic_key_45AB7E5A',
      to: `aws_kms_key.${stacks.prod.stack.operationsKey.key.key.friendlyUniqueId}`,
    });
  });

  test('no subscriptions unless configured; emails and HTTPS endpoints when they are', () => {
    expect(resourcesOf(json, 'aws_sns_topic_subscription')).toEqual({});
    const config = resolveEnvironment('prod', {
      ...DEMO_ENVIRONMENTS.prod,
      operations: { notifications: { emails: ['oncall@example.com'], httpsUrls: ['https://hooks.example.com/alarms'] } },
    });
    const subs = Object.values(resourcesOf(synthStack(config).json, 'aws_sns_topic_subscription')).map((x: any) => [
      x.protocol,
      x.endpoint,
    ]);
    expect(subs).toEqual([
      ['email', 'oncall@example.com'],
      ['https', 'https://hooks.example.com/alarms'],
    ]);
  });
});

describe('ECS Exec', () => {
  const dev = stacks.dev;
  const svc = dev.stack.services[0];

  test('dev: the service allows exec and its task role has the four SSM channel actions, the session logs and the key', () => {
    expect(dev.stack.execLogging!.key).toBe(dev.stack.operationsKey.key);
    expect(resourceOf(dev, svc.service).enable_execute_command).toBe(true);
    const policy = JSON.parse(resourceOf(dev, svc.execPolicy!).policy);
    const byId = Object.fromEntries(policy.Statement.map((st: any) => [st.Sid, st]));
    expect(byId.SessionChannels).toEqual({ Sid: 'SessionChannels', Effect: 'Allow', Action: [...EXEC_SSM_ACTIONS], Resource: '*' });
    expect(EXEC_SSM_ACTIONS).toHaveLength(4);
    expect(byId.WriteSessionLogs.Resource).toBe(`${ref(dev.stack.execLogging!.logGroup, 'arn')}:*`);
    expect(byId.DecryptSessions).toMatchObject({ Action: 'kms:Decrypt', Resource: ref(dev.stack.execLogging!.key.key, 'arn') });
    expect(resourceOf(dev, svc.execPolicy!).role).toBe(ref(svc.taskRole, 'id'));
  });

  test('dev: the cluster logs sessions (OVERRIDE) to the KMS-encrypted group; the key lets CloudWatch Logs use it for that group only', () => {
    const logs = dev.stack.execLogging!;
    expect(resourceOf(dev, dev.stack.capacity.cluster).configuration).toEqual({
      execute_command_configuration: {
        kms_key_id: ref(logs.key.key, 'arn'),
        logging: 'OVERRIDE',
        log_configuration: { cloud_watch_encryption_enabled: true, cloud_watch_log_group_name: ref(logs.logGroup, 'name') },
      },
    });
    expect(resourceOf(dev, logs.logGroup)).toMatchObject({
      name: '/ecs/host-name-dev/exec',
      kms_key_id: ref(logs.key.key, 'arn'),
      retention_in_days: 14,
    });
    const statement = JSON.parse(resourceOf(dev, logs.key.key).policy).Statement.find(
      (st: any) => st.Principal?.Service === 'logs.us-east-1.amazonaws.com',
    );
    expect(statement.Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn']).toMatch(
      /:logs:us-east-1:\$\{data\.aws_caller_identity\.[^}]+\}:log-group:\/ecs\/host-name-dev\/exec$/,
    );
  });

  test('dev: the root filesystem stays read-only; the SSM agent writes to task volumes', () => {
    const td = resourceOf(dev, svc.taskDefinition);
    const [container] = JSON.parse(td.container_definitions);
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(td.volume).toEqual([{ name: 'tmp' }, ...Object.keys(EXEC_WRITABLE_PATHS).map((name) => ({ name }))]);
    expect(container.mountPoints).toEqual([
      { sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false },
      { sourceVolume: 'ssm-state', containerPath: '/var/lib/amazon', readOnly: false },
      { sourceVolume: 'ssm-logs', containerPath: '/var/log/amazon', readOnly: false },
    ]);
  });

  test('prod (off): no exec, no exec policy, key or log group, the task definition unchanged', () => {
    const prod = stacks.prod;
    expect(prod.stack.execLogging).toBeUndefined();
    expect(prod.stack.services[0].execPolicy).toBeUndefined();
    expect(resourceOf(prod, prod.stack.services[0].service).enable_execute_command).toBe(false);
    expect(resourceOf(prod, prod.stack.capacity.cluster).configuration).toBeUndefined();
    expect(resourceOf(prod, prod.stack.services[0].taskDefinition).volume).toEqual([{ name: 'tmp' }]);
    expect(Object.keys(resourcesOf(prod.json, 'aws_kms_key'))).toEqual([prod.stack.operationsKey.key.key.friendlyUniqueId]);
  });
});
