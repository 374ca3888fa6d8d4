import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { Wafv2WebAcl, Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { environmentNames, wafRuleMetricName } from '../shared/names';

/** AWS managed rule groups, in evaluation order (after the rate limit): reputation first, it is the cheapest. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

export { WAF_LOG_GROUP_PREFIX } from '../shared/names';

export interface WebAclProps {
  /** Web ACL `<namePrefix>`, log group `aws-waf-logs-<namePrefix>`. */
  readonly namePrefix: string;
  readonly loadBalancer: Lb;
  /** Requests per 5 minutes one client IP may send before its requests are blocked. */
  readonly rateLimit: number;
  /** Days to keep WAF logs; unset means no logging. @default no logging */
  readonly logRetentionDays?: number;
}

/**
 * A regional AWS WAF web ACL on the ALB: a per-IP rate limit, then the IP reputation list, the
 * common rule set and known bad inputs; everything else is allowed. ALB health checks go from the
 * load balancer to the targets directly and never pass through it.
 */
export class WebAcl extends Construct {
  public readonly webAcl: Wafv2WebAcl;
  public readonly association: Wafv2WebAclAssociation;
  /** Set when logging is on. */
  public readonly logGroup?: CloudwatchLogGroup;
  public readonly loggingConfiguration?: Wafv2WebAclLoggingConfiguration;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const { namePrefix } = props;
    this.webAcl = new Wafv2WebAcl(this, 'web-acl', {
      name: environmentNames(namePrefix).webAcl,
      description: `Rate limit and AWS managed rules in front of ${environmentNames(namePrefix).loadBalancer}`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: [rateLimitRule(namePrefix, props.rateLimit), ...MANAGED_RULE_GROUPS.map((group, i) => managedRule(namePrefix, group, i + 1))],
      visibilityConfig: visibility(namePrefix),
      tags: { Name: namePrefix },
    });
    this.association = new Wafv2WebAclAssociation(this, 'association', {
      resourceArn: props.loadBalancer.arn,
      webAclArn: this.webAcl.arn,
    });
    if (props.logRetentionDays !== undefined) {
      this.logGroup = new CloudwatchLogGroup(this, 'logs', {
        name: environmentNames(namePrefix).wafLogGroup,
        retentionInDays: props.logRetentionDays,
      });
      this.loggingConfiguration = new Wafv2WebAclLoggingConfiguration(this, 'logging', {
        resourceArn: this.webAcl.arn,
        logDestinationConfigs: [this.logGroup.arn],
        // Cookies and credentials stay out of the logs.
        redactedFields: [{ singleHeader: { name: 'authorization' } }, { singleHeader: { name: 'cookie' } }],
      });
    }
  }
}

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

function rateLimitRule(namePrefix: string, limit: number): Wafv2WebAclRule {
  return {
    name: 'rate-limit-per-ip',
    priority: 0,
    action: { block: {} },
    statement: { rate_based_statement: { limit, aggregate_key_type: 'IP' } },
    visibilityConfig: visibility(environmentNames(namePrefix).wafRateLimitMetric),
  };
}

function managedRule(namePrefix: string, group: string, priority: number): Wafv2WebAclRule {
  return {
    name: group,
    priority,
    // The group's own actions (block) apply.
    overrideAction: { none: {} },
    statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
    visibilityConfig: visibility(wafRuleMetricName(namePrefix, group)),
  };
}
