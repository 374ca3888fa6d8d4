import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { TerraformOutput } from 'cdktf';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { PublicLoadBalancerProps, RouteOptions, TLS_POLICY } from '../src/edge/load-balancer';
import { TEST_CERT, TEST_ROUTE, testCapacity, testLoadBalancer, testNetwork } from './support/fixtures';
import { onlyResource, resourcesOf, synthJson } from './support/synth';

function synthLb(props: Partial<PublicLoadBalancerProps> = {}, routes: Partial<RouteOptions>[] = []) {
  return synthJson((scope) => {
    const network = testNetwork(scope);
    const lb = testLoadBalancer(scope, network, props);
    lb.allowTrafficTo(testCapacity(scope, network).securityGroup, 'instances');
    routes.forEach((r, i) => lb.addRoute(`svc${i}`, { ...TEST_ROUTE, ...r }));
  });
}

const NOT_FOUND = {
  type: 'fixed-response',
  fixed_response: { content_type: 'application/json', status_code: '404', message_body: '{"status":404,"error":"Not Found"}' },
};

const ingressRules = (json: any) => Object.values(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'));

describe('PublicLoadBalancer without a certificate', () => {
  const { text, json } = synthLb();

  test('an internet-facing ALB in the public subnets that drops invalid headers', () => {
    expect(text).toHaveResourceWithProperties(Lb, {
      name: 'hn-test-alb',
      internal: false,
      load_balancer_type: 'application',
      drop_invalid_header_fields: true,
      idle_timeout: 60,
      enable_deletion_protection: false,
    });
    const alb = onlyResource(json, 'aws_lb');
    expect(alb.subnets).toEqual([
      expect.stringContaining('aws_subnet.network_public-us-east-1a_'),
      expect.stringContaining('aws_subnet.network_public-us-east-1b_'),
    ]);
    expect(alb.access_logs).toBeUndefined();
  });

  test('without routes, the HTTP listener answers a JSON 404, and there is no target group', () => {
    expect(text).toHaveResourceWithProperties(LbListener, { port: 80, protocol: 'HTTP', default_action: [NOT_FOUND] });
    expect(Object.keys(resourcesOf(json, 'aws_lb_listener'))).toHaveLength(1);
    expect(resourcesOf(json, 'aws_lb_target_group')).toEqual({});
  });

  test('ingress: port 80 only, from anywhere by default', () => {
    const rules = ingressRules(json).filter((r) => r.cidr_ipv4);
    expect(rules).toEqual([
      expect.objectContaining({ from_port: 80, to_port: 80, ip_protocol: 'tcp', cidr_ipv4: '0.0.0.0/0', description: expect.any(String) }),
    ]);
  });

  test('egress: only to the instance security group, on the ephemeral port range', () => {
    expect(text).toHaveResourceWithProperties(VpcSecurityGroupEgressRule, {
      security_group_id: expect.stringContaining('aws_security_group.lb_sg_'),
      referenced_security_group_id: expect.stringContaining('aws_security_group.capacity_sg_'),
      from_port: 32768,
      to_port: 65535,
      ip_protocol: 'tcp',
    });
    const albEgress = Object.values(resourcesOf(json, 'aws_vpc_security_group_egress_rule')).filter((r) =>
      r.security_group_id.includes('lb_sg_'),
    );
    expect(albEgress).toHaveLength(1);
  });

  test('the instances accept traffic only from the ALB security group', () => {
    const toInstances = ingressRules(json).filter((r) => r.security_group_id.includes('capacity_sg_'));
    expect(toInstances).toEqual([
      expect.objectContaining({
        referenced_security_group_id: expect.stringContaining('aws_security_group.lb_sg_'),
        from_port: 32768,
        to_port: 65535,
      }),
    ]);
    expect(toInstances[0].cidr_ipv4).toBeUndefined();
  });

  test('no security group rule opens 0.0.0.0/0 except the ALB listener ports', () => {
    for (const rule of ingressRules(json)) {
      if (rule.cidr_ipv4 === '0.0.0.0/0') {
        expect(rule.security_group_id).toContain('aws_security_group.lb_sg_');
        expect([80, 443]).toContain(rule.from_port);
        expect(rule.to_port).toBe(rule.from_port);
      }
    }
  });
});

describe('PublicLoadBalancer with a certificate', () => {
  const { text, json } = synthLb({ certificateArn: TEST_CERT, ingressCidrs: ['203.0.113.0/24'] });

  test('HTTPS listener with a TLS 1.3 policy answers unrouted requests with the JSON 404', () => {
    expect(TLS_POLICY).toMatch(/TLS13/);
    expect(text).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: TLS_POLICY,
      certificate_arn: TEST_CERT,
      default_action: [NOT_FOUND],
    });
  });

  test('route rules go on the HTTPS listener, the one that forwards', () => {
    const routed = synthLb({ certificateArn: TEST_CERT }, [{}]);
    const https = Object.entries(resourcesOf(routed.json, 'aws_lb_listener')).find(([, l]) => l.port === 443)![0];
    expect(onlyResource(routed.json, 'aws_lb_listener_rule').listener_arn).toBe(`\${aws_lb_listener.${https}.arn}`);
  });

  test('HTTP answers with a 301 to HTTPS', () => {
    expect(text).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: 'HTTP',
      default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
    });
  });

  test('ingress on 80 and 443 from the configured CIDRs only', () => {
    const rules = ingressRules(json).filter((r) => r.cidr_ipv4);
    expect(rules.map((r) => [r.from_port, r.cidr_ipv4]).sort()).toEqual([
      [443, '203.0.113.0/24'],
      [80, '203.0.113.0/24'],
    ]);
  });
});

