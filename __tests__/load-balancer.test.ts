import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { PublicLoadBalancerProps, TLS_POLICY } from '../constructs/load-balancer';
import { TEST_CERT, testCapacity, testLoadBalancer, testNetwork } from './support/fixtures';
import { onlyResource, resourcesOf, synthJson } from './support/synth';

function synthLb(props: Partial<PublicLoadBalancerProps> = {}) {
  return synthJson((scope) => {
    const network = testNetwork(scope);
    const lb = testLoadBalancer(scope, network, props);
    lb.allowTrafficTo(testCapacity(scope, network).securityGroup, 'instances');
  });
}

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

  test('HTTP listener forwards to the target group', () => {
    expect(text).toHaveResourceWithProperties(LbListener, {
      port: 80,
      protocol: 'HTTP',
      default_action: [{ type: 'forward', target_group_arn: expect.stringContaining('aws_lb_target_group.lb_tg_') }],
    });
    expect(Object.keys(resourcesOf(json, 'aws_lb_listener'))).toHaveLength(1);
  });

  test('target group: instance targets, readiness health check, short deregistration delay', () => {
    expect(text).toHaveResourceWithProperties(LbTargetGroup, {
      name: 'hn-test-tg',
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
    });
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

  test('HTTPS listener with a TLS 1.3 policy forwards to the target group', () => {
    expect(TLS_POLICY).toMatch(/TLS13/);
    expect(text).toHaveResourceWithProperties(LbListener, {
      port: 443,
      protocol: 'HTTPS',
      ssl_policy: TLS_POLICY,
      certificate_arn: TEST_CERT,
      default_action: [{ type: 'forward', target_group_arn: expect.stringContaining('aws_lb_target_group.lb_tg_') }],
    });
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

describe('PublicLoadBalancer settings', () => {
  test('idle timeout, deletion protection and health check are configurable', () => {
    const { text } = synthLb({
      idleTimeoutSeconds: 120,
      deletionProtection: true,
      deregistrationDelaySeconds: 10,
      healthCheck: { path: '/ready', intervalSeconds: 30, healthyThreshold: 3, unhealthyThreshold: 5 },
    });
    expect(text).toHaveResourceWithProperties(Lb, { idle_timeout: 120, enable_deletion_protection: true });
    expect(text).toHaveResourceWithProperties(LbTargetGroup, {
      deregistration_delay: '10',
      health_check: expect.objectContaining({ path: '/ready', interval: 30, healthy_threshold: 3, unhealthy_threshold: 5 }),
    });
  });

  test('access logs: a private, encrypted bucket with expiry and a delivery policy', () => {
    const { text, json } = synthLb({ accessLogExpirationDays: 30 });
    const alb = onlyResource(json, 'aws_lb');
    expect(alb.access_logs).toEqual({ bucket: expect.stringContaining('aws_s3_bucket.lb_access-logs_bucket_'), enabled: true, prefix: 'alb' });
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
