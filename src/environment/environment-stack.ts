import { Construct } from 'constructs';
import { dependable, S3Backend, TerraformStack } from 'cdktf';
import { resolve } from 'node:path';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { IamServiceLinkedRole } from '@cdktf/provider-aws/lib/iam-service-linked-role';
import { AlarmTopic } from '../operations/alarm-topic';
import { BLOCKED_PATHS_PRIORITY, CONTAINER_STOP_TIMEOUT_SECONDS, DomainSettings, EnvironmentConfig } from './config';
import { ContainerImage } from '../services/container-image';
import { Ec2Capacity } from '../compute/ec2-capacity';
import { EnvironmentAlarms } from '../operations/environment-alarms';
import { ExecLogging } from '../operations/exec-logging';
import { DomainCertificate } from '../edge/domain-certificate';
import { LoadBalancedService } from '../services/load-balanced-service';
import { PublicLoadBalancer } from '../edge/load-balancer';
import { environmentNames, PROJECT, projectNames } from '../shared/names';
import { Network } from '../network/network';
import { OperationsDashboard } from '../operations/operations-dashboard';
import { OperationsKey } from '../operations/operations-key';
import { addEnvironmentOutputs, declareEnvironment } from './outputs';
import { addServices, fargateCapacityProviders } from './service-wiring';
import { ServiceAlarms } from '../services/service-alarms';
import { serviceResourceName } from '../services/resolve';
import { applyUpgrades } from './upgrade-moves';
import { WebAcl } from '../edge/web-acl';
import { WorkingHoursSchedule } from '../compute/working-hours-schedule';

/** Default location of the app's source: workload/ at the repository root. */
export const WORKLOAD_DIR = resolve(__dirname, '..', '..', 'workload');

export interface EnvironmentStackProps {
  /** A resolved, validated environment (see selectEnvironments). */
  readonly config: EnvironmentConfig;
  /**
   * Extra AWS provider settings, merged over the defaults: for example `endpoints` for a
   * private API gateway or an emulator. @default none
   */
  readonly providerOverrides?: Partial<AwsProviderConfig>;
}

/**
 * One environment: network, load balancer, capacity, and per service an image, a route and the ECS service.
 * The constructor only composes, one step per area, each step's result held in a public field.
 */
