import { Construct } from 'constructs';
import { TerraformResource } from 'cdktf';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { BlueGreenConfig, ServiceConfig } from './settings';
import { BlueGreenDeployment } from './blue-green-deployment';
import { Ec2Capacity } from '../compute/ec2-capacity';
import { managedPolicyArn, policyDocument, PolicyStatement, serviceTrustPolicy } from '../shared/iam';
import { ServiceRoute } from '../edge/load-balancer';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { targetGroupMetrics } from '../operations/metrics';
import { fargateNames, serviceLogGroupName, serviceResourceName } from '../shared/names';
import { FargateCapacityProvider } from './fargate';
import { DEPLOYMENT_MAXIMUM_PERCENT } from './resolve';
import { EXEC_WRITABLE_PATHS, TMP_VOLUME } from './container-filesystem';

export { EXEC_WRITABLE_PATHS } from './container-filesystem';

/**
 * What CodeDeploy owns on a blue-green (CODE_DEPLOY) service, so Terraform sets it at creation only:
 * the task definition and target group of the serving task set, the capacity provider strategy (the
 * AppSpec's), the count (service autoscaling), and ECS Exec, which ECS refuses to update on such a service.
 */
export const CODE_DEPLOY_OWNS = [
  'desired_count',
  'task_definition',
  'load_balancer',
  'capacity_provider_strategy',
  'enable_execute_command',
] as const;

/** The execution role's only policy: pull from ECR and write logs. */
export const EXECUTION_MANAGED_POLICY = 'service-role/AmazonECSTaskExecutionRolePolicy';

export interface LoadBalancedServiceProps {
  /** The ECS service name; scopes every physical name: `<namePrefix>-<serviceName>[-...]`. */
  readonly serviceName: string;
  readonly namePrefix: string;
  readonly region: string;
  /** Image reference, ideally by digest. */
  readonly imageUri: string;
  readonly capacity: Ec2Capacity;
  /** From PublicLoadBalancer.addRoute: the target group to join and the scaling label. */
  readonly route: ServiceRoute;
  /** Port, sizes, environment (profile already applied), secrets, health check, stop timeout. */
  readonly container: ServiceConfig['container'];
  readonly scaling: ServiceConfig['scaling'];
  /**
   * Steady-state wait, its timeout, and rollback on the deployment alarms; with `blueGreen`, the service
   * is CodeDeploy's (CODE_DEPLOY controller) and `route` must be a blue/green route.
   */
  readonly deployment: ServiceConfig['deployment'];
  /** Alarms ECS (or CodeDeploy, blue-green) watches during a deployment (ServiceAlarms.deploymentAlarms); none: no `alarms` block. */
  readonly deploymentAlarmNames: readonly string[];
  readonly logRetentionDays: number;
  /** ECS Exec into the container: the session log group's ARN and the session key. @default off */
  readonly execCommand?: ExecCommandAccess;
  /** Run on Fargate (awsvpc, IP targets; `route` must have IP targets) instead of the cluster's instances. @default the instances */
  readonly fargate?: FargatePlacement;
}

/** Where a Fargate service's tasks run: its capacity provider, the private subnets and the image's architecture. */
export interface FargatePlacement {
  readonly capacityProvider: FargateCapacityProvider;
  readonly vpcId: string;
  /** Private subnets: the tasks get no public IP and leave through NAT. */
  readonly subnetIds: readonly string[];
  readonly cpuArchitecture: 'X86_64' | 'ARM64';
}

/** What a task needs for ECS Exec: the cluster's session log group and session key. */
export interface ExecCommandAccess {
  readonly logGroupArn: string;
  readonly kmsKeyArn: string;
}

/** The SSM Session Manager channels ECS Exec opens from inside the task; no resource-level permissions exist. */
export const EXEC_SSM_ACTIONS = [
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
] as const;

/**
 * One service on ECS on EC2: a bridge-mode task definition, the service behind its route on the
 * ALB, and service autoscaling on requests per target and CPU. Nothing here knows what runs in the
 * image: runtime profiles (runtime-profiles.ts) are applied to the config before it gets here.
 */
