import { MANAGED_RULE_GROUPS, WAF_LOG_GROUP_PREFIX, WebAcl, WebAclProps } from '../src/edge/web-acl';
import { testLoadBalancer, testNetwork } from './support/fixtures';
import { onlyResource, resourcesOf, synthJson } from './support/synth';

function synthWaf(props: Partial<WebAclProps> = {}) {
  return synthJson((scope) => {
    const lb = testLoadBalancer(scope, testNetwork(scope));
    new WebAcl(scope, 'waf', { namePrefix: 'hn-test', loadBalancer: lb.loadBalancer, rateLimit: 500, ...props });
  }).json;
}

describe('WebAcl', () => {
  const json = synthWaf();
  const acl = onlyResource(json, 'aws_wafv2_web_acl');

  test('a regional web ACL that allows what no rule blocks', () => {
    expect(acl).toMatchObject({ name: 'hn-test', scope: 'REGIONAL', default_action: { allow: {} } });
    expect(acl.visibility_config).toEqual({ cloudwatch_metrics_enabled: true, metric_name: 'hn-test', sampled_requests_enabled: true });
  });

  test('first a per-IP rate limit that blocks, then the three AWS managed rule groups with their own actions', () => {
    expect(acl.rule.map((r: any) => [r.priority, r.name])).toEqual([
      [0, 'rate-limit-per-ip'],
      [1, 'AWSManagedRulesAmazonIpReputationList'],
      [2, 'AWSManagedRulesCommonRuleSet'],
      [3, 'AWSManagedRulesKnownBadInputsRuleSet'],
    ]);
    expect(acl.rule[0]).toMatchObject({
      action: { block: {} },
      statement: { rate_based_statement: { limit: 500, aggregate_key_type: 'IP' } },
    });
    for (const [i, group] of MANAGED_RULE_GROUPS.entries()) {
      expect(acl.rule[i + 1]).toMatchObject({
        override_action: { none: {} },
        statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
      });
    }
    const metrics = acl.rule.map((r: any) => r.visibility_config.metric_name);
    expect(new Set(metrics).size).toBe(metrics.length);
  });

  test('associated with the ALB', () => {
    const alb = Object.keys(resourcesOf(json, 'aws_lb'))[0];
    const aclId = Object.keys(resourcesOf(json, 'aws_wafv2_web_acl'))[0];
    expect(onlyResource(json, 'aws_wafv2_web_acl_association')).toMatchObject({
      resource_arn: `\${aws_lb.${alb}.arn}`,
      web_acl_arn: `\${aws_wafv2_web_acl.${aclId}.arn}`,
    });
  });

  test('no logging unless asked', () => {
    expect(resourcesOf(json, 'aws_wafv2_web_acl_logging_configuration')).toEqual({});
    expect(resourcesOf(json, 'aws_cloudwatch_log_group')).toEqual({});
  });
});

describe('WebAcl with logging', () => {
  const json = synthWaf({ logRetentionDays: 30 });

  test('to a log group whose name WAF accepts, with its retention', () => {
    const group = onlyResource(json, 'aws_cloudwatch_log_group');
    expect(group).toMatchObject({ name: `${WAF_LOG_GROUP_PREFIX}hn-test`, retention_in_days: 30 });
    expect(group.name.startsWith('aws-waf-logs-')).toBe(true);
  });

  test('authorization and cookie headers redacted', () => {
    const groupId = Object.keys(resourcesOf(json, 'aws_cloudwatch_log_group'))[0];
    expect(onlyResource(json, 'aws_wafv2_web_acl_logging_configuration')).toMatchObject({
      log_destination_configs: [`\${aws_cloudwatch_log_group.${groupId}.arn}`],
      redacted_fields: [{ single_header: { name: 'authorization' } }, { single_header: { name: 'cookie' } }],
    });
  });
});
