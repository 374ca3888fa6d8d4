import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { ServiceConfig } from '../src/environment/config';
import { CODE_DEPLOY_OWNS, LoadBalancedService, LoadBalancedServiceProps } from '../src/services/load-balanced-service';
import { RouteOptions } from '../src/edge/load-balancer';
import { HEALTHCHECK_COMMAND, jvmOptions, RUNTIME_PROFILE_DEFAULTS } from '../src/services/runtime-profiles';
import { TEST_IMAGE, TEST_ROUTE, testCapacity, testLoadBalancer, testNetwork } from './support/fixtures';
import { onlyResource, resourcesOf, synthJson } from './support/synth';

/** A spring-boot container as the config resolves it (profile applied). */
const CONTAINER: ServiceConfig['container'] = {
  port: 8000,
  cpu: 512,
  memoryMiB: 512,
  memoryReservationMiB: 448,
  environment: RUNTIME_PROFILE_DEFAULTS['spring-boot'].environment({ port: 8000, memoryMiB: 512, cpu: 512 }),
  secrets: {},
  healthCheck: RUNTIME_PROFILE_DEFAULTS['spring-boot'].healthCheck,
  stopTimeoutSeconds: 30,
  readonlyRootFilesystem: true,
  writablePaths: [],
};
const SCALING: ServiceConfig['scaling'] = {
  minTasks: 1,
  maxTasks: 4,
  desiredCount: 2,
  requestsPerTarget: 50,
  cpuTargetPercent: 60,
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 300,
  healthCheckGracePeriodSeconds: 60,
};
const DEPLOYMENT: ServiceConfig['deployment'] = {
  strategy: 'rolling',
  waitForSteadyState: true,
  timeoutMinutes: 20,
  rollbackOnAlarm: true,
};
const SSM_ARN = 'arn:aws:ssm:us-east-1:123456789012:parameter/app/db-password';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/api-key-AbCdEf';
const KMS_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';

function synthService(props: Partial<LoadBalancedServiceProps> = {}, route: Partial<RouteOptions> = { default: true }) {
  return synthJson((scope) => {
    const network = testNetwork(scope);
    const loadBalancer = testLoadBalancer(scope, network);
    const capacity = testCapacity(scope, network);
    new LoadBalancedService(scope, 'service', {
      serviceName: 'host-name',
      namePrefix: 'hn-test',
      region: 'us-east-1',
      imageUri: TEST_IMAGE,
      capacity,
      route: loadBalancer.addRoute('host-name', { ...TEST_ROUTE, targetGroupName: 'hn-test-host-name', ...route }),
      container: CONTAINER,
      scaling: SCALING,
      deployment: DEPLOYMENT,
      deploymentAlarmNames: ['hn-test-host-name-target-5xx'],
      logRetentionDays: 30,
      ...props,
    });
  });
}

