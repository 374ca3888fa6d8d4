import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { HEALTHCHECK_COMMAND, jvmOptions, LoadBalancedService, LoadBalancedServiceProps } from '../constructs/load-balanced-service';
import { TEST_IMAGE, testCapacity, testLoadBalancer, testNetwork } from './support/fixtures';
import { onlyResource, resourcesOf, synthJson } from './support/synth';

function synthService(props: Partial<LoadBalancedServiceProps> = {}) {
  return synthJson((scope) => {
    const network = testNetwork(scope);
    const loadBalancer = testLoadBalancer(scope, network);
    const capacity = testCapacity(scope, network);
    new LoadBalancedService(scope, 'service', {
      namePrefix: 'hn-test',
      region: 'us-east-1',
      imageUri: TEST_IMAGE,
      capacity,
      loadBalancer,
      cpu: 512,
      memoryMiB: 512,
      memoryReservationMiB: 448,
      desiredCount: 2,
      scaling: { minTasks: 1, maxTasks: 4 },
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
      execution_role_arn: `\${aws_iam_role.${roleId('hn-test-execution')}.arn}`,
      task_role_arn: `\${aws_iam_role.${roleId('hn-test-task')}.arn}`,
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

  test('container: JVM options sized to the memory limit', () => {
    const env = Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]));
    expect(env.JAVA_TOOL_OPTIONS).toBe(jvmOptions(512, 512));
    expect(env.JAVA_TOOL_OPTIONS).toContain('-Xmx307m');
    expect(jvmOptions(2048, 2048)).toContain('-Xmx1228m');
    expect(jvmOptions(2048, 2048)).toContain('-XX:ActiveProcessorCount=2');
    expect(env.SERVER_PORT).toBe('8000');
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

  test('execution role has the managed execution policy only; the task role has nothing', () => {
    const attachments = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment'));
    const onExecution = attachments.filter((a) => a.role.includes(roleId('hn-test-execution')));
    expect(onExecution.map((a) => a.policy_arn)).toEqual([expect.stringMatching(/:iam::aws:policy\/service-role\/AmazonECSTaskExecutionRolePolicy$/)]);
    expect(attachments.filter((a) => a.role.includes(roleId('hn-test-task')))).toEqual([]);
    expect(Object.values(resourcesOf(json, 'aws_iam_role_policy'))).toEqual([]);
    expect(JSON.parse(roles[roleId('hn-test-task')].assume_role_policy).Statement[0].Principal).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
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
      lifecycle: { ignore_changes: ['desired_count'] },
    });
    const service = onlyResource(json, 'aws_ecs_service');
    expect(service.launch_type).toBeUndefined();
  });

  test('service: in the target group, after the listener and the cluster capacity providers exist', () => {
    const service = onlyResource(json, 'aws_ecs_service');
    expect(service.load_balancer).toEqual([
      { target_group_arn: expect.stringContaining('aws_lb_target_group.lb_tg_'), container_name: 'host-name', container_port: 8000 },
    ]);
    expect(service.depends_on).toEqual([
      expect.stringMatching(/^aws_lb_listener\.lb_http_\w+$/),
      expect.stringMatching(/^aws_ecs_cluster_capacity_providers\.capacity_cluster-capacity-providers_\w+$/),
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

  test('autoscaling: 50 requests per target, as in the tutorial', () => {
    expect(text).toHaveResourceWithProperties(AppautoscalingPolicy, {
      policy_type: 'TargetTrackingScaling',
      target_tracking_scaling_policy_configuration: {
        target_value: 50,
        predefined_metric_specification: {
          predefined_metric_type: 'ALBRequestCountPerTarget',
          resource_label: expect.stringMatching(/^\$\{aws_lb\.\w+\.arn_suffix\}\/\$\{aws_lb_target_group\.\w+\.arn_suffix\}$/),
        },
        scale_out_cooldown: 60,
        scale_in_cooldown: 300,
      },
    });
  });

  test('autoscaling: CPU tracking with cooldowns', () => {
    const custom = synthService({ scaling: { minTasks: 1, maxTasks: 4, cpuTargetPercent: 70, scaleInCooldownSeconds: 120, scaleOutCooldownSeconds: 30 } });
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
});