describe('PublicLoadBalancer blocked paths', () => {
  test('a JSON 404 rule at the given priority on the forwarding listener, HTTP or HTTPS', () => {
    for (const [props, port] of [
      [{}, 80],
      [{ certificateArn: TEST_CERT }, 443],
    ] as const) {
      const { json } = synthLb({ ...props, blockedPaths: ['/actuator*', '/internal/*'], blockedPathsPriority: 7 }, [{}]);
      const listener = Object.entries(resourcesOf(json, 'aws_lb_listener')).find(([, l]) => l.port === port)![0];
      const blocked = Object.values(resourcesOf(json, 'aws_lb_listener_rule')).find((r) => r.action[0].type === 'fixed-response');
      expect(blocked).toMatchObject({
        listener_arn: `\${aws_lb_listener.${listener}.arn}`,
        priority: 7,
        action: [NOT_FOUND],
        condition: [{ path_pattern: { values: ['/actuator*', '/internal/*'] } }],
      });
    }
  });

  test('none when empty', () => {
    expect(resourcesOf(synthLb().json, 'aws_lb_listener_rule')).toEqual({});
  });
});

describe('PublicLoadBalancer.addRoute', () => {
  const { text, json } = synthLb({}, [{ pathPatterns: ['/api*', '/v2/api*'], hostHeaders: ['api.example.com'] }]);

  test('a target group: instance targets, the given health check and deregistration delay, created before the old one goes', () => {
    expect(text).toHaveResourceWithProperties(LbTargetGroup, {
      name: 'hn-test-api',
      target_type: 'instance',
      protocol: 'HTTP',
      deregistration_delay: '30',
      health_check: {
        enabled: true,
        path: '/actuator/health/readiness',
        matcher: '200',
        port: 'traffic-port',
        protocol: 'HTTP',
        interval: 15,
        timeout: 5,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
      },
      lifecycle: { create_before_destroy: true },
    });
  });

  test('a listener rule at the priority, forwarding on path patterns and host headers', () => {
    const tg = Object.keys(resourcesOf(json, 'aws_lb_target_group'))[0];
    expect(text).toHaveResourceWithProperties(LbListenerRule, {
      listener_arn: expect.stringMatching(/^\$\{aws_lb_listener\.lb_http_\w+\.arn\}$/),
      priority: 1200,
      action: [{ type: 'forward', target_group_arn: `\${aws_lb_target_group.${tg}.arn}` }],
      condition: [{ path_pattern: { values: ['/api*', '/v2/api*'] } }, { host_header: { values: ['api.example.com'] } }],
    });
  });

  test('the listener still answers everything else with the JSON 404', () => {
    expect(onlyResource(json, 'aws_lb_listener').default_action).toEqual([NOT_FOUND]);
  });

  test('returns the target group, the rule, the listeners and the request-count label `<alb>/<target group>` arn suffixes', () => {
    const { json: out } = synthJson((scope) => {
      const lb = testLoadBalancer(scope, testNetwork(scope));
      const route = lb.addRoute('api', TEST_ROUTE);
      expect(route.listeners).toEqual([lb.listener]);
      expect(route.listenerRule).toBeDefined();
      new TerraformOutput(scope, 'label', { value: route.resourceLabel });
      new TerraformOutput(scope, 'rule', { value: route.listenerRule!.arn });
      new TerraformOutput(scope, 'base', { value: route.baseUrl });
    });
    expect(out.output!.label.value).toMatch(
      /^\$\{aws_lb\.lb_alb_\w+\.arn_suffix\}\/\$\{aws_lb_target_group\.lb_route-api_tg_\w+\.arn_suffix\}$/,
    );
    expect(out.output!.rule.value).toMatch(/^\$\{aws_lb_listener_rule\.lb_route-api_rule_\w+\.arn\}$/);
    expect(out.output!.base.value).toMatch(/^http:\/\/\$\{aws_lb\.lb_alb_\w+\.dns_name\}$/);
  });

  test('the default route takes the listener default action instead of a rule; a second default is refused', () => {
    const { json: d } = synthLb({}, [{ default: true }]);
    const tg = Object.keys(resourcesOf(d, 'aws_lb_target_group'))[0];
    expect(onlyResource(d, 'aws_lb_listener').default_action).toEqual([
      { type: 'forward', target_group_arn: `\${aws_lb_target_group.${tg}.arn}` },
    ]);
    expect(resourcesOf(d, 'aws_lb_listener_rule')).toEqual({});
    expect(() => synthLb({}, [{ default: true }, { default: true }])).toThrow('svc1: the default route is already svc0');
  });
});

