import { Construct } from 'constructs';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { resolve } from 'node:path';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { CONTAINER_STOP_TIMEOUT_SECONDS, EnvironmentConfig, ServiceConfig } from './config';
import { ContainerImage } from './container-image';
import { Ec2Capacity } from './ec2-capacity';
import { dockerPlatform, INSTANCE_TYPES } from './instance-types';
import { LoadBalancedService } from './load-balanced-service';
import { PublicLoadBalancer } from './load-balancer';
import { Network } from './network';
import { serviceResourceName } from './service-config';
import { LEGACY_LAYOUT, moveFromLegacyPath } from './upgrade-moves';
import { WorkingHoursSchedule } from './working-hours-schedule';

/** Default location of the app's source: workload/ at the repository root. */
export const WORKLOAD_DIR = resolve(__dirname, '..', 'workload');

export interface HostNameStackProps {
  /** A resolved, validated environment (see selectEnvironments). */
  readonly config: EnvironmentConfig;
  /**
   * Extra AWS provider settings, merged over the defaults: for example `endpoints` for a
   * private API gateway or an emulator. @default none
   */
  readonly providerOverrides?: Partial<AwsProviderConfig>;
}

/** One environment: network, load balancer, capacity, and per service an image, a route and the ECS service. */
export class HostNameStack extends TerraformStack {
  public readonly network: Network;
  public readonly loadBalancer: PublicLoadBalancer;
  public readonly capacity: Ec2Capacity;
  /** One per service, in the config's (name) order. */
  public readonly services: readonly LoadBalancedService[];
  /** The image of each service, in the same order as `services`. */
  public readonly images: readonly ContainerImage[];
  /** Set when the environment's schedule is on. */
  public readonly schedule?: WorkingHoursSchedule;
  private dockerProvider?: DockerProvider;

  private readonly config: EnvironmentConfig;

  constructor(scope: Construct, id: string, props: HostNameStackProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    const prefix = config.namePrefix;

    new AwsProvider(this, 'aws', {
      region: config.region,
      defaultTags: [
        {
          tags: {
            Project: 'host-name',
            Environment: config.name,
            ManagedBy: 'cdktf',
            ...config.tags,
          },
        },
      ],
      ...props.providerOverrides,
    });

    if (config.state) {
      new S3Backend(this, {
        bucket: config.state.bucket,
        key: `host-name/${config.name}.tfstate`,
        region: config.state.region,
        encrypt: true,
      });
      // S3-native locking (Terraform 1.10+); cdktf 0.21's S3Backend has no field for it.
      this.addOverride('terraform.backend.s3.use_lockfile', true);
    }

    this.network = new Network(this, 'network', {
      namePrefix: prefix,
      vpcCidr: config.vpcCidr,
      availabilityZones: config.availabilityZones,
      publicSubnetCidrs: config.publicSubnetCidrs,
      privateSubnetCidrs: config.privateSubnetCidrs,
      natMode: config.natMode,
      natInstanceType: config.natInstance.instanceType,
      flowLogs: config.flowLogs && { destination: config.flowLogDestination, trafficType: config.flowLogTraffic },
      logRetentionDays: config.logRetentionDays,
      s3GatewayEndpointRegion: config.region,
    });

    const lb = config.loadBalancer;
    this.loadBalancer = new PublicLoadBalancer(this, 'load-balancer', {
      namePrefix: prefix,
      vpc: this.network.vpc,
      subnets: this.network.publicSubnets.map((s) => s.subnet),
      certificateArn: lb.certificateArn,
      ingressCidrs: lb.ingressCidrs,
      idleTimeoutSeconds: lb.idleTimeoutSeconds,
      deletionProtection: lb.deletionProtection,
      accessLogExpirationDays: lb.accessLogs ? lb.accessLogExpirationDays : undefined,
    });

    const instanceSpec = INSTANCE_TYPES[config.instanceType];
    this.capacity = new Ec2Capacity(this, 'capacity', {
      namePrefix: prefix,
      vpc: this.network.vpc,
      subnets: this.network.privateSubnets.map((s) => s.subnet),
      instanceType: config.instanceType,
      instanceSpec,
      minInstances: config.capacity.min,
      maxInstances: config.capacity.max,
      spot: config.spot.enabled ? { onDemandBaseCapacity: config.spot.onDemandBaseCapacity } : undefined,
      reservedMemoryMiB: config.reservedMemoryMiB,
      containerStopTimeoutSeconds: CONTAINER_STOP_TIMEOUT_SECONDS,
      cpuCredits: config.cpuCredits,
      detailedMonitoring: config.detailedMonitoring,
      containerInsights: config.containerInsights,
    });
    this.loadBalancer.allowTrafficTo(this.capacity.securityGroup, 'ECS container instances');

    this.images = config.services.map((service) => this.addImage(config, service));
    this.services = config.services.map((service, i) => this.addService(config, service, this.images[i]));
    if (config.schedule.enabled) this.schedule = this.addSchedule(config);
    this.addOutputs();
  }