export class LoadBalancedService extends Construct {
  public readonly taskDefinition: EcsTaskDefinition;
  public readonly service: EcsService;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly executionRole: IamRole;
  public readonly taskRole: IamRole;
  public readonly scalingTarget: AppautoscalingTarget;
  public readonly scalingPolicies: readonly AppautoscalingPolicy[];

  /** The service's name (the config key). */
  public readonly name: string;
  /** Read access to the container's secrets; set when it has any. */
  public readonly secretsPolicy?: IamRolePolicy;
  /** The task role's ECS Exec permissions; set when exec is on. */
  public readonly execPolicy?: IamRolePolicy;
  public readonly route: ServiceRoute;
  /** CodeDeploy's application, role and deployment group; set when the deployment strategy is blue-green. */
  public readonly blueGreen?: BlueGreenDeployment;
  /** A Fargate service's tasks' own group: HTTPS out here; the load balancer adds the only ingress. */
  public readonly taskSecurityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: LoadBalancedServiceProps) {
    super(scope, id);
    this.name = props.serviceName;
    this.route = props.route;
    const names = (suffix?: string) => serviceResourceName(props.namePrefix, props.serviceName, suffix);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: serviceLogGroupName(props.namePrefix, props.serviceName),
      retentionInDays: props.logRetentionDays,
    });
    this.executionRole = this.tasksRole('execution-role', names('execution'));
    const executionPolicy = new IamRolePolicyAttachment(this, 'execution-policy', {
      role: this.executionRole.name,
      policyArn: managedPolicyArn(partition, EXECUTION_MANAGED_POLICY),
    });
    this.secretsPolicy = this.grantSecrets(props.container);
    // The apps call no AWS API of their own yet, so the task role has no permissions at all.
    this.taskRole = this.tasksRole('task-role', names('task'));
    this.execPolicy = props.execCommand ? this.grantExec(props.execCommand) : undefined;
    // IAM is eventually consistent: the first tasks must not start before their roles' policies exist.
    const rolePolicies = [
      executionPolicy,
      ...(this.secretsPolicy ? [this.secretsPolicy] : []),
      ...(this.execPolicy ? [this.execPolicy] : []),
    ];
    this.taskDefinition = this.createTaskDefinition(props, names(), rolePolicies);
    this.taskSecurityGroup = props.fargate && this.createTaskSecurityGroup(props, props.fargate);
    this.service = this.ecsService(props, rolePolicies);
    this.scalingTarget = this.createScalingTarget(props);
    this.scalingPolicies = this.trackingPolicies(props, names);
    this.blueGreen = props.deployment.blueGreen && this.createBlueGreen(props, props.deployment.blueGreen);
  }

  private createBlueGreen(props: LoadBalancedServiceProps, blueGreen: BlueGreenConfig): BlueGreenDeployment {
    return new BlueGreenDeployment(this, 'codedeploy', {
      namePrefix: props.namePrefix,
      serviceName: props.serviceName,
      blueGreen,
      clusterName: props.capacity.cluster.name,
      ecsServiceName: this.service.name,
      route: props.route,
      alarmNames: props.deploymentAlarmNames,
    });
  }

  /** No ingress here: the load balancer adds the only one (allowTrafficToTasks). */
  private createTaskSecurityGroup(props: LoadBalancedServiceProps, fargate: FargatePlacement): SecurityGroup {
    const name = fargateNames(props.namePrefix, props.serviceName).taskSecurityGroup;
    const sg = new SecurityGroup(this, 'task-sg', {
      name,
      description: `${props.serviceName} tasks on Fargate: ALB in, HTTPS out`,
      vpcId: fargate.vpcId,
      tags: { Name: name },
    });
    // As the instances' group: ECR, S3 (layers), CloudWatch Logs, SSM and Secrets Manager are HTTPS APIs without fixed CIDRs.
    new VpcSecurityGroupEgressRule(this, 'task-egress-https', {
      securityGroupId: sg.id,
      description: 'HTTPS to AWS APIs (ECR, S3, CloudWatch Logs, SSM, Secrets Manager) through NAT',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });
    return sg;
  }

  /** A role ECS tasks assume. */
  private tasksRole(id: string, name: string): IamRole {
    return new IamRole(this, id, { name, assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com') });
  }

  private createTaskDefinition(
    props: LoadBalancedServiceProps,
    family: string,
    rolePolicies: readonly TerraformResource[],
  ): EcsTaskDefinition {
    const c = props.container;
    return new EcsTaskDefinition(this, 'task', {
      family,
      ...(props.fargate
        ? {
            // Fargate sizes the task, not the instance: the container's cpu and memory, one of Fargate's combinations.
            requiresCompatibilities: ['FARGATE'],
            networkMode: 'awsvpc',
            cpu: String(c.cpu),
            memory: String(c.memoryMiB),
            runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: props.fargate.cpuArchitecture },
          }
        : { requiresCompatibilities: ['EC2'], networkMode: 'bridge' }),
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions: JSON.stringify([this.containerDefinition(props)]),
      volume: [
        { name: TMP_VOLUME.name },
        ...(props.execCommand ? Object.keys(EXEC_WRITABLE_PATHS).map((name) => ({ name })) : []),
        ...(props.fargate ? c.writablePaths.map((w) => ({ name: writableVolume(w.name) })) : []),
      ],
      dependsOn: [...rolePolicies],
    });
  }

  private createScalingTarget(props: LoadBalancedServiceProps): AppautoscalingTarget {
    return new AppautoscalingTarget(this, 'scaling-target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${props.capacity.cluster.name}/${this.service.name}`,
      minCapacity: props.scaling.minTasks,
      maxCapacity: props.scaling.maxTasks,
    });
  }

  /** Exactly the configured secrets, and their KMS key when one is named; nothing when there are none. */
  private grantSecrets(container: LoadBalancedServiceProps['container']): IamRolePolicy | undefined {
    const arns = Object.values(container.secrets);
    if (arns.length === 0) return undefined;
    const ssm = arns.filter((a) => a.split(':')[2] === 'ssm');
    const secretsManager = arns.filter((a) => a.split(':')[2] === 'secretsmanager');
    const statements: PolicyStatement[] = [
      ...(ssm.length > 0 ? [{ Sid: 'ReadParameters', Effect: 'Allow' as const, Action: 'ssm:GetParameters', Resource: ssm }] : []),
      ...(secretsManager.length > 0
        ? [{ Sid: 'ReadSecrets', Effect: 'Allow' as const, Action: 'secretsmanager:GetSecretValue', Resource: secretsManager }]
        : []),
      ...(container.secretsKmsKeyArn
        ? [{ Sid: 'DecryptSecrets', Effect: 'Allow' as const, Action: 'kms:Decrypt', Resource: container.secretsKmsKeyArn }]
        : []),
    ];
    return new IamRolePolicy(this, 'secrets-policy', {
      name: 'read-secrets',
      role: this.executionRole.id,
      policy: policyDocument(...statements),
    });
  }

  /** The SSM channels, writing to the session log group, and decrypting with the session key (AWS's ECS Exec policy). */
  private grantExec(exec: ExecCommandAccess): IamRolePolicy {
    return new IamRolePolicy(this, 'exec-policy', {
      name: 'ecs-exec',
      role: this.taskRole.id,
      policy: policyDocument(
        { Sid: 'SessionChannels', Effect: 'Allow', Action: EXEC_SSM_ACTIONS, Resource: '*' },
        // The agent checks the group exists before it writes; DescribeLogGroups has no resource-level permissions.
        { Sid: 'FindSessionLogGroup', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
        {
          Sid: 'WriteSessionLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
          Resource: `${exec.logGroupArn}:*`,
        },
        { Sid: 'DecryptSessions', Effect: 'Allow', Action: 'kms:Decrypt', Resource: exec.kmsKeyArn },
      ),
    });
  }

  private containerDefinition(props: LoadBalancedServiceProps): Record<string, unknown> {
    const c = props.container;
    const name = props.serviceName;
    const secrets = Object.entries(c.secrets).map(([key, valueFrom]) => ({ name: key, valueFrom }));
    const hc = c.healthCheck;
    return {
      name,
      image: props.imageUri,
      essential: true,
      cpu: c.cpu,
      memory: c.memoryMiB,
      memoryReservation: c.memoryReservationMiB,
      // hostPort 0: Docker picks an ephemeral port, so several tasks fit on one instance. awsvpc: the task's own port.
      portMappings: [{ containerPort: c.port, hostPort: props.fargate ? c.port : 0, protocol: 'tcp' }],
      environment: Object.entries(c.environment).map(([key, value]) => ({ name: key, value })),
      ...(secrets.length > 0 ? { secrets } : {}),
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': this.logGroup.name, 'awslogs-region': props.region, 'awslogs-stream-prefix': name },
      },
      ...(hc
        ? {
            healthCheck: {
              command: hc.command,
              interval: hc.intervalSeconds,
              timeout: hc.timeoutSeconds,
              retries: hc.retries,
              startPeriod: hc.startPeriodSeconds,
            },
          }
        : {}),
      stopTimeout: c.stopTimeoutSeconds,
      // Fargate does not take the parameter at all (no privileged containers there).
      ...(props.fargate ? {} : { privileged: false }),
      // Writable: /tmp (a task volume; Tomcat's work directory for host-name) and the configured paths.
      readonlyRootFilesystem: c.readonlyRootFilesystem,
      ...this.writableMounts(props),
      ...(c.user !== undefined ? { user: c.user } : {}),
    };
  }

  /**
   * Task volumes for /tmp and ECS Exec; the configured writable paths as tmpfs mounts on EC2, and as
   * task volumes on Fargate, which refuses linuxParameters.tmpfs (they use its ephemeral storage there).
   */
  private writableMounts(props: LoadBalancedServiceProps): Record<string, unknown> {
    const c = props.container;
    const volume = (sourceVolume: string, containerPath: string) => ({ sourceVolume, containerPath, readOnly: false });
    const mountPoints = [
      volume(TMP_VOLUME.name, TMP_VOLUME.path),
      ...(props.execCommand ? Object.entries(EXEC_WRITABLE_PATHS).map(([name, path]) => volume(name, path)) : []),
      ...(props.fargate ? c.writablePaths.map((w) => volume(writableVolume(w.name), w.path)) : []),
    ];
    const tmpfs = props.fargate ? [] : c.writablePaths.map((w) => ({ containerPath: w.path, size: w.sizeMiB }));
    return { mountPoints, ...(tmpfs.length > 0 ? { linuxParameters: { tmpfs } } : {}) };
  }

  private ecsService(props: LoadBalancedServiceProps, rolePolicies: readonly TerraformResource[]): EcsService {
    const { capacity, route, deployment } = props;
    const timeout = `${deployment.timeoutMinutes}m`;
    return new EcsService(this, 'service', {
      name: props.serviceName,
      cluster: capacity.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.scaling.desiredCount,
      ...this.placement(props),
      ...(deployment.blueGreen ? { deploymentController: { type: 'CODE_DEPLOY' } } : this.rollingDeployment(props)),
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: DEPLOYMENT_MAXIMUM_PERCENT,
      healthCheckGracePeriodSeconds: props.scaling.healthCheckGracePeriodSeconds,
      enableEcsManagedTags: true,
      // In place (UpdateService); tasks started before the change get no agent, so the new task definition's rollout matters.
      enableExecuteCommand: props.execCommand !== undefined,
      propagateTags: 'SERVICE',
      loadBalancer: [{ targetGroupArn: route.targetGroup.arn, containerName: props.serviceName, containerPort: props.container.port }],
      timeouts: { create: timeout, update: timeout },
      dependsOn: [
        ...route.listeners,
        ...(route.listenerRule ? [route.listenerRule] : []),
        capacity.clusterCapacityProviders,
        ...rolePolicies,
      ],
      lifecycle: deployment.blueGreen ? { ignoreChanges: [...CODE_DEPLOY_OWNS] } : this.rollingLifecycle(props),
    });
  }

  /**
   * The instances' provider, spread over zones and packed by memory; or a Fargate provider alone (a
   * strategy never mixes them) in the private subnets, where ECS spreads over zones itself and refuses placement strategies.
   */
  private placement(props: LoadBalancedServiceProps) {
    const { fargate } = props;
    if (!fargate) {
      return {
        capacityProviderStrategy: props.capacity.serviceStrategy(props.scaling.minTasks),
        orderedPlacementStrategy: [
          { type: 'spread', field: 'attribute:ecs.availability-zone' },
          { type: 'binpack', field: 'memory' },
        ],
      };
    }
    return {
      capacityProviderStrategy: [{ capacityProvider: fargate.capacityProvider, weight: 1, base: 0 }],
      networkConfiguration: {
        subnets: [...fargate.subnetIds],
        securityGroups: [this.taskSecurityGroup!.id],
        assignPublicIp: false,
      },
    };
  }

  /** What a rolling (ECS) deployment sets: ECS judges it, and apply waits for it. */
  private rollingDeployment(props: LoadBalancedServiceProps) {
    const { deployment } = props;
    return {
      // With it, provider 5.x updates a changed capacity provider strategy in place instead of
      // replacing the service (an outage). It also makes every other in-place update of the service
      // start a new deployment, which the task definition's own changes do anyway.
      forceNewDeployment: true,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      ...(props.deploymentAlarmNames.length > 0
        ? { alarms: { enable: true, rollback: deployment.rollbackOnAlarm, alarmNames: [...props.deploymentAlarmNames] } }
        : {}),
      waitForSteadyState: deployment.waitForSteadyState,
    };
  }

  private rollingLifecycle(props: LoadBalancedServiceProps) {
    const { deployment } = props;
    return {
      // Service autoscaling owns the count after creation.
      ignoreChanges: ['desired_count'],
      // hashicorp/aws 5.x's steady-state wait succeeds once a rolled-back deployment is stable
      // (6.x detects the rollback itself): the service then runs the previous task definition,
      // and this fails the apply instead of letting the pipeline go on to the next environment.
      ...(deployment.waitForSteadyState
        ? {
            postcondition: [
              {
                condition: `\${self.task_definition == ${this.taskDefinition.fqn}.arn}`,
                errorMessage: `ECS rolled the deployment of ${props.serviceName} back (circuit breaker or deployment alarm): it runs another task definition than the one applied. See the service's events.`,
              },
            ],
          }
        : {}),
    };
  }

  private trackingPolicies(props: LoadBalancedServiceProps, names: (suffix: string) => string): AppautoscalingPolicy[] {
    const scaling = props.scaling;
    const cpu = { predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' } };
    const trackers = [
      { id: 'requests-per-target', targetValue: scaling.requestsPerTarget, metric: this.requestsPerTarget(props.route) },
      { id: 'cpu', targetValue: scaling.cpuTargetPercent, metric: cpu },
    ];
    return trackers.map(
      (t) =>
        new AppautoscalingPolicy(this, `scale-on-${t.id}`, {
          name: names(t.id),
          policyType: 'TargetTrackingScaling',
          serviceNamespace: this.scalingTarget.serviceNamespace,
          scalableDimension: this.scalingTarget.scalableDimension,
          resourceId: this.scalingTarget.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: t.targetValue,
            ...t.metric,
            scaleOutCooldown: scaling.scaleOutCooldownSeconds,
            scaleInCooldown: scaling.scaleInCooldownSeconds,
          },
        }),
    );
  }

  /**
   * Requests per target: ALBRequestCountPerTarget of the route's target group; for a blue/green route,
   * the sum over both target groups, since the tasks serve from either after a deployment (and during
   * one the two together carry the service's traffic).
   */
  private requestsPerTarget(route: ServiceRoute) {
    if (!route.blueGreen) {
      return { predefinedMetricSpecification: { predefinedMetricType: 'ALBRequestCountPerTarget', resourceLabel: route.resourceLabel } };
    }
    const perTarget = (id: string, targetGroup: LbTargetGroup) => {
      const m = targetGroupMetrics(route.blueGreen!.loadBalancerArnSuffix, targetGroup.arnSuffix).requestsPerTarget;
      const dimensions = Object.entries(m.dimensions).map(([name, value]) => ({ name, value }));
      return {
        id,
        returnData: false,
        metricStat: { metric: { namespace: m.namespace, metricName: m.metricName, dimensions }, stat: 'Sum' },
      };
    };
    return {
      customizedMetricSpecification: {
        metrics: [
          perTarget('first', route.targetGroup),
          perTarget('second', route.blueGreen.alternateTargetGroup),
          { id: 'requests', expression: 'SUM([first, second])', label: 'RequestCountPerTarget of both target groups', returnData: true },
        ],
      },
    };
  }
}

/** A writable path's task volume on Fargate: prefixed, so it never takes the name of /tmp's or ECS Exec's volumes. */
function writableVolume(name: string): string {
  return `writable-${name}`;
}
