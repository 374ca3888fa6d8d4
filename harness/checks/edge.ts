/** Edge checks: the load balancer, its default action, its access logs. HTTPS, DNS and WAF: harness/https-checks.ts. */
import { expect, Json, same } from '../checks';
import { Deployment, ids } from './deployment';

export function checkLoadBalancer(d: Deployment): void {
  const { checks, config, out } = d;
  checks.run('load balancer: internet-facing in the public subnets; unrouted requests get the JSON 404 or the default service', () => {
    const lb = d.loadBalancer();
    expect(lb.Scheme === 'internet-facing', `scheme ${lb.Scheme}`);
    const lbSubnets = lb.AvailabilityZones.map((z: Json) => z.SubnetId);
    expect(same(lbSubnets, ids(d.subnets().publics)), `ALB subnets ${lbSubnets}, expected the public subnets`);
    const action = d.listener().DefaultActions[0];
    const byDefault = config.services.find((s) => s.routing.default);
    if (byDefault) {
      const tg = out.services[byDefault.name].target_group_arn;
      expect(
        action.Type === 'forward' && action.TargetGroupArn === tg,
        `default action ${JSON.stringify(action)}, expected forward to ${tg}`,
      );
      return `port ${d.listener().Port}: default -> ${byDefault.name}`;
    }
    const fixed = action.FixedResponseConfig ?? {};
    expect(
      action.Type === 'fixed-response' && fixed.StatusCode === '404' && fixed.ContentType === 'application/json',
      `default action ${JSON.stringify(action)}`,
    );
    return `port ${d.listener().Port}: default -> JSON 404`;
  });
}

export function checkAccessLogs(d: Deployment): void {
  const { checks, aws, out } = d;
  checks.run('load balancer: access logs go to a private bucket that grants ELB delivery', () => {
    const attributes: Json[] = aws('elbv2', 'describe-load-balancer-attributes', '--load-balancer-arn', out.load_balancer_arn).Attributes;
    const attribute = (key: string) => attributes.find((a) => a.Key === key)?.Value;
    expect(attribute('access_logs.s3.enabled') === 'true', 'access logs are not enabled');
    const bucket = attribute('access_logs.s3.bucket');
    expect(bucket, 'no access log bucket');
    const block = aws('s3api', 'get-public-access-block', '--bucket', bucket).PublicAccessBlockConfiguration;
    expect(
      Object.values(block).every((v) => v === true),
      `public access block ${JSON.stringify(block)}`,
    );
    const policy = JSON.parse(aws('s3api', 'get-bucket-policy', '--bucket', bucket).Policy);
    const writers = policy.Statement.filter((st: Json) => st.Effect === 'Allow' && st.Action === 's3:PutObject');
    expect(writers.length === 2, `bucket policy grants PutObject in ${writers.length} statements, expected 2`);
    return bucket;
  });
}