describe('LoadBalancedService', () => {
  const { text, json } = synthService();
  const taskDefinition = onlyResource(json, 'aws_ecs_task_definition');
  const [container] = JSON.parse(taskDefinition.container_definitions);
  const roles = resourcesOf(json, 'aws_iam_role');
  const roleId = (name: string) => Object.entries(roles).find(([, r]) => r.name === name)![0];

  test('task definition: EC2, bridge network mode, separate execution and task roles', () => {
    expect(text).toHaveResourceWithProperties(EcsTaskDefinition, {
      family: 'hn-test-host-name',
      requires_compatibilities: ['EC2'],
      network_mode: 'bridge',
      execution_role_arn: `\${aws_iam_role.${roleId('hn-test-host-name-execution')}.arn}`,
      task_role_arn: `\${aws_iam_role.${roleId('hn-test-host-name-task')}.arn}`,
      volume: [{ name: 'tmp' }],
    });
  });

  test('container: port 8000 on a dynamic host port, hard and soft memory, cpu', () => {
    expect(container).toMatchObject({
      name: 'host-name',
      image: TEST_IMAGE,
      essential: true,
      cpu: 512,
      memory: 512,
      memoryReservation: 448,
      portMappings: [{ containerPort: 8000, hostPort: 0, protocol: 'tcp' }],
    });
  });

  test('container: awslogs to a log group with retention', () => {
    expect(container.logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: {
        'awslogs-group': expect.stringContaining('aws_cloudwatch_log_group.service_logs_'),
        'awslogs-region': 'us-east-1',
        'awslogs-stream-prefix': 'host-name',
      },
    });
    expect(text).toHaveResourceWithProperties(CloudwatchLogGroup, { name: '/ecs/hn-test/host-name', retention_in_days: 30 });
  });

  test('container: the environment it is given, in order (spring-boot: SERVER_PORT, JVM options sized to the memory limit)', () => {
    expect(container.environment).toEqual([
      { name: 'SERVER_PORT', value: '8000' },
      { name: 'JAVA_TOOL_OPTIONS', value: jvmOptions(512, 512) },
    ]);
    expect(jvmOptions(512, 512)).toContain('-Xmx307m');
    expect(jvmOptions(2048, 2048)).toContain('-Xmx1228m');
    expect(jvmOptions(2048, 2048)).toContain('-XX:ActiveProcessorCount=2');
    expect(container.secrets).toBeUndefined();
  });

  test('container: graceful stop, health check, read-only root with a writable /tmp, not privileged', () => {
    expect(container).toMatchObject({
      stopTimeout: 30,
      healthCheck: { command: HEALTHCHECK_COMMAND, interval: 15, timeout: 5, retries: 3, startPeriod: 60 },
      readonlyRootFilesystem: true,
      privileged: false,
      mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
    });
  });

  test('container: no tmpfs and no user unless configured (the image decides who it runs as)', () => {
    expect(container).not.toHaveProperty('linuxParameters');
    expect(container).not.toHaveProperty('user');
  });

  test('container: writable paths are tmpfs mounts of their size, the user is passed on, the root may be writable', () => {
    const writablePaths = [
      { name: 'cache', path: '/var/cache/nginx', sizeMiB: 64 },
      { name: 'run', path: '/run', sizeMiB: 1 },
    ];
    const configured = synthService({ container: { ...CONTAINER, writablePaths, user: 'www-data' } });
    const [c] = JSON.parse(onlyResource(configured.json, 'aws_ecs_task_definition').container_definitions);
    expect(c).toMatchObject({
      readonlyRootFilesystem: true,
      linuxParameters: {
        tmpfs: [
          { containerPath: '/var/cache/nginx', size: 64 },
          { containerPath: '/run', size: 1 },
        ],
      },
      user: 'www-data',
      mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
    });
    const writable = synthService({ container: { ...CONTAINER, readonlyRootFilesystem: false } });
    expect(JSON.parse(onlyResource(writable.json, 'aws_ecs_task_definition').container_definitions)[0].readonlyRootFilesystem).toBe(false);
  });

  test('execution role has the managed execution policy only; the task role has nothing', () => {
    const attachments = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment'));
    const onExecution = attachments.filter((a) => a.role.includes(roleId('hn-test-host-name-execution')));
    expect(onExecution.map((a) => a.policy_arn)).toEqual([
      expect.stringMatching(/:iam::aws:policy\/service-role\/AmazonECSTaskExecutionRolePolicy$/),
    ]);
    expect(attachments.filter((a) => a.role.includes(roleId('hn-test-host-name-task')))).toEqual([]);
    expect(Object.values(resourcesOf(json, 'aws_iam_role_policy'))).toEqual([]);
    expect(JSON.parse(roles[roleId('hn-test-host-name-task')].assume_role_policy).Statement[0].Principal).toEqual({
      Service: 'ecs-tasks.amazonaws.com',
    });
  });

  test('service: capacity provider strategy, circuit breaker, 100/200, placement, tags', () => {
    expect(text).toHaveResourceWithProperties(EcsService, {
      name: 'host-name',
      desired_count: 2,
      capacity_provider_strategy: [
        { capacity_provider: expect.stringContaining('aws_ecs_capacity_provider.capacity_capacity-provider_'), weight: 1, base: 0 },
      ],
      deployment_circuit_breaker: { enable: true, rollback: true },
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      ordered_placement_strategy: [
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'binpack', field: 'memory' },
      ],
      health_check_grace_period_seconds: 60,
      enable_ecs_managed_tags: true,
      propagate_tags: 'SERVICE',
      lifecycle: expect.objectContaining({ ignore_changes: ['desired_count'] }),
    });
    const service = onlyResource(json, 'aws_ecs_service');
    expect(service.launch_type).toBeUndefined();
  });

  test('service: force_new_deployment, so a changed capacity provider strategy is an in-place update (provider 5.x)', () => {
    expect(onlyResource(json, 'aws_ecs_service').force_new_deployment).toBe(true);
  });

  test('service: apply waits for steady state within the configured timeout, and fails when ECS rolled back', () => {
    const service = onlyResource(json, 'aws_ecs_service');
    expect(service.wait_for_steady_state).toBe(true);
    expect(service.timeouts).toEqual({ create: '20m', update: '20m' });
    const taskId = Object.keys(resourcesOf(json, 'aws_ecs_task_definition'))[0];
    expect(service.lifecycle.postcondition).toEqual([
      {
        condition: `\${self.task_definition == aws_ecs_task_definition.${taskId}.arn}`,
        error_message: expect.stringContaining('ECS rolled the deployment of host-name back'),
      },
    ]);
    const noWait = onlyResource(
      synthService({ deployment: { ...DEPLOYMENT, waitForSteadyState: false, timeoutMinutes: 45 } }).json,
      'aws_ecs_service',
    );
    expect(noWait.wait_for_steady_state).toBe(false);
    expect(noWait.timeouts).toEqual({ create: '45m', update: '45m' });
    expect(noWait.lifecycle.postcondition).toBeUndefined();
  });

  test('service: deployment alarms roll a deployment back; none given, no alarms block', () => {
    expect(onlyResource(json, 'aws_ecs_service').alarms).toEqual({
      enable: true,
      rollback: true,
      alarm_names: ['hn-test-host-name-target-5xx'],
    });
    const noRollback = synthService({ deployment: { ...DEPLOYMENT, rollbackOnAlarm: false } }).json;
    expect(onlyResource(noRollback, 'aws_ecs_service').alarms.rollback).toBe(false);
    expect(onlyResource(synthService({ deploymentAlarmNames: [] }).json, 'aws_ecs_service').alarms).toBeUndefined();
  });

  test("service: in its route's target group, after the listener, the cluster capacity providers and its roles' policies exist", () => {
    const service = onlyResource(json, 'aws_ecs_service');
    expect(service.load_balancer).toEqual([
      {
        target_group_arn: expect.stringContaining('aws_lb_target_group.lb_route-host-name_tg_'),
        container_name: 'host-name',
        container_port: 8000,
      },
    ]);
    expect(service.depends_on).toEqual([
      expect.stringMatching(/^aws_lb_listener\.lb_http_\w+$/),
      expect.stringMatching(/^aws_ecs_cluster_capacity_providers\.capacity_cluster-capacity-providers_\w+$/),
      expect.stringMatching(/^aws_iam_role_policy_attachment\.service_execution-policy_\w+$/),
    ]);
  });

  test('autoscaling: a scalable target between min and max tasks', () => {
    expect(text).toHaveResourceWithProperties(AppautoscalingTarget, {
      service_namespace: 'ecs',
      scalable_dimension: 'ecs:service:DesiredCount',
      min_capacity: 1,
      max_capacity: 4,
      resource_id: expect.stringMatching(/^service\/\$\{aws_ecs_cluster\.\w+\.name\}\/\$\{aws_ecs_service\.\w+\.name\}$/),
    });
  });

  test("autoscaling: 50 requests per target, as in the tutorial, on the route's label", () => {
    expect(text).toHaveResourceWithProperties(AppautoscalingPolicy, {
      name: 'hn-test-host-name-requests-per-target',
      policy_type: 'TargetTrackingScaling',
      target_tracking_scaling_policy_configuration: {
        target_value: 50,
        predefined_metric_specification: {
          predefined_metric_type: 'ALBRequestCountPerTarget',
          resource_label: expect.stringMatching(
            /^\$\{aws_lb\.\w+\.arn_suffix\}\/\$\{aws_lb_target_group\.lb_route-host-name_tg_\w+\.arn_suffix\}$/,
          ),
        },
        scale_out_cooldown: 60,
        scale_in_cooldown: 300,
      },
    });
  });

  test('autoscaling: CPU tracking with cooldowns', () => {
    const custom = synthService({
      scaling: { ...SCALING, cpuTargetPercent: 70, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 30 },
    });
    expect(custom.text).toHaveResourceWithProperties(AppautoscalingPolicy, {
      target_tracking_scaling_policy_configuration: {
        target_value: 70,
        predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
        scale_out_cooldown: 30,
        scale_in_cooldown: 120,
      },
    });
    expect(Object.keys(resourcesOf(custom.json, 'aws_appautoscaling_policy'))).toHaveLength(2);
  });

  test('a route with a rule: the service also waits for its listener rule', () => {
    const routed = synthService({}, { default: false });
    expect(onlyResource(routed.json, 'aws_ecs_service').depends_on).toContainEqual(
      expect.stringMatching(/^aws_lb_listener_rule\.lb_route-host-name_rule_\w+$/),
    );
  });
});

