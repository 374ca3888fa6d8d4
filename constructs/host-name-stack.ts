import { Construct } from 'constructs';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { resolve } from 'node:path';
import { AwsProvider, AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { CONTAINER_STOP_TIMEOUT_SECONDS, EnvironmentConfig } from './config';
import { ContainerImage } from './container-image';
import { Ec2Capacity } from './ec2-capacity';
import { dockerPlatform, INSTANCE_TYPES } from './instance-types';
import { LoadBalancedService } from './load-balanced-service';
import { PublicLoadBalancer } from './load-balancer';
import { Network } from './network';

/** Default location of the app's source: workload/ at the repository root. */
export const WORKLOAD_DIR = resolve(__dirname, '..', 'workload');

export interface HostNameStackProps {
  /** A resolved, validated environment (see selectEnvironments). */
  readonly config: EnvironmentConfig;
  /** Docker build context when the config names no image URI. @default WORKLOAD_DIR */
  readonly workloadDir?: string;
  /**
   * Extra AWS provider settings, merged over the defaults: for example `endpoints` for a
   * private API gateway or an emulator. @default none
   */
  readonly providerOverrides?: Partial<AwsProviderConfig>;
}

/** One environment of the host-name service: network, load balancer, capacity, image, service. */
export class HostNameStack extends TerraformStack {
  public readonly network: Network;
  public readonly loadBalancer: PublicLoadBalancer;
  public readonly capacity: Ec2Capacity;
  public readonly image: ContainerImage;
  public readonly service: LoadBalancedService;

  constructor(scope: Construct, id: string, props: HostNameStackProps) {
    super(scope, id);
    const { config } = props;
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
      flowLogs: config.flowLogs,
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
      healthCheck: {
        path: lb.healthCheckPath,
        intervalSeconds: lb.healthCheckIntervalSeconds,
        healthyThreshold: lb.healthyThreshold,
        unhealthyThreshold: lb.unhealthyThreshold,
      },
      deregistrationDelaySeconds: lb.deregistrationDelaySeconds,
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
    });
    this.loadBalancer.allowTrafficTo(this.capacity.securityGroup, 'ECS container instances');

    this.image = new ContainerImage(this, 'image', {
      repositoryName: prefix,
      source: config.image.uri
        ? { kind: 'uri', uri: config.image.uri }
        : { kind: 'build', directory: props.workloadDir ?? WORKLOAD_DIR, platform: dockerPlatform(instanceSpec) },
      keepImages: config.image.keepImages,
      forceDelete: config.image.forceDelete,
    });

    this.service = new LoadBalancedService(this, 'service', {
      namePrefix: prefix,
      region: config.region,
      imageUri: this.image.imageUri,
      capacity: this.capacity,
      loadBalancer: this.loadBalancer,
      containerPort: config.task.containerPort,
      cpu: config.task.cpu,
      memoryMiB: config.task.memoryMiB,
      memoryReservationMiB: config.task.memoryReservationMiB,
      stopTimeoutSeconds: CONTAINER_STOP_TIMEOUT_SECONDS,
      logRetentionDays: config.logRetentionDays,
      desiredCount: config.service.desiredCount,
      healthCheckGracePeriodSeconds: config.service.healthCheckGracePeriodSeconds,
      scaling: config.service,
    });

    this.addOutputs();
  }

  private addOutputs(): void {
    const alb = this.loadBalancer.loadBalancer;
    const outputs: Record<string, { value: string; description: string }> = {
      url: { value: `${this.loadBalancer.scheme}://${alb.dnsName}/host-name`, description: 'The app, behind the ALB' },
      alb_dns_name: { value: alb.dnsName, description: 'DNS name of the ALB' },
      cluster_name: { value: this.capacity.cluster.name, description: 'ECS cluster' },
      service_name: { value: this.service.service.name, description: 'ECS service' },
      log_group: { value: this.service.logGroup.name, description: 'CloudWatch log group of the app' },
      image_uri: { value: this.image.imageUri, description: 'Image the task runs' },
    };
    if (this.image.repository) {
      outputs.ecr_repository_url = { value: this.image.repository.repositoryUrl, description: 'ECR repository' };
    }
    for (const [id, output] of Object.entries(outputs)) {
      new TerraformOutput(this, id, output);
    }
  }
}
