import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { LAUNCH_TAGGED_RESOURCES } from '../shared/launch-tags';
import { managedPolicyArn, policyDocument, serviceTrustPolicy } from '../shared/iam';
import { environmentNames } from '../shared/names';

/** Amazon Linux 2023 for Graviton, the standard (not minimal) image: it has the SSM agent. */
export const NAT_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';

/**
 * The only port the NAT forwards: the container instances' one egress rule (HTTPS to AWS APIs,
 * ec2-capacity.ts). Widen both together.
 */
export const NAT_FORWARDED_PORT = 443;

export interface NatInstanceProps {
  /** Names are `<namePrefix>-nat`. */
  readonly namePrefix: string;
  readonly vpc: Vpc;
  /** The public subnet the instance and its network interface live in. */
  readonly subnet: Subnet;
  /** The internet gateway; the Elastic IP needs it attached first. */
  readonly internetGateway: InternetGateway;
  /** CIDRs whose traffic it forwards: the private subnets. Nothing else may reach it. */
  readonly sourceCidrs: readonly string[];
  /** A Graviton type (network/settings.ts NAT_INSTANCE_TYPES). */
  readonly instanceType: string;
  /** An arm64 AMI to pin (config `natInstance.amiId`). @default the latest from NAT_AMI_PARAMETER, read at every plan */
  readonly amiId?: string;
  /** Tags for what a launch creates (the instance and its volume), as Ec2CapacityProps.instanceTags. @default only Name */
  readonly instanceTags?: Readonly<Record<string, string>>;
}

/**
 * A NAT instance in place of a NAT gateway: one Graviton instance in an Auto Scaling group of one,
 * so a failed instance is replaced. Private routes point at a network interface the stack owns
 * (source/destination check off, with an Elastic IP), which every instance the group launches takes
 * as its primary interface, so routes and the public address survive a replacement.
 *
 * The pattern is fck-nat's static interface with an ASG of one, in the form AWS documents for a
 * launch template with an existing interface (the group names the AZ, not a subnet) rather than
 * fck-nat's attach-at-boot: that needs a second public address to reach the EC2 API first, and
 * EC2 permissions on the instance role.
 */
export class NatInstance extends Construct {
  public readonly networkInterface: NetworkInterface;
  public readonly eip: Eip;
  public readonly securityGroup: SecurityGroup;
  public readonly role: IamRole;
  public readonly launchTemplate: LaunchTemplate;
  public readonly autoScalingGroup: AutoscalingGroup;