describe('LoadBalancedService, blue/green (CodeDeploy)', () => {
  const BLUE_GREEN: ServiceConfig['deployment'] = {
    strategy: 'blue-green',
    waitForSteadyState: false,
    timeoutMinutes: 20,
    rollbackOnAlarm: true,
    blueGreen: {
      trafficShift: 'canary',
      deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      testListener: { port: 8080, cidrs: ['203.0.113.0/24'] },
      approvalWaitMinutes: 30,
      blueTerminationWaitMinutes: 5,
    },
  };
  const { json } = synthService(
    { deployment: BLUE_GREEN, deploymentAlarmNames: ['hn-test-host-name-target-5xx', 'hn-test-host-name-p99-latency'] },
    {
      default: false,
      blueGreen: { alternateTargetGroupName: 'hn-test-host-name-g', testListener: { port: 8080, cidrs: ['203.0.113.0/24'] } },
    },
  );
  const service = onlyResource(json, 'aws_ecs_service');

  test('the service: CODE_DEPLOY, none of what only an ECS rollout takes, and what CodeDeploy moves ignored', () => {
    expect(service.deployment_controller).toEqual({ type: 'CODE_DEPLOY' });
    for (const absent of ['force_new_deployment', 'deployment_circuit_breaker', 'alarms', 'wait_for_steady_state']) {
      expect(service[absent]).toBeUndefined();
    }
    expect(service.lifecycle).toEqual({ ignore_changes: [...CODE_DEPLOY_OWNS] });
  });

  test('the deployment group: blue/green with traffic control, the configured shift and waits, both target groups, both listeners', () => {
    const group = onlyResource(json, 'aws_codedeploy_deployment_group');
    const tg = (name: string) => Object.entries(resourcesOf(json, 'aws_lb_target_group')).find(([, t]) => t.name === name)![0];
    expect(group).toMatchObject({
      deployment_group_name: 'hn-test-host-name',
      deployment_config_name: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      deployment_style: { deployment_option: 'WITH_TRAFFIC_CONTROL', deployment_type: 'BLUE_GREEN' },
      blue_green_deployment_config: {
        deployment_ready_option: { action_on_timeout: 'STOP_DEPLOYMENT', wait_time_in_minutes: 30 },
        terminate_blue_instances_on_deployment_success: { action: 'TERMINATE', termination_wait_time_in_minutes: 5 },
      },
      auto_rollback_configuration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      alarm_configuration: {
        enabled: true,
        alarms: ['hn-test-host-name-target-5xx', 'hn-test-host-name-p99-latency'],
        ignore_poll_alarm_failure: false,
      },
    });
    expect(group.load_balancer_info.target_group_pair_info.target_group).toEqual([
      { name: `\${aws_lb_target_group.${tg('hn-test-host-name')}.name}` },
      { name: `\${aws_lb_target_group.${tg('hn-test-host-name-g')}.name}` },
    ]);
    expect(group.load_balancer_info.target_group_pair_info.test_traffic_route.listener_arns).toEqual([
      expect.stringMatching(/^\$\{aws_lb_listener\.lb_route-host-name_test-listener_\w+\.arn\}$/),
    ]);
    expect(onlyResource(json, 'aws_codedeploy_app')).toMatchObject({ name: 'hn-test-host-name', compute_platform: 'ECS' });
  });

  test("CodeDeploy's role: only CodeDeploy may assume it, with AWS's policy for ECS deployments", () => {
    const role = Object.values(resourcesOf(json, 'aws_iam_role')).find((r) => r.name === 'hn-test-host-name-codedeploy');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'codedeploy.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const attachments = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment')).map((a) => a.policy_arn);
    expect(attachments).toContainEqual(expect.stringMatching(/:iam::aws:policy\/AWSCodeDeployRoleForECS$/));
  });

  test('request scaling sums RequestCountPerTarget over both target groups', () => {
    const policy = Object.values(resourcesOf(json, 'aws_appautoscaling_policy')).find((p) => p.name.endsWith('requests-per-target'));
    const metrics = policy.target_tracking_scaling_policy_configuration.customized_metric_specification.metrics;
    expect(metrics.map((m: any) => m.expression ?? m.metric_stat.metric.metric_name)).toEqual([
      'RequestCountPerTarget',
      'RequestCountPerTarget',
      'SUM([first, second])',
    ]);
    expect(policy.target_tracking_scaling_policy_configuration.predefined_metric_specification).toBeUndefined();
  });
});

