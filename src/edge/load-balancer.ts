import { Construct } from 'constructs';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { AccessLogBucket } from './access-log-bucket';
import { environmentNames } from '../shared/names';

/** Host ports Docker hands out for `hostPort: 0` mappings (bridge mode), which the ALB must reach. */
export const EPHEMERAL_PORTS = { from: 32768, to: 65535 } as const;

/** TLS 1.3 with TLS 1.2 fallback: the ELB policy AWS recommends for new listeners. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** The listener's answer to a request no route matches: the JSON 404 the host-name app gives too. */
export const NOT_FOUND_ACTION = {
  type: 'fixed-response',
  fixedResponse: { contentType: 'application/json', statusCode: '404', messageBody: '{"status":404,"error":"Not Found"}' },
} as const;

/**
 * A forward CodeDeploy moves between the two target groups of a blue/green route: Terraform sets it at
 * creation only, and destroys it before the second target group, which it may by then forward to
 * (the load balancer refuses to delete a target group a listener or rule uses).
 */
const CODE_DEPLOY_FORWARD = (block: 'action' | 'default_action', alternate: LbTargetGroup) => ({
  lifecycle: { ignoreChanges: [block] },
  dependsOn: [alternate],
});

/** Target group health check. */
export interface TargetHealthCheck {
  readonly path: string;
  readonly intervalSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** Where a service's requests come from on the shared listener. */
export interface RouteOptions {
  /** Target group name; AWS allows 32 characters (checked in config). */
  readonly targetGroupName: string;
  /** ALB path patterns; with host headers, at most 5 values. */
  readonly pathPatterns: readonly string[];
  readonly hostHeaders: readonly string[];
  /** Listener rule priority; ignored for the default route. */
  readonly priority?: number;
  /** The listener's default action forwards here instead of a rule. At most one route. */
  readonly default: boolean;
  readonly healthCheck: TargetHealthCheck;
  readonly deregistrationDelaySeconds: number;
  /**
   * IP targets (awsvpc tasks, Fargate's) on the container's own port, instead of instance targets on
   * dynamic host ports. @default instance targets
   */
  readonly ipTargets?: { readonly port: number };
  /** A blue/green route: a second target group, and optionally a test listener. Not for the default route. @default none */
  readonly blueGreen?: BlueGreenRouteOptions;
}

/** What CodeDeploy needs on the ALB beside a route's target group and rule. */
export interface BlueGreenRouteOptions {
  /** The second target group's name; AWS allows 32 characters (checked in config). */
  readonly alternateTargetGroupName: string;
  /** A listener of its own on `port`, reachable from `cidrs` only, forwarding to the serving target group. @default none */
  readonly testListener?: { readonly port: number; readonly cidrs: readonly string[] };
}

/** A blue/green route's parts: CodeDeploy moves the rule (and the test listener) between the two target groups. */
export interface BlueGreenRoute {
  readonly alternateTargetGroup: LbTargetGroup;
  /** `app/<name>/<id>`: the ALB's arn_suffix, a dimension of both target groups' metrics. */
  readonly loadBalancerArnSuffix: string;
  /** The listener whose rule CodeDeploy moves (its production traffic route). */
  readonly productionListener: LbListener;
  readonly testListener?: LbListener;
}

/** A service's way in: what the ECS service attaches to and what request-count scaling measures. */
export interface ServiceRoute {
  readonly targetGroup: LbTargetGroup;
  /** Undefined for the default route (the listener's default action forwards instead). */
  readonly listenerRule?: LbListenerRule;
  /** `<alb arn_suffix>/<target group arn_suffix>`: the ALBRequestCountPerTarget resource label. */
  readonly resourceLabel: string;
  /** The ALB's listeners: a service must not start before they forward. */
  readonly listeners: readonly LbListener[];
  /** `http(s)://<host name or alb dns name>`. */
  readonly baseUrl: string;
  /** Set for a blue/green route. */
  readonly blueGreen?: BlueGreenRoute;
}

export interface PublicLoadBalancerProps {
  /** Names are `<namePrefix>-alb`; at most 28 characters. */
  readonly namePrefix: string;
  readonly vpc: Vpc;
  /** Public subnets, one per AZ. */
  readonly subnets: readonly Subnet[];
  /** With a certificate: HTTPS on 443, and HTTP on 80 redirects to it. @default HTTP only */
  readonly certificateArn?: string;
  readonly ingressCidrs: readonly string[];
  readonly idleTimeoutSeconds: number;
  readonly deletionProtection: boolean;
  /** Days to keep access logs; unset means no access logs. @default no access logs */
  readonly accessLogExpirationDays?: number;
  /** Path patterns answered with the JSON 404 (a rule at `blockedPathsPriority`); empty for none. */
  readonly blockedPaths: readonly string[];
  /** Listener priority of the blocked-paths rule; lower than every route's. */
  readonly blockedPathsPriority: number;
  /** The name clients use, in the services' URLs. @default the ALB's DNS name */
  readonly hostName?: string;
}

/**
 * An internet-facing ALB in the public subnets, its security group and listeners. Requests go to
 * the routes added with `addRoute`; anything else gets a JSON 404 unless a route is the default.
 */
export class PublicLoadBalancer extends Construct {
  public readonly loadBalancer: Lb;
  public readonly securityGroup: SecurityGroup;
  /** The listener that forwards to the services (HTTPS when a certificate is set); rules go here. */
  public readonly listener: LbListener;
  /** Every listener; the service depends on all of them. */
  public readonly listeners: readonly LbListener[];
  /** Set when access logs are on. */
  public readonly accessLogs?: AccessLogBucket;
  /** `https` with a certificate, else `http`. */
  public readonly scheme: 'http' | 'https';
  /** The JSON 404 for `blockedPaths`; undefined when there are none. */
  public readonly blockedPathsRule?: LbListenerRule;
  /** `http(s)://<host name or ALB DNS name>`: where clients reach the services. */
  public readonly baseUrl: string;
  private defaultRoute?: string;
  private readonly vpcId: string;
  private readonly certificateArn?: string;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    this.vpcId = props.vpc.id;
    this.certificateArn = props.certificateArn;
    this.scheme = props.certificateArn ? 'https' : 'http';
    this.securityGroup = this.createSecurityGroup(props);
    if (props.accessLogExpirationDays !== undefined) {
      this.accessLogs = new AccessLogBucket(this, 'access-logs', {
        namePrefix: environmentNames(props.namePrefix).accessLogBucketPrefix,
        expirationDays: props.accessLogExpirationDays,
      });
    }
    this.loadBalancer = this.createLoadBalancer(props);
    this.baseUrl = `${this.scheme}://${props.hostName ?? this.loadBalancer.dnsName}`;
    this.listeners = this.createListeners(props.certificateArn);
    this.listener = this.listeners[0];
    if (props.blockedPaths.length > 0) this.blockedPathsRule = this.createBlockedPathsRule(props);
  }