  private addImage(config: EnvironmentConfig, service: ServiceConfig): ContainerImage {
    const source = service.image;
    const image = new ContainerImage(this, `image-${service.name}`, {
      repositoryName: source.kind === 'build' ? source.repositoryName : serviceResourceName(config.namePrefix, service.name),
      source:
        source.kind === 'uri'
          ? source
          : { kind: 'build', directory: source.directory, platform: dockerPlatform(INSTANCE_TYPES[config.instanceType]) },
      keepImages: config.image.keepImages,
      forceDelete: config.image.forceDelete,
      dockerProvider: this.dockerProvider,
    });
    this.dockerProvider ??= image.dockerProvider;
    if (service.name === LEGACY_LAYOUT.service) moveFromLegacyPath(image, LEGACY_LAYOUT.imagePath);
    return image;
  }

  private addService(config: EnvironmentConfig, service: ServiceConfig, image: ContainerImage): LoadBalancedService {
    const { routing, targetGroup: tg } = service;
    const route = this.loadBalancer.addRoute(service.name, {
      targetGroupName: serviceResourceName(config.namePrefix, service.name),
      pathPatterns: routing.pathPatterns,
      hostHeaders: routing.hostHeaders,
      priority: routing.priority,
      default: routing.default,
      healthCheck: {
        path: tg.healthCheckPath,
        intervalSeconds: tg.healthCheckIntervalSeconds,
        healthyThreshold: tg.healthyThreshold,
        unhealthyThreshold: tg.unhealthyThreshold,
      },
      deregistrationDelaySeconds: tg.deregistrationDelaySeconds,
    });
    const ecsService = new LoadBalancedService(this, `service-${service.name}`, {
      serviceName: service.name,
      namePrefix: config.namePrefix,
      region: config.region,
      imageUri: image.imageUri,
      capacity: this.capacity,
      route,
      container: service.container,
      scaling: service.scaling,
      logRetentionDays: config.logRetentionDays,
    });
    if (service.name === LEGACY_LAYOUT.service) {
      moveFromLegacyPath(ecsService, LEGACY_LAYOUT.servicePath);
      moveFromLegacyPath(route.targetGroup.node.scope!, LEGACY_LAYOUT.routePath);
    }
    return ecsService;
  }

  private addSchedule(config: EnvironmentConfig): WorkingHoursSchedule {
    const { timeZone, days, start, stop } = config.schedule;
    return new WorkingHoursSchedule(this, 'schedule', {
      namePrefix: config.namePrefix,
      timeZone,
      days,
      start,
      stop,
      autoScalingGroup: this.capacity.autoScalingGroup,
      minInstances: config.capacity.min,
      maxInstances: config.capacity.max,
      services: this.services.map((service, i) => ({
        name: serviceResourceName(config.namePrefix, service.name),
        scalingTarget: service.scalingTarget,
        minTasks: config.services[i].scaling.minTasks,
        maxTasks: config.services[i].scaling.maxTasks,
      })),
    });
  }

  private addOutputs(): void {
    const alb = this.loadBalancer.loadBalancer;
    const services = Object.fromEntries(
      this.services.map((service, i) => {
        const repository = this.images[i].repository;
        return [
          service.name,
          {
            url: `${service.route.baseUrl}${this.config.services[i].routing.urlPath}`,
            service_name: service.service.name,
            target_group_arn: service.route.targetGroup.arn,
            target_group_name: service.route.targetGroup.name,
            log_group: service.logGroup.name,
            image_uri: this.images[i].imageUri,
            ...(repository ? { ecr_repository_url: repository.repositoryUrl } : {}),
          },
        ];
      }),
    );
    const shared: Record<string, { value: string; description: string }> = {
      alb_dns_name: { value: alb.dnsName, description: 'DNS name of the ALB' },
      load_balancer_arn: { value: alb.arn, description: 'The ALB' },
      cluster_name: { value: this.capacity.cluster.name, description: 'ECS cluster' },
      capacity_provider_name: { value: this.capacity.capacityProvider.name, description: 'The cluster capacity provider' },
      autoscaling_group_name: { value: this.capacity.autoScalingGroup.name, description: 'Auto Scaling group of the container instances' },
      vpc_id: { value: this.network.vpc.id, description: 'VPC' },
    };
    const nat = this.network.natInstance;
    if (nat) {
      shared.nat_network_interface_id = { value: nat.networkInterface.id, description: 'The NAT instance\'s network interface: the private subnets\' default route' };
      shared.nat_autoscaling_group_name = { value: nat.autoScalingGroup.name, description: 'Auto Scaling group of the NAT instance' };
    }
    for (const [id, output] of Object.entries(shared)) new TerraformOutput(this, id, output);
    new TerraformOutput(this, 'services', {
      value: services,
      description: 'Per service: url, service_name, target_group_arn, target_group_name, log_group, image_uri (ecr_repository_url when built here)',
    });
  }
}