describe('LoadBalancedService names, profiles and secrets', () => {
  test('the service name scopes every physical name', () => {
    const { json } = synthService({ serviceName: 'users' });
    const names = [
      ...Object.values(resourcesOf(json, 'aws_iam_role')).map((r) => r.name),
      ...Object.values(resourcesOf(json, 'aws_appautoscaling_policy')).map((r) => r.name),
      onlyResource(json, 'aws_cloudwatch_log_group').name,
      onlyResource(json, 'aws_ecs_task_definition').family,
      onlyResource(json, 'aws_ecs_service').name,
    ].filter((n) => !String(n).includes('instance'));
    expect(names.sort()).toEqual(
      [
        '/ecs/hn-test/users',
        'hn-test-users',
        'hn-test-users-cpu',
        'hn-test-users-execution',
        'hn-test-users-requests-per-target',
        'hn-test-users-task',
        'users',
      ].sort(),
    );
  });

  test('a generic container: no JVM settings, no container health check, its own port', () => {
    const { json } = synthService({ container: { ...CONTAINER, port: 3000, environment: { LOG_LEVEL: 'info' }, healthCheck: undefined } });
    const [c] = JSON.parse(onlyResource(json, 'aws_ecs_task_definition').container_definitions);
    expect(c.environment).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expect(c.healthCheck).toBeUndefined();
    expect(c.portMappings).toEqual([{ containerPort: 3000, hostPort: 0, protocol: 'tcp' }]);
    expect(onlyResource(json, 'aws_ecs_service').load_balancer[0].container_port).toBe(3000);
  });

  test('secrets: valueFrom in the container, and the execution role reads exactly those ARNs', () => {
    const { json } = synthService({ container: { ...CONTAINER, secrets: { DB_PASSWORD: SSM_ARN, API_KEY: SECRET_ARN } } });
    const [c] = JSON.parse(onlyResource(json, 'aws_ecs_task_definition').container_definitions);
    expect(c.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: SSM_ARN },
      { name: 'API_KEY', valueFrom: SECRET_ARN },
    ]);
    const policy = onlyResource(json, 'aws_iam_role_policy');
    expect(policy.role).toMatch(/^\$\{aws_iam_role\.service_execution-role_\w+\.id\}$/);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      { Sid: 'ReadParameters', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [SSM_ARN] },
      { Sid: 'ReadSecrets', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [SECRET_ARN] },
    ]);
  });

  test('secrets with a KMS key: kms:Decrypt on that key only', () => {
    const { json } = synthService({ container: { ...CONTAINER, secrets: { DB_PASSWORD: SSM_ARN }, secretsKmsKeyArn: KMS_ARN } });
    expect(JSON.parse(onlyResource(json, 'aws_iam_role_policy').policy).Statement).toEqual([
      { Sid: 'ReadParameters', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: [SSM_ARN] },
      { Sid: 'DecryptSecrets', Effect: 'Allow', Action: 'kms:Decrypt', Resource: KMS_ARN },
    ]);
  });
});