  constructor(scope: Construct, id: string, props: NatInstanceProps) {
    super(scope, id);
    const name = environmentNames(props.namePrefix).natInstance;
    this.securityGroup = this.addSecurityGroup(name, props);
    this.networkInterface = this.addInterface(name, props);
    this.eip = new Eip(this, 'eip', {
      domain: 'vpc',
      networkInterface: this.networkInterface.id,
      tags: { Name: name },
      dependsOn: [props.internetGateway],
    });
    this.role = new IamRole(this, 'role', { name, assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com') });
    const healthPolicy = this.addRolePolicies(name);
    this.launchTemplate = this.addLaunchTemplate(name, props);
    this.autoScalingGroup = this.addGroup(name, props, healthPolicy);
  }

  private addInterface(name: string, props: NatInstanceProps): NetworkInterface {
    return new NetworkInterface(this, 'eni', {
      subnetId: props.subnet.id,
      securityGroups: [this.securityGroup.id],
      // It forwards packets that are neither from nor to itself.
      sourceDestCheck: false,
      description: `${name}: the private subnets' default route`,
      tags: { Name: name },
    });
  }

  /**
   * Session Manager and Patch Manager (no SSH, no key pair), and SetInstanceHealth on its own group
   * only, by name: user data marks the instance unhealthy when a step fails (natUserData).
   */
  private addRolePolicies(name: string): IamRolePolicy {
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    new IamRolePolicyAttachment(this, 'ssm', {
      role: this.role.name,
      policyArn: managedPolicyArn(partition, 'AmazonSSMManagedInstanceCore'),
    });
    const region = new DataAwsRegion(this, 'region', {}).name;
    const account = new DataAwsCallerIdentity(this, 'account', {}).accountId;
    return new IamRolePolicy(this, 'report-health', {
      name: 'report-health',
      role: this.role.id,
      policy: policyDocument({
        Effect: 'Allow',
        Action: 'autoscaling:SetInstanceHealth',
        Resource: `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/${name}`,
      }),
    });
  }

  private addLaunchTemplate(name: string, props: NatInstanceProps): LaunchTemplate {
    const profile = new IamInstanceProfile(this, 'profile', { name, role: this.role.name });
    return new LaunchTemplate(this, 'launch-template', {
      namePrefix: `${name}-`,
      description: 'NAT instance: Amazon Linux 2023 arm64, IP forwarding and masquerade',
      imageId: props.amiId ?? this.latestAmi(),
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      // Basic 5-minute metrics are enough for a NAT; standard credits keep its price fixed (a dev
      // environment's egress stays far below the baseline CPU).
      monitoring: { enabled: false },
      creditSpecification: { cpuCredits: 'standard' },
      // The stack's interface as the primary one: it carries the route, the security group and the
      // address. It outlives every instance, so termination must not delete it.
      networkInterfaces: [{ deviceIndex: 0, networkInterfaceId: this.networkInterface.id, deleteOnTermination: 'false' }],
      blockDeviceMappings: [
        { deviceName: '/dev/xvda', ebs: { volumeSize: 8, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' } },
      ],
      userData: Fn.base64encode(Fn.rawString(natUserData(props.sourceCidrs))),
      updateDefaultVersion: true,
      // The interface is not created by the launch: it is the stack's, tagged by Terraform (default_tags too).
      tagSpecifications: LAUNCH_TAGGED_RESOURCES.filter((type) => type !== 'network-interface').map((resourceType) => ({
        resourceType,
        tags: { ...props.instanceTags, Name: name },
      })),
    });
  }

  /**
   * As for the container instances (ec2-capacity.ts): a data source, whose id is `insecure_value`
   * because `value` is marked sensitive and would hide it, so a new AMI shows in the plan as a new
   * launch template version, which the group's instance refresh rolls out.
   */
  private latestAmi(): string {
    return new DataAwsSsmParameter(this, 'ami', { name: NAT_AMI_PARAMETER }).insecureValue;
  }

  private addGroup(name: string, props: NatInstanceProps, healthPolicy: IamRolePolicy): AutoscalingGroup {
    return new AutoscalingGroup(this, 'asg', {
      name,
      // The interface's AZ, not its subnet: with an existing interface in the launch template the
      // group must name the AZ and no subnet, and EC2 rejects an interface next to a subnet
      // (https://docs.aws.amazon.com/autoscaling/ec2/userguide/create-launch-template.html).
      availabilityZones: [props.subnet.availabilityZone],
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
      launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.toString() },
      // EC2 status checks, plus the instance's own report when its user data fails.
      healthCheckType: 'EC2',
      // One interface, one instance: the old one must go before the new one can take it.
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 0 } },
      tag: [{ key: 'Name', value: name, propagateAtLaunch: true }],
      // The first instance may report itself only once its role may.
      dependsOn: [healthPolicy],
    });
  }

  private addSecurityGroup(name: string, props: NatInstanceProps): SecurityGroup {
    const sg = new SecurityGroup(this, 'sg', {
      name,
      description: 'NAT instance: HTTPS from the private subnets, out to the internet',
      vpcId: props.vpc.id,
      tags: { Name: name },
    });
    const port = { ipProtocol: 'tcp', fromPort: NAT_FORWARDED_PORT, toPort: NAT_FORWARDED_PORT };
    props.sourceCidrs.forEach((cidr, i) => {
      new VpcSecurityGroupIngressRule(this, `ingress-${i}`, {
        securityGroupId: sg.id,
        description: `HTTPS to forward, from private subnet ${cidr}`,
        cidrIpv4: cidr,
        ...port,
      });
    });
    // Forwarded traffic and the instance's own (package repositories, SSM) are HTTPS to public endpoints.
    new VpcSecurityGroupEgressRule(this, 'egress-https', {
      securityGroupId: sg.id,
      description: "HTTPS to the internet: forwarded, and the instance's own (packages, SSM)",
      cidrIpv4: '0.0.0.0/0',
      ...port,
    });
    return sg;
  }
}

/**
 * First boot: IP forwarding and a masquerade for the source CIDRs only, both written where they
 * load again at every boot (sysctl.d, the iptables service's saved rules); sshd off. Any failing
 * step reports the instance unhealthy to its group.
 */
export function natUserData(sourceCidrs: readonly string[]): string {
  return [
    '#!/bin/bash',
    'set -Eeuo pipefail',
    // A NAT that failed to set up still passes EC2 status checks: mark it unhealthy so the group
    // replaces it (the role may do this for its own group only).
    'report_unhealthy() {',
    "  TOKEN=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)",
    '  IMDS() { curl -sf -H "X-aws-ec2-metadata-token: $TOKEN" "http://169.254.169.254/latest/meta-data/$1"; }',
    '  aws autoscaling set-instance-health --region "$(IMDS placement/region)" --instance-id "$(IMDS instance-id)" --health-status Unhealthy --no-should-respect-grace-period',
    '}',
    'trap report_unhealthy ERR',
    'dnf install -y iptables-services',
    "echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf",
    'sysctl --system',
    // The primary interface's name (ens5 on Nitro) from the default route.
    "IFACE=$(ip -o route show default | awk '{print $5; exit}')",
    'cat > /etc/sysconfig/iptables <<EOF',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ...sourceCidrs.map((cidr) => `-A POSTROUTING -s ${cidr} -o $IFACE -j MASQUERADE`),
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ...sourceCidrs.map((cidr) => `-A FORWARD -s ${cidr} -o $IFACE -j ACCEPT`),
    'COMMIT',
    'EOF',
    'systemctl enable --now iptables',
    'systemctl disable --now sshd',
    '',
  ].join('\n');
}
