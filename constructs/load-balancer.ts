import { Construct } from 'constructs';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { AccessLogBucket } from './access-log-bucket';

/** Host ports Docker hands out for `hostPort: 0` mappings (bridge mode), which the ALB must reach. */
export const EPHEMERAL_PORTS = { from: 32768, to: 65535 } as const;

/** TLS 1.3 with TLS 1.2 fallback: the ELB policy AWS recommends for new listeners. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface HealthCheckOptions {
  /** @default '/actuator/health/readiness' */
  readonly path?: string;
  /** @default 15 */
  readonly intervalSeconds?: number;
  /** @default 2 */
  readonly healthyThreshold?: number;
  /** @default 3 */
  readonly unhealthyThreshold?: number;
}

export interface PublicLoadBalancerProps {
  /** Names are `<namePrefix>-alb` and `<namePrefix>-tg`; at most 28 characters. */
  readonly namePrefix: string;
  readonly vpc: Vpc;
  /** Public subnets, one per AZ. */
  readonly subnets: readonly Subnet[];
  /** With a certificate: HTTPS on 443, and HTTP on 80 redirects to it. @default HTTP only */
  readonly certificateArn?: string;
  /** @default ['0.0.0.0/0'] */
  readonly ingressCidrs?: readonly string[];
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
  /** @default false */
  readonly deletionProtection?: boolean;
  /** Days to keep access logs; unset means no access logs. @default no access logs */
  readonly accessLogExpirationDays?: number;
  readonly healthCheck?: HealthCheckOptions;
  /** @default 30 */
  readonly deregistrationDelaySeconds?: number;
}

/**
 * An internet-facing ALB in the public subnets, its security group, listeners and the target
 * group the service registers into.
 */
export class PublicLoadBalancer extends Construct {
  public readonly loadBalancer: Lb;
  public readonly securityGroup: SecurityGroup;
  public readonly targetGroup: LbTargetGroup;
  /** The listener that forwards to the target group (HTTPS when a certificate is set). */
  public readonly listener: LbListener;
  /** Every listener; the service depends on all of them. */
  public readonly listeners: readonly LbListener[];
  /** Set when access logs are on. */
  public readonly accessLogs?: AccessLogBucket;
  /** `https` with a certificate, else `http`. */
  public readonly scheme: 'http' | 'https';

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    const { namePrefix, certificateArn } = props;
    this.scheme = certificateArn ? 'https' : 'http';

    this.securityGroup = new SecurityGroup(this, 'sg', {
      name: `${namePrefix}-alb`,
      description: 'Public ALB: listener ports in, instance host ports out',
      vpcId: props.vpc.id,
      tags: { Name: `${namePrefix}-alb` },
    });
    const listenerPorts = certificateArn ? [80, 443] : [80];
    (props.ingressCidrs ?? ['0.0.0.0/0']).forEach((cidr, i) => {
      for (const port of listenerPorts) {
        new VpcSecurityGroupIngressRule(this, `ingress-${port}-${i}`, {
          securityGroupId: this.securityGroup.id,
          description: `Listener port ${port} from ${cidr}`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      }
    });

    if (props.accessLogExpirationDays !== undefined) {
      this.accessLogs = new AccessLogBucket(this, 'access-logs', {
        namePrefix: `${namePrefix}-alb-logs-`,
        expirationDays: props.accessLogExpirationDays,
      });
    }

    this.loadBalancer = new Lb(this, 'alb', {
      name: `${namePrefix}-alb`,
      internal: false,
      loadBalancerType: 'application',
      securityGroups: [this.securityGroup.id],
      subnets: props.subnets.map((s) => s.id),
      dropInvalidHeaderFields: true,
      idleTimeout: props.idleTimeoutSeconds ?? 60,
      enableDeletionProtection: props.deletionProtection ?? false,
      accessLogs: this.accessLogs
        ? { bucket: this.accessLogs.bucket.bucket, enabled: true, prefix: 'alb' }
        : undefined,
      dependsOn: this.accessLogs ? [this.accessLogs.policy] : undefined,
      tags: { Name: `${namePrefix}-alb` },
    });

    const hc = props.healthCheck ?? {};
    this.targetGroup = new LbTargetGroup(this, 'tg', {
      name: `${namePrefix}-tg`,
      // Instance targets with dynamic host ports: each task registers with its own port.
      targetType: 'instance',
      port: 80,
      protocol: 'HTTP',
      vpcId: props.vpc.id,
      deregistrationDelay: String(props.deregistrationDelaySeconds ?? 30),
      healthCheck: {
        enabled: true,
        path: hc.path ?? '/actuator/health/readiness',
        protocol: 'HTTP',
        port: 'traffic-port',
        matcher: '200',
        interval: hc.intervalSeconds ?? 15,
        timeout: 5,
        healthyThreshold: hc.healthyThreshold ?? 2,
        unhealthyThreshold: hc.unhealthyThreshold ?? 3,
      },
      tags: { Name: `${namePrefix}-tg` },
    });

    const forward = [{ type: 'forward', targetGroupArn: this.targetGroup.arn }];
    if (certificateArn) {
      this.listener = new LbListener(this, 'https', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: TLS_POLICY,
        certificateArn,
        defaultAction: forward,
      });
      const redirect = new LbListener(this, 'http', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [
          { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } },
        ],
      });
      this.listeners = [this.listener, redirect];
    } else {
      this.listener = new LbListener(this, 'http', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: forward,
      });
      this.listeners = [this.listener];
    }
  }

  /** Lets the ALB reach targets in `target` on the ephemeral host ports, and nothing else. */
  public allowTrafficTo(target: SecurityGroup, description: string): void {
    const ports = { ipProtocol: 'tcp', fromPort: EPHEMERAL_PORTS.from, toPort: EPHEMERAL_PORTS.to };
    new VpcSecurityGroupEgressRule(this, 'egress-to-targets', {
      ...ports,
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: target.id,
      description: `To ${description} on dynamic host ports`,
    });
    new VpcSecurityGroupIngressRule(this, 'ingress-from-alb', {
      ...ports,
      securityGroupId: target.id,
      referencedSecurityGroupId: this.securityGroup.id,
      description: 'From the public ALB on dynamic host ports',
    });
  }
}