describe('PublicLoadBalancer.addRoute, blue/green', () => {
  const BG = { alternateTargetGroupName: 'hn-test-api-g', testListener: { port: 8443, cidrs: ['203.0.113.0/24', '198.51.100.0/24'] } };
  const tgId = (json: any, name: string) => Object.entries(resourcesOf(json, 'aws_lb_target_group')).find(([, t]) => t.name === name)![0];

  test('a second target group like the first; the rule forwards to the first, CodeDeploy owns the forward afterwards', () => {
    const { json } = synthLb({}, [{ blueGreen: BG }]);
    const [first, second] = Object.values(resourcesOf(json, 'aws_lb_target_group'));
    expect({ ...second, name: first.name, tags: first.tags, '//': first['//'] }).toEqual(first);
    const rule = onlyResource(json, 'aws_lb_listener_rule');
    expect(rule.action).toEqual([{ type: 'forward', target_group_arn: `\${aws_lb_target_group.${tgId(json, 'hn-test-api')}.arn}` }]);
    expect(rule.lifecycle).toEqual({ ignore_changes: ['action'] });
    // Destroyed before the second target group, which it may forward to by then.
    expect(rule.depends_on).toEqual([`aws_lb_target_group.${tgId(json, 'hn-test-api-g')}`]);
  });

  test("the test listener: its own port, the production listener's protocol and certificate, ingress from its CIDRs only", () => {
    const { json } = synthLb({ certificateArn: TEST_CERT }, [{ blueGreen: BG }]);
    const test = Object.values(resourcesOf(json, 'aws_lb_listener')).find((l: any) => l.port === 8443);
    expect(test).toMatchObject({
      protocol: 'HTTPS',
      ssl_policy: TLS_POLICY,
      certificate_arn: TEST_CERT,
      default_action: [{ type: 'forward', target_group_arn: `\${aws_lb_target_group.${tgId(json, 'hn-test-api')}.arn}` }],
      lifecycle: { ignore_changes: ['default_action'] },
      depends_on: [`aws_lb_target_group.${tgId(json, 'hn-test-api-g')}`],
    });
    const onPort = ingressRules(json).filter((r: any) => r.from_port === 8443);
    expect(onPort.map((r: any) => [r.to_port, r.cidr_ipv4])).toEqual([
      [8443, '203.0.113.0/24'],
      [8443, '198.51.100.0/24'],
    ]);
  });

  test('without a test listener: the second target group alone; on the default route: refused', () => {
    const { json } = synthLb({}, [{ blueGreen: { alternateTargetGroupName: 'hn-test-api-g' } }]);
    expect(Object.keys(resourcesOf(json, 'aws_lb_listener'))).toHaveLength(1);
    expect(Object.keys(resourcesOf(json, 'aws_lb_target_group'))).toHaveLength(2);
    expect(() => synthLb({}, [{ default: true, blueGreen: BG }])).toThrow(
      'svc0: a blue/green route needs a listener rule, not the default action',
    );
  });
});

describe('PublicLoadBalancer settings', () => {
  test('idle timeout and deletion protection are configurable', () => {
    const { text } = synthLb({ idleTimeoutSeconds: 120, deletionProtection: true });
    expect(text).toHaveResourceWithProperties(Lb, { idle_timeout: 120, enable_deletion_protection: true });
  });

  test('access logs: a private, encrypted bucket with expiry and a delivery policy', () => {
    const { text, json } = synthLb({ accessLogExpirationDays: 30 });
    const alb = onlyResource(json, 'aws_lb');
    expect(alb.access_logs).toEqual({
      bucket: expect.stringContaining('aws_s3_bucket.lb_access-logs_bucket_'),
      enabled: true,
      prefix: 'alb',
    });
    expect(alb.depends_on).toEqual([expect.stringContaining('aws_s3_bucket_policy.lb_access-logs_policy_')]);
    expect(text).toHaveResourceWithProperties(S3Bucket, { bucket_prefix: 'hn-test-alb-logs-' });
    expect(text).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(text).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(text).toHaveResourceWithProperties(S3BucketLifecycleConfiguration, {
      rule: [expect.objectContaining({ status: 'Enabled', expiration: [{ days: 30 }] })],
    });
    const policy = JSON.parse(onlyResource(json, 'aws_s3_bucket_policy').policy);
    const sids = policy.Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(['ElbAccountWrites', 'LogDeliveryWrites', 'DenyInsecureTransport']);
    expect(policy.Statement[2]).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });
});