  /** Listener ports in from `ingressCidrs`; the way out to the instances is added by allowTrafficTo. */
  private createSecurityGroup(props: PublicLoadBalancerProps): SecurityGroup {
    const sg = new SecurityGroup(this, 'sg', {
      name: environmentNames(props.namePrefix).loadBalancer,
      description: 'Public ALB: listener ports in, instance host ports out',
      vpcId: props.vpc.id,
      tags: { Name: environmentNames(props.namePrefix).loadBalancer },
    });
    const listenerPorts = props.certificateArn ? [80, 443] : [80];
    props.ingressCidrs.forEach((cidr, i) => {
      for (const port of listenerPorts) {
        new VpcSecurityGroupIngressRule(this, `ingress-${port}-${i}`, {
          securityGroupId: sg.id,
          description: `Listener port ${port} from ${cidr}`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      }
    });
    return sg;
  }

  private createLoadBalancer(props: PublicLoadBalancerProps): Lb {
    return new Lb(this, 'alb', {
      name: environmentNames(props.namePrefix).loadBalancer,
      internal: false,
      loadBalancerType: 'application',
      securityGroups: [this.securityGroup.id],
      subnets: props.subnets.map((s) => s.id),
      dropInvalidHeaderFields: true,
      idleTimeout: props.idleTimeoutSeconds,
      enableDeletionProtection: props.deletionProtection,
      accessLogs: this.accessLogs ? { bucket: this.accessLogs.bucket.bucket, enabled: true, prefix: 'alb' } : undefined,
      dependsOn: this.accessLogs ? [this.accessLogs.policy] : undefined,
      tags: { Name: environmentNames(props.namePrefix).loadBalancer },
    });
  }

  /** The forwarding listener first: HTTPS with a certificate (and HTTP redirecting to it), else HTTP alone. */
  private createListeners(certificateArn: string | undefined): LbListener[] {
    if (!certificateArn) {
      return [
        new LbListener(this, 'http', {
          loadBalancerArn: this.loadBalancer.arn,
          port: 80,
          protocol: 'HTTP',
          defaultAction: [NOT_FOUND_ACTION],
        }),
      ];
    }
    const https = new LbListener(this, 'https', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: TLS_POLICY,
      certificateArn,
      defaultAction: [NOT_FOUND_ACTION],
    });
    const redirect = new LbListener(this, 'http', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
    return [https, redirect];
  }

  /** ALB health checks go to the targets directly, not through a listener, so they still work. */
  private createBlockedPathsRule(props: PublicLoadBalancerProps): LbListenerRule {
    return new LbListenerRule(this, 'blocked-paths', {
      listenerArn: this.listener.arn,
      priority: props.blockedPathsPriority,
      action: [NOT_FOUND_ACTION],
      condition: [{ pathPattern: { values: [...props.blockedPaths] } }],
      tags: { Name: environmentNames(props.namePrefix).blockedPathsRule },
    });
  }

  /**
   * A target group for one service (instance targets on dynamic host ports), and either a rule on
   * the forwarding listener or, for the default route, the listener's default action. A blue/green
   * route adds a second target group and maybe a test listener, and leaves the forward to CodeDeploy.
   */
  public addRoute(name: string, options: RouteOptions): ServiceRoute {
    const scope = new Construct(this, `route-${name}`);
    const targetGroup = this.targetGroup(scope, 'tg', options.targetGroupName, options);
    const bg = options.blueGreen;
    const alternate = bg && this.targetGroup(scope, 'alternate-tg', bg.alternateTargetGroupName, options);
    const forward = [{ type: 'forward', targetGroupArn: targetGroup.arn }];
    let listenerRule: LbListenerRule | undefined;
    if (options.default) {
      if (bg) throw new Error(`${name}: a blue/green route needs a listener rule, not the default action`);
      if (this.defaultRoute) throw new Error(`${name}: the default route is already ${this.defaultRoute}`);
      this.defaultRoute = name;
      this.listener.putDefaultAction(forward);
    } else {
      listenerRule = new LbListenerRule(scope, 'rule', {
        listenerArn: this.listener.arn,
        priority: options.priority,
        action: forward,
        condition: [
          ...(options.pathPatterns.length > 0 ? [{ pathPattern: { values: [...options.pathPatterns] } }] : []),
          ...(options.hostHeaders.length > 0 ? [{ hostHeader: { values: [...options.hostHeaders] } }] : []),
        ],
        tags: { Name: options.targetGroupName },
        ...(alternate ? CODE_DEPLOY_FORWARD('action', alternate) : {}),
      });
    }
    return {
      targetGroup,
      listenerRule,
      resourceLabel: `${this.loadBalancer.arnSuffix}/${targetGroup.arnSuffix}`,
      listeners: this.listeners,
      baseUrl: this.baseUrl,
      ...(bg && alternate ? { blueGreen: this.blueGreenRoute(scope, bg, targetGroup, alternate) } : {}),
    };
  }

  /** The test listener, with the ingress that lets the test CIDRs reach it. */
  private blueGreenRoute(
    scope: Construct,
    bg: BlueGreenRouteOptions,
    serving: LbTargetGroup,
    alternateTargetGroup: LbTargetGroup,
  ): BlueGreenRoute {
    const route = { alternateTargetGroup, loadBalancerArnSuffix: this.loadBalancer.arnSuffix, productionListener: this.listener };
    if (!bg.testListener) return route;
    const { port, cidrs } = bg.testListener;
    const testListener = new LbListener(scope, 'test-listener', {
      loadBalancerArn: this.loadBalancer.arn,
      port,
      // The production listener's protocol and certificate: test traffic is encrypted where production is.
      ...(this.certificateArn ? { protocol: 'HTTPS', sslPolicy: TLS_POLICY, certificateArn: this.certificateArn } : { protocol: 'HTTP' }),
      defaultAction: [{ type: 'forward', targetGroupArn: serving.arn }],
      ...CODE_DEPLOY_FORWARD('default_action', alternateTargetGroup),
    });
    cidrs.forEach(
      (cidr, i) =>
        new VpcSecurityGroupIngressRule(scope, `test-ingress-${i}`, {
          securityGroupId: this.securityGroup.id,
          description: `Test listener port ${port} from ${cidr}`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        }),
    );
    return { ...route, testListener };
  }

  private targetGroup(scope: Construct, id: string, name: string, options: RouteOptions): LbTargetGroup {
    const hc = options.healthCheck;
    return new LbTargetGroup(scope, id, {
      name,
      // Instance targets with dynamic host ports: each task registers with its own port. IP targets:
      // each task's own address and the container port (awsvpc).
      ...(options.ipTargets ? { targetType: 'ip', port: options.ipTargets.port } : { targetType: 'instance', port: 80 }),
      protocol: 'HTTP',
      vpcId: this.vpcId,
      deregistrationDelay: String(options.deregistrationDelaySeconds),
      healthCheck: {
        enabled: true,
        path: hc.path,
        protocol: 'HTTP',
        port: 'traffic-port',
        matcher: '200',
        interval: hc.intervalSeconds,
        timeout: 5,
        healthyThreshold: hc.healthyThreshold,
        unhealthyThreshold: hc.unhealthyThreshold,
      },
      tags: { Name: name },
      // A renamed target group is replaced: the new one must exist before the listener and the
      // service let go of the old one, or AWS refuses to delete it (ResourceInUse).
      lifecycle: { createBeforeDestroy: true },
    });
  }

  /**
   * Lets the ALB reach the awsvpc tasks of one service (`name`) in `tasks` on their container port, and
   * nothing else: the tasks' group admits the ALB's group alone.
   */
  public allowTrafficToTasks(name: string, tasks: SecurityGroup, port: number): void {
    const rule = { ipProtocol: 'tcp', fromPort: port, toPort: port };
    new VpcSecurityGroupEgressRule(this, `egress-to-${name}-tasks`, {
      ...rule,
      securityGroupId: this.securityGroup.id,
      referencedSecurityGroupId: tasks.id,
      description: `To the ${name} tasks on their container port`,
    });
    new VpcSecurityGroupIngressRule(this, `ingress-to-${name}-tasks`, {
      ...rule,
      securityGroupId: tasks.id,
      referencedSecurityGroupId: this.securityGroup.id,
      description: 'From the public ALB on the container port',
    });
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
