import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { AutoscalingGroup, AutoscalingGroupConfig } from '@cdktf/provider-aws/lib/autoscaling-group';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Capacity, CpuCredits, ROOT_VOLUME_GIB } from './settings';
import { managedPolicyArn, serviceTrustPolicy } from '../shared/iam';
import { InstanceTypeSpec } from './instance-types';
import { LAUNCH_TAGGED_RESOURCES } from '../shared/launch-tags';
import { environmentNames } from '../shared/names';

/** Managed policies the container instances get: the ECS agent, and Session Manager instead of SSH. */
export const INSTANCE_MANAGED_POLICIES = ['service-role/AmazonEC2ContainerServiceforEC2Role', 'AmazonSSMManagedInstanceCore'] as const;

export interface SpotOptions {
  /** The Spot group's overrides, resolved (compute/resolve.ts: given, or derived from instanceType). */
  readonly instanceTypes: readonly string[];
  /** Tasks above a service's base go Spot:on-demand `weight`:1. Defaulted by the resolver (`spot.weight`). */
  readonly weight: number;
}

/** Which of the two groups a launch template, group or capacity provider belongs to. */
type Market = 'on-demand' | 'spot';

export interface Ec2CapacityProps {
  /** Names are `<namePrefix>-cluster`, `<namePrefix>-instances` and so on. */
  readonly namePrefix: string;
  readonly vpc: Vpc;
  /** Private subnets, one per AZ. Instances get no public IP. */
  readonly subnets: readonly Subnet[];
  readonly instanceType: string;
  /** From instance-types.ts; picks the AMI architecture. */
  readonly instanceSpec: InstanceTypeSpec;
  /** The group's size and managed scaling target, resolved (compute/settings.ts resolveCapacity). */
  readonly capacity: Capacity;
  /** A second, all-Spot group and capacity provider beside the on-demand ones. @default on-demand only */
  readonly spot?: SpotOptions;
  /** ECS_RESERVED_MEMORY: MiB held back for the OS and agent. Defaulted by the resolver (`reservedMemoryMiB`). */
  readonly reservedMemoryMiB: number;
  /** ECS_CONTAINER_STOP_TIMEOUT; should equal the task's stopTimeout (services/settings.ts CONTAINER_STOP_TIMEOUT_SECONDS). */
  readonly containerStopTimeoutSeconds: number;
  /** An AMI to pin (config `amiId`). @default the recommended ECS-optimized AMI, read from its public SSM parameter at every plan */
  readonly amiId?: string;
  /**
   * Tags for the instances, their volumes and network interfaces (the launch template's tag
   * specifications): the provider's default_tags reach none, because the Auto Scaling group launches them. @default only Name
   */
  readonly instanceTags?: Readonly<Record<string, string>>;
  /** ECS Exec: session encryption key and the KMS-encrypted log group sessions are recorded in. @default no exec configuration */
  readonly execCommand?: { readonly kmsKeyArn: string; readonly logGroupName: string };
  /** Burstable types only. @default the family's own (no credit_specification) */
  readonly cpuCredits?: CpuCredits;
  /** EC2 detailed monitoring. Defaulted by the resolver (compute/resolve.ts). */
  readonly detailedMonitoring: boolean;
  /** Container Insights on the cluster. Defaulted by the resolver (compute/resolve.ts). */
  readonly containerInsights: boolean;
  /** AWS's own providers the cluster lists too ('FARGATE', 'FARGATE_SPOT'), for services that name them. @default none */
  readonly extraCapacityProviders?: readonly string[];
}

/**
 * ECS on EC2: the cluster, its instances (role, security group, launch template, Auto Scaling
 * group) and the capacity provider that scales them with the tasks.
 */