export class EnvironmentStack extends TerraformStack {
  public readonly network: Network;
  public readonly loadBalancer: PublicLoadBalancer;
  /** Set when the environment has a domain. */
  public readonly domain?: DomainCertificate;
  /** Set when the WAF is enabled. */
  public readonly webAcl?: WebAcl;
  public readonly capacity: Ec2Capacity;
  /** One per service, in the config's (name) order. */
  public readonly services: readonly LoadBalancedService[];
  /** The image of each service, in the same order as `services`. */
  public readonly images: readonly ContainerImage[];
  /** ECS Exec session logging; set when `operations.exec.enabled`. */
  public readonly execLogging?: ExecLogging;
  /** The one customer managed key of operations: the alarm topic and, with exec, its sessions and log group. */
  public readonly operationsKey: OperationsKey;
  /** The topic every alarm notifies. */
  public readonly alarmTopic: AlarmTopic;
  /** Per service, in the same order as `services`; each service's deployment is judged by its `deploymentAlarms`. */
  public readonly serviceAlarms: readonly ServiceAlarms[];
  public readonly environmentAlarms: EnvironmentAlarms;
  public readonly dashboard: OperationsDashboard;
  /** Set when the environment's schedule is on. */
  public readonly schedule?: WorkingHoursSchedule;
  private readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    this.configureProviders(props.providerOverrides);
    this.network = this.addNetwork();
    this.domain = config.domain && this.addDomain(config.domain);
    this.loadBalancer = this.addLoadBalancer();
    this.webAcl = config.waf.enabled ? this.addWebAcl() : undefined;
    this.operationsKey = this.addOperationsKey();
    this.execLogging = config.operations.exec.enabled ? this.addExecLogging() : undefined;
    this.capacity = this.addCapacity();
    this.alarmTopic = this.addAlarmTopic();
    const wired = addServices(this, config, this);
    this.images = wired.images;
    this.services = wired.services;
    this.serviceAlarms = wired.alarms;
    this.environmentAlarms = this.addEnvironmentAlarms();
    this.dashboard = this.addDashboard();
    this.schedule = config.schedule.enabled ? this.addSchedule() : undefined;
    declareEnvironment(this, config);
    addEnvironmentOutputs(this, config, this);
    applyUpgrades(this, this);
  }

  /** The provider's default tags; the launch templates repeat them, as default tags never reach what Auto Scaling launches. */
  private defaultTags(): Record<string, string> {
    return { Project: PROJECT, Environment: this.config.name, ManagedBy: 'cdktf', ...this.config.tags };
  }

  /** The AWS provider and, with `state`, the S3 backend. */
  private configureProviders(providerOverrides: Partial<AwsProviderConfig> | undefined): void {
    const { config } = this;
    new AwsProvider(this, 'aws', { region: config.region, defaultTags: [{ tags: this.defaultTags() }], ...providerOverrides });
    if (!config.state) return;
    new S3Backend(this, {
      bucket: config.state.bucket,
      key: projectNames.stateKey(config.name),
      region: config.state.region,
      encrypt: true,
    });
    // S3-native locking (Terraform 1.10+); cdktf 0.21's S3Backend has no field for it.
    this.addOverride('terraform.backend.s3.use_lockfile', true);
  }

  private addNetwork(): Network {
    const { config } = this;
    return new Network(this, 'network', {
      namePrefix: config.namePrefix,
      vpcCidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
      publicSubnetCidrs: config.publicSubnetCidrs,
      privateSubnetCidrs: config.privateSubnetCidrs,
      natMode: config.natMode,
      natInstanceType: config.natInstance.instanceType,
      natInstanceAmiId: config.natInstance.amiId,
      natInstanceTags: this.defaultTags(),
      flowLogs: config.flowLogs && { destination: config.flowLogDestination, trafficType: config.flowLogTraffic },
      logRetentionDays: config.logRetentionDays,
      s3GatewayEndpointRegion: config.region,
    });
  }

  private addDomain(domain: DomainSettings): DomainCertificate {
    return new DomainCertificate(this, 'domain-name', {
      zone: domain.zoneName !== undefined ? { name: domain.zoneName } : { id: domain.zoneId! },
      recordName: domain.recordName,
      certificateArn: this.config.loadBalancer.certificateArn,
    });
  }

  /** The ALB, and the domain's alias to it. */
  private addLoadBalancer(): PublicLoadBalancer {
    const { config, network, domain } = this;
    const lb = config.loadBalancer;
    const loadBalancer = new PublicLoadBalancer(this, 'load-balancer', {
      namePrefix: config.namePrefix,
      vpc: network.vpc,
      subnets: network.publicSubnets.map((s) => s.subnet),
      certificateArn: domain?.certificateArn ?? lb.certificateArn,
      hostName: config.domain?.recordName,
      blockedPaths: lb.blockedPaths,
      blockedPathsPriority: BLOCKED_PATHS_PRIORITY,
      ingressCidrs: lb.ingressCidrs,
      idleTimeoutSeconds: lb.idleTimeoutSeconds,
      deletionProtection: lb.deletionProtection,
      accessLogExpirationDays: lb.accessLogs ? lb.accessLogExpirationDays : undefined,
    });
    domain?.aliasTo(loadBalancer.loadBalancer);
    return loadBalancer;
  }

  private addWebAcl(): WebAcl {
    const { config } = this;
    return new WebAcl(this, 'waf', {
      namePrefix: config.namePrefix,
      loadBalancer: this.loadBalancer.loadBalancer,
      rateLimit: config.waf.rateLimit,
      logRetentionDays: config.waf.logging ? config.logRetentionDays : undefined,
    });
  }

  private addOperationsKey(): OperationsKey {
    const names = environmentNames(this.config.namePrefix);
    return new OperationsKey(this, 'operations-key', {
      aliasName: names.operationsKeyAlias,
      region: this.config.region,
      topicName: names.alarmTopic,
      execLogGroupName: this.config.operations.exec.enabled ? names.execLogGroup : undefined,
    });
  }

  private addExecLogging(): ExecLogging {
    return new ExecLogging(this, 'exec-logging', {
      logGroupName: environmentNames(this.config.namePrefix).execLogGroup,
      key: this.operationsKey.key,
      logRetentionDays: this.config.logRetentionDays,
    });
  }

  /** The cluster and its instances, which the load balancer may reach. */
  private addCapacity(): Ec2Capacity {
    const { config, network, execLogging } = this;
    const capacity = new Ec2Capacity(this, 'capacity', {
      namePrefix: config.namePrefix,
      vpc: network.vpc,
      subnets: network.privateSubnets.map((s) => s.subnet),
      instanceType: config.instanceType,
      instanceSpec: config.instanceSpec,
      capacity: config.capacity,
      spot: config.spot.enabled ? { instanceTypes: config.spot.instanceTypes, weight: config.spot.weight } : undefined,
      reservedMemoryMiB: config.reservedMemoryMiB,
      containerStopTimeoutSeconds: CONTAINER_STOP_TIMEOUT_SECONDS,
      amiId: config.amiId,
      instanceTags: this.defaultTags(),
      execCommand: execLogging && { kmsKeyArn: execLogging.key.key.arn, logGroupName: execLogging.logGroup.name },
      cpuCredits: config.cpuCredits,
      detailedMonitoring: config.detailedMonitoring,
      containerInsights: config.containerInsights,
      extraCapacityProviders: fargateCapacityProviders(config.services),
    });
    if (config.createEcsServiceLinkedRole) this.addEcsServiceLinkedRole(capacity);
    this.loadBalancer.allowTrafficTo(capacity.securityGroup, 'ECS container instances');
    return capacity;
  }

  /**
   * A fresh account may not have ECS's service-linked role yet; the cluster and the capacity
   * provider then fail to create. One per account: docs/bootstrap.md.
   */
  private addEcsServiceLinkedRole(capacity: Ec2Capacity): void {
    const role = new IamServiceLinkedRole(this, 'ecs-service-linked-role', {
      awsServiceName: 'ecs.amazonaws.com',
      description: 'ECS service-linked role, created by host-name for a fresh account',
    });
    for (const resource of [
      capacity.cluster,
      capacity.capacityProvider,
      ...(capacity.spotCapacityProvider ? [capacity.spotCapacityProvider] : []),
    ])
      resource.dependsOn = [dependable(role)];
  }

  private addAlarmTopic(): AlarmTopic {
    return new AlarmTopic(this, 'alarm-topic', {
      topicName: environmentNames(this.config.namePrefix).alarmTopic,
      key: this.operationsKey.key,
      ...this.config.operations.notifications,
    });
  }

  /** What the environment-wide alarms and the dashboard watch. */
  private watchedEnvironment() {
    const { loadBalancer, capacity } = this;
    return {
      loadBalancerArnSuffix: loadBalancer.loadBalancer.arnSuffix,
      clusterName: capacity.cluster.name,
      capacityProviderName: capacity.capacityProvider.name,
      spotCapacityProviderName: capacity.spotCapacityProvider?.name,
    };
  }

  private addEnvironmentAlarms(): EnvironmentAlarms {
    const alarms = this.config.operations.alarms;
    return new EnvironmentAlarms(this, 'alarms', {
      namePrefix: this.config.namePrefix,
      watched: this.watchedEnvironment(),
      loadBalancer5xxPercent: alarms.loadBalancer5xxPercent,
      minimumRequestsPerMinute: alarms.minimumRequestsPerMinute,
      evaluationMinutes: alarms.evaluationMinutes,
      capacityShortMinutes: alarms.capacityShortMinutes,
      actions: [this.alarmTopic.topic.arn],
    });
  }

  private addDashboard(): OperationsDashboard {
    const { config, loadBalancer, capacity } = this;
    const services = this.services.map((s) => ({
      name: s.name,
      watched: {
        loadBalancerArnSuffix: loadBalancer.loadBalancer.arnSuffix,
        targetGroupArnSuffix: s.route.targetGroup.arnSuffix,
        ...(s.route.blueGreen ? { alternateTargetGroupArnSuffix: s.route.blueGreen.alternateTargetGroup.arnSuffix } : {}),
        clusterName: capacity.cluster.name,
        serviceName: s.service.name,
      },
    }));
    return new OperationsDashboard(this, 'dashboard', {
      dashboardName: environmentNames(config.namePrefix).dashboard,
      region: config.region,
      environment: this.watchedEnvironment(),
      services,
      alarms: [...this.environmentAlarms.all, ...this.serviceAlarms.flatMap((a) => a.all)],
      containerInsights: config.containerInsights,
    });
  }

  private addSchedule(): WorkingHoursSchedule {
    const { config } = this;
    const { timeZone, days, start, stop } = config.schedule;
    return new WorkingHoursSchedule(this, 'schedule', {
      namePrefix: config.namePrefix,
      timeZone,
      days,
      start,
      stop,
      autoScalingGroup: this.capacity.autoScalingGroup,
      spotAutoScalingGroup: this.capacity.spotAutoScalingGroup,
      natAutoScalingGroup: this.network.natInstance?.autoScalingGroup,
      capacity: config.capacity,
      services: this.services.map((service, i) => ({
        name: serviceResourceName(config.namePrefix, service.name),
        scalingTarget: service.scalingTarget,
        minTasks: config.services[i].scaling.minTasks,
        maxTasks: config.services[i].scaling.maxTasks,
      })),
    });
  }
}
