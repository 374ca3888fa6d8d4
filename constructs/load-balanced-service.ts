import { Construct } from 'constructs';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Ec2Capacity } from './ec2-capacity';
import { managedPolicyArn, serviceTrustPolicy } from './iam';
import { PublicLoadBalancer } from './load-balancer';

/** The execution role's only policy: pull from ECR and write logs. */
export const EXECUTION_MANAGED_POLICY = 'service-role/AmazonECSTaskExecutionRolePolicy';

/** Where the workload image keeps its container health check (see workload/Dockerfile). */
export const HEALTHCHECK_COMMAND = ['CMD', '/usr/local/bin/healthcheck'];

export interface ServiceScaling {
  readonly minTasks: number;
  readonly maxTasks: number;
  /** ALBRequestCountPerTarget target. @default 50 */
  readonly requestsPerTarget?: number;
  /** ECSServiceAverageCPUUtilization target. @default 60 */
  readonly cpuTargetPercent?: number;
  /** @default 60 */
  readonly scaleOutCooldownSeconds?: number;
  /** @default 300 */
  readonly scaleInCooldownSeconds?: number;
}

export interface LoadBalancedServiceProps {
  readonly namePrefix: string;
  readonly region: string;
  /** Image reference, ideally by digest. */
  readonly imageUri: string;
  readonly capacity: Ec2Capacity;
  readonly loadBalancer: PublicLoadBalancer;
  /** @default 'host-name' */
  readonly containerName?: string;
  /** @default 8000 */
  readonly containerPort?: number;
  /** cpu units. */
  readonly cpu: number;
  /** Hard limit, MiB. */
  readonly memoryMiB: number;
  /** Soft limit, MiB; what placement reserves. @default memoryMiB */
  readonly memoryReservationMiB?: number;
  /** Seconds between SIGTERM and SIGKILL; above the app's 20 s shutdown phase. @default 30 */
  readonly stopTimeoutSeconds?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Tasks at creation; autoscaling owns the count afterwards. */
  readonly desiredCount: number;
  /** @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
  readonly scaling: ServiceScaling;
}

/**
 * JVM flags sized to the container: an explicit heap of 60% of the hard limit leaves room for
 * metaspace, code cache and thread stacks; the processor count follows the cpu units, because
 * bridge-mode cpu shares don't limit what the JVM sees.
 */
export function jvmOptions(memoryMiB: number, cpu: number): string {
  return [
    `-Xmx${Math.floor(memoryMiB * 0.6)}m`,
    '-Xss512k',
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    `-XX:ActiveProcessorCount=${Math.max(1, Math.ceil(cpu / 1024))}`,
  ].join(' ');
}

/**
 * The workload on ECS on EC2: a bridge-mode task definition, the service behind the ALB, and
 * service autoscaling on requests per target and CPU.
 */
export class LoadBalancedService extends Construct {
  public readonly taskDefinition: EcsTaskDefinition;
  public readonly service: EcsService;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly executionRole: IamRole;
  public readonly taskRole: IamRole;
  public readonly scalingTarget: AppautoscalingTarget;
  public readonly scalingPolicies: readonly AppautoscalingPolicy[];

  constructor(scope: Construct, id: string, props: LoadBalancedServiceProps) {
    super(scope, id);
    const { namePrefix, capacity, loadBalancer } = props;
    const containerName = props.containerName ?? 'host-name';
    const containerPort = props.containerPort ?? 8000;
    const partition = new DataAwsPartition(this, 'partition', {}).partition;

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/ecs/${namePrefix}/${containerName}`,
      retentionInDays: props.logRetentionDays ?? 30,
    });

    this.executionRole = new IamRole(this, 'execution-role', {
      name: `${namePrefix}-execution`,
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com'),
    });
    new IamRolePolicyAttachment(this, 'execution-policy', {
      role: this.executionRole.name,
      policyArn: managedPolicyArn(partition, EXECUTION_MANAGED_POLICY),
    });
    // The app calls no AWS API, so its role has no permissions at all.
    this.taskRole = new IamRole(this, 'task-role', {
      name: `${namePrefix}-task`,
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com'),
    });

    const container = {
      name: containerName,
      image: props.imageUri,
      essential: true,
      cpu: props.cpu,
      memory: props.memoryMiB,
      memoryReservation: props.memoryReservationMiB ?? props.memoryMiB,
      // hostPort 0: Docker picks an ephemeral port, so several tasks fit on one instance.
      portMappings: [{ containerPort, hostPort: 0, protocol: 'tcp' }],
      environment: [
        { name: 'SERVER_PORT', value: String(containerPort) },
        { name: 'JAVA_TOOL_OPTIONS', value: jvmOptions(props.memoryMiB, props.cpu) },
      ],
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': this.logGroup.name,
          'awslogs-region': props.region,
          'awslogs-stream-prefix': containerName,
        },
      },
      healthCheck: { command: HEALTHCHECK_COMMAND, interval: 15, timeout: 5, retries: 3, startPeriod: 60 },
      stopTimeout: props.stopTimeoutSeconds ?? 30,
      privileged: false,
      // The app writes only to /tmp (Tomcat's work directory), which is a task volume.
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
    };

    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: `${namePrefix}-${containerName}`,
      requiresCompatibilities: ['EC2'],
      networkMode: 'bridge',
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions: JSON.stringify([container]),
      volume: [{ name: 'tmp' }],
    });

    this.service = new EcsService(this, 'service', {
      name: containerName,
      cluster: capacity.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.desiredCount,
      capacityProviderStrategy: [{ capacityProvider: capacity.capacityProvider.name, weight: 1, base: 0 }],
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      orderedPlacementStrategy: [
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'binpack', field: 'memory' },
      ],
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds ?? 60,
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      loadBalancer: [{ targetGroupArn: loadBalancer.targetGroup.arn, containerName, containerPort }],
      dependsOn: [...loadBalancer.listeners, capacity.clusterCapacityProviders],
      // Service autoscaling owns the count after creation.
      lifecycle: { ignoreChanges: ['desired_count'] },
    });

    const scaling = props.scaling;
    this.scalingTarget = new AppautoscalingTarget(this, 'scaling-target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${capacity.cluster.name}/${this.service.name}`,
      minCapacity: scaling.minTasks,
      maxCapacity: scaling.maxTasks,
    });
    const trackers = [
      {
        id: 'requests-per-target',
        targetValue: scaling.requestsPerTarget ?? 50,
        metric: {
          predefinedMetricType: 'ALBRequestCountPerTarget',
          resourceLabel: `${loadBalancer.loadBalancer.arnSuffix}/${loadBalancer.targetGroup.arnSuffix}`,
        },
      },
      {
        id: 'cpu',
        targetValue: scaling.cpuTargetPercent ?? 60,
        metric: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      },
    ];
    this.scalingPolicies = trackers.map(
      (t) =>
        new AppautoscalingPolicy(this, `scale-on-${t.id}`, {
          name: `${namePrefix}-${t.id}`,
          policyType: 'TargetTrackingScaling',
          serviceNamespace: this.scalingTarget.serviceNamespace,
          scalableDimension: this.scalingTarget.scalableDimension,
          resourceId: this.scalingTarget.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: t.targetValue,
            predefinedMetricSpecification: t.metric,
            scaleOutCooldown: scaling.scaleOutCooldownSeconds ?? 60,
            scaleInCooldown: scaling.scaleInCooldownSeconds ?? 300,
          },
        }),
    );
  }
}