export class Ec2Capacity extends Construct {
  public readonly cluster: EcsCluster;
  public readonly securityGroup: SecurityGroup;
  public readonly instanceRole: IamRole;
  public readonly launchTemplate: LaunchTemplate;
  public readonly autoScalingGroup: AutoscalingGroup;
  public readonly capacityProvider: EcsCapacityProvider;
  /** The Spot group (spot set). */
  public readonly spotAutoScalingGroup?: AutoscalingGroup;
  /** The Spot group's capacity provider (spot set); EC2 services put their tasks above minTasks on it. */
  public readonly spotCapacityProvider?: EcsCapacityProvider;
  /** Services must depend on this, or ECS rejects their capacity provider strategy. */
  public readonly clusterCapacityProviders: EcsClusterCapacityProviders;

  private readonly names: ReturnType<typeof environmentNames>;
  private readonly spotWeight?: number;

  constructor(scope: Construct, id: string, props: Ec2CapacityProps) {
    super(scope, id);
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    this.names = environmentNames(props.namePrefix);
    this.spotWeight = props.spot?.weight;

    this.cluster = this.createCluster(props);
    this.instanceRole = this.createInstanceRole(partition);
    const profile = new IamInstanceProfile(this, 'instance-profile', {
      name: this.names.instanceRole,
      role: this.instanceRole.name,
    });
    this.securityGroup = this.createSecurityGroup(props);
    const imageId = props.amiId ?? this.recommendedAmi(props.instanceSpec);
    this.launchTemplate = this.createLaunchTemplate(props, imageId, profile, 'on-demand');
    this.autoScalingGroup = this.createAutoScalingGroup(props, 'on-demand', {
      launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.toString() },
    });
    this.capacityProvider = this.createCapacityProvider(props, 'on-demand', this.autoScalingGroup);
    if (props.spot) {
      const spotTemplate = this.createLaunchTemplate(props, imageId, profile, 'spot');
      this.spotAutoScalingGroup = this.createAutoScalingGroup(props, 'spot', this.spotPlacement(props.spot, spotTemplate));
      this.spotCapacityProvider = this.createCapacityProvider(props, 'spot', this.spotAutoScalingGroup);
    }
    this.clusterCapacityProviders = new EcsClusterCapacityProviders(this, 'cluster-capacity-providers', {
      clusterName: this.cluster.name,
      capacityProviders: [
        this.capacityProvider.name,
        ...(this.spotCapacityProvider ? [this.spotCapacityProvider.name] : []),
        ...(props.extraCapacityProviders ?? []),
      ],
      defaultCapacityProviderStrategy: [{ capacityProvider: this.capacityProvider.name, weight: 1, base: 0 }],
    });
  }

  /**
   * An EC2 service's capacity provider strategy: its first `base` tasks on on-demand instances (a base
   * on a mixed group would guarantee instances, not tasks), and with Spot the rest split weight:1.
   */
  public serviceStrategy(base: number): { capacityProvider: string; weight: number; base: number }[] {
    const onDemand = { capacityProvider: this.capacityProvider.name, weight: 1, base };
    if (!this.spotCapacityProvider || this.spotWeight === undefined) return [{ ...onDemand, base: 0 }];
    return [onDemand, { capacityProvider: this.spotCapacityProvider.name, weight: this.spotWeight, base: 0 }];
  }

  private createCluster(props: Ec2CapacityProps): EcsCluster {
    const exec = props.execCommand;
    return new EcsCluster(this, 'cluster', {
      name: this.names.cluster,
      setting: [{ name: 'containerInsights', value: props.containerInsights ? 'enabled' : 'disabled' }],
      // Changed in place (UpdateCluster), like the services' enable_execute_command.
      configuration: exec
        ? {
            executeCommandConfiguration: {
              kmsKeyId: exec.kmsKeyArn,
              logging: 'OVERRIDE',
              logConfiguration: { cloudWatchLogGroupName: exec.logGroupName, cloudWatchEncryptionEnabled: true },
            },
          }
        : undefined,
    });
  }

  private createInstanceRole(partition: string): IamRole {
    const role = new IamRole(this, 'instance-role', {
      name: this.names.instanceRole,
      assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com'),
    });
    INSTANCE_MANAGED_POLICIES.forEach((policy, i) => {
      new IamRolePolicyAttachment(this, `instance-policy-${i}`, {
        role: role.name,
        policyArn: managedPolicyArn(partition, policy),
      });
    });
    return role;
  }

  /** No ingress here: the load balancer adds the only one (allowTrafficTo). No port 22 anywhere. */
  private createSecurityGroup(props: Ec2CapacityProps): SecurityGroup {
    const sg = new SecurityGroup(this, 'sg', {
      name: this.names.instancesSecurityGroup,
      description: 'ECS container instances: ALB in, HTTPS out',
      vpcId: props.vpc.id,
      tags: { Name: environmentNames(props.namePrefix).autoScalingGroup },
    });
    // The ECS agent, ECR, CloudWatch Logs and SSM are all HTTPS APIs. The destination must be
    // 0.0.0.0/0 because their public endpoints have no fixed CIDR; traffic leaves through NAT.
    // ECR image layers come from S3, also over 443.
    new VpcSecurityGroupEgressRule(this, 'egress-https', {
      securityGroupId: sg.id,
      description: 'HTTPS to AWS APIs (ECS, ECR, S3, CloudWatch, SSM) through NAT',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
    });
    return sg;
  }

  /** The ECS agent's settings, appended to /etc/ecs/ecs.config at boot; a Spot instance's agent drains it at its interruption notice. */
  private userData(props: Ec2CapacityProps, market: Market): string {
    const agentConfig = [
      `ECS_CLUSTER=${this.cluster.name}`,
      'ECS_ENABLE_CONTAINER_METADATA=true',
      `ECS_CONTAINER_STOP_TIMEOUT=${props.containerStopTimeoutSeconds}s`,
      `ECS_RESERVED_MEMORY=${props.reservedMemoryMiB}`,
      ...(market === 'spot' ? ['ECS_ENABLE_SPOT_INSTANCE_DRAINING=true'] : []),
    ];
    return ['#!/bin/bash', 'cat >> /etc/ecs/ecs.config <<EOF', ...agentConfig, 'EOF', ''].join('\n');
  }

  /** The Spot group's template is the on-demand one plus the agent's Spot draining. */
  private createLaunchTemplate(props: Ec2CapacityProps, imageId: string, profile: IamInstanceProfile, market: Market): LaunchTemplate {
    return new LaunchTemplate(this, market === 'spot' ? 'spot-launch-template' : 'launch-template', {
      namePrefix: market === 'spot' ? this.names.spotLaunchTemplatePrefix : this.names.launchTemplatePrefix,
      description: 'ECS-optimized Amazon Linux 2023 container instances',
      imageId,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      // Hop limit 1: bridge-mode containers sit one hop further and cannot reach the
      // instance's credentials through IMDS.
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      monitoring: { enabled: props.detailedMonitoring },
      ...(props.cpuCredits ? { creditSpecification: { cpuCredits: props.cpuCredits } } : {}),
      networkInterfaces: [
        {
          associatePublicIpAddress: 'false',
          deleteOnTermination: 'true',
          securityGroups: [this.securityGroup.id],
        },
      ],
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: ROOT_VOLUME_GIB,
            volumeType: 'gp3',
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      userData: Fn.base64encode(this.userData(props, market)),
      updateDefaultVersion: true,
      // Static values only, so the template gets no new version unless a tag really changes.
      tagSpecifications: LAUNCH_TAGGED_RESOURCES.map((resourceType) => ({
        resourceType,
        tags: { ...props.instanceTags, Name: environmentNames(props.namePrefix).containerInstance },
      })),
    });
  }

  /**
   * All Spot over the Spot template, diversified over its instance types (the AWS pattern for Spot
   * with ECS capacity providers: price-capacity-optimized, capacity rebalancing). No weighted_capacity:
   * ECS rejects a capacity provider whose group weights its overrides.
   */
  private spotPlacement(
    spot: SpotOptions,
    template: LaunchTemplate,
  ): Pick<AutoscalingGroupConfig, 'mixedInstancesPolicy' | 'capacityRebalance'> {
    return {
      capacityRebalance: true,
      mixedInstancesPolicy: {
        instancesDistribution: {
          onDemandBaseCapacity: 0,
          onDemandPercentageAboveBaseCapacity: 0,
          spotAllocationStrategy: 'price-capacity-optimized',
        },
        launchTemplate: {
          launchTemplateSpecification: { launchTemplateId: template.id, version: template.latestVersion.toString() },
          override: spot.instanceTypes.map((instanceType) => ({ instanceType })),
        },
      },
    };
  }

  /** The on-demand group runs capacity.min and up; the Spot group starts empty and only follows its tasks. */
  private createAutoScalingGroup(
    props: Ec2CapacityProps,
    market: Market,
    placement: Pick<AutoscalingGroupConfig, 'launchTemplate' | 'mixedInstancesPolicy' | 'capacityRebalance'>,
  ): AutoscalingGroup {
    const min = market === 'spot' ? 0 : props.capacity.min;
    return new AutoscalingGroup(this, market === 'spot' ? 'spot-asg' : 'asg', {
      name: market === 'spot' ? this.names.spotAutoScalingGroup : this.names.autoScalingGroup,
      vpcZoneIdentifier: props.subnets.map((s) => s.id),
      minSize: min,
      maxSize: props.capacity.max,
      desiredCapacity: min,
      ...placement,
      healthCheckType: 'EC2',
      defaultInstanceWarmup: 120,
      // Managed termination protection needs this; the capacity provider unprotects as it drains.
      protectFromScaleIn: true,
      // Destroy must not wait for scale-in-protected instances to drain by themselves.
      forceDelete: true,
      instanceRefresh: {
        strategy: 'Rolling',
        // Launch before terminate (min 100, max 200): capacity never drops while instances roll;
        // instances already on the template's latest version are left alone.
        preferences: {
          minHealthyPercentage: 100,
          maxHealthyPercentage: 200,
          skipMatching: true,
          scaleInProtectedInstances: 'Refresh',
          standbyInstances: 'Terminate',
        },
      },
      tag: [
        { key: 'AmazonECSManaged', value: 'true', propagateAtLaunch: true },
        { key: 'Name', value: environmentNames(props.namePrefix).containerInstance, propagateAtLaunch: true },
      ],
      // The capacity provider owns the desired capacity after creation.
      lifecycle: { ignoreChanges: ['desired_capacity'] },
    });
  }

  private createCapacityProvider(props: Ec2CapacityProps, market: Market, group: AutoscalingGroup): EcsCapacityProvider {
    return new EcsCapacityProvider(this, market === 'spot' ? 'spot-capacity-provider' : 'capacity-provider', {
      name: market === 'spot' ? this.names.spotCapacityProvider : this.names.capacityProvider,
      autoScalingGroupProvider: {
        autoScalingGroupArn: group.arn,
        managedTerminationProtection: 'ENABLED',
        managedDraining: 'ENABLED',
        managedScaling: {
          status: 'ENABLED',
          targetCapacity: props.capacity.targetCapacityPercent,
          minimumScalingStepSize: 1,
          maximumScalingStepSize: 2,
          instanceWarmupPeriod: 120,
        },
      },
    });
  }

  /**
   * The recommended ECS-optimized AMI, from a data source rather than `resolve:ssm:`: a new AMI then
   * shows in the plan (its id: `insecure_value`, since `value` is marked sensitive) as a new launch
   * template version, which the instance refresh rolls out. With `resolve:ssm:` it would change
   * silently at the next launch and old instances would linger.
   */
  private recommendedAmi(spec: InstanceTypeSpec): string {
    const arch = spec.architecture === 'arm64' ? 'arm64/' : '';
    return new DataAwsSsmParameter(this, 'ecs-ami', {
      name: `/aws/service/ecs/optimized-ami/amazon-linux-2023/${arch}recommended/image_id`,
    }).insecureValue;
  }
}
