/**
 * The integration checks of the HTTPS pieces: the hosted zone the stack expects to find, and after
 * apply the certificate, its validation record, the alias, the HTTPS listener and the WAF.
 */
import { EnvironmentConfig } from '../src/environment/config';
import { TLS_POLICY } from '../src/edge/load-balancer';
import { MANAGED_RULE_GROUPS } from '../src/edge/web-acl';
import { Checks, expect, Json, StackOutputs } from './checks';

type Aws = (...args: string[]) => Json;

/** A domain by name expects the public zone to exist (in a real account, the user's); create it in the emulator. */
export function createHostedZone(aws: Aws, config: EnvironmentConfig): string | undefined {
  const name = config.domain?.zoneName;
  if (name === undefined) return undefined;
  const zone = aws(
    'route53',
    'create-hosted-zone',
    '--name',
    name,
    '--caller-reference',
    `integration-${config.name}-${Date.now()}`,
  ).HostedZone;
  return zone.Id.split('/').pop();
}

/** Deletes the zone created above; the stack's records must be gone by now (destroy), or Route 53 refuses. */
export function deleteHostedZone(aws: Aws, zoneId: string): void {
  aws('route53', 'delete-hosted-zone', '--id', zoneId);
}

/** Route 53 returns names with the trailing dot. */
const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`);

export function checkHttps(checks: Checks, aws: Aws, config: EnvironmentConfig, out: StackOutputs): void {
  const https = config.domain !== undefined || config.loadBalancer.certificateArn !== undefined;
  checks.run(`base URL is ${https ? 'https' : 'http'}${config.domain ? ` on ${config.domain.recordName}` : ''}`, () => {
    const expected = config.domain ? `https://${config.domain.recordName}` : `${https ? 'https' : 'http'}://`;
    expect(out.base_url.startsWith(expected), `base_url ${out.base_url}, expected ${expected}…`);
    return out.base_url;
  });
  if (https) checkListeners(checks, aws, out);
  if (config.domain) checkDomain(checks, aws, config, out);
  if (config.waf.enabled) checkWaf(checks, aws, config, out);
}

function checkListeners(checks: Checks, aws: Aws, out: StackOutputs): void {
  checks.run('HTTPS: port 443 with the TLS 1.3 policy and the certificate; port 80 answers a 301 to HTTPS', () => {
    const listeners: Json[] = aws('elbv2', 'describe-listeners', '--load-balancer-arn', out.load_balancer_arn).Listeners;
    const tls = listeners.find((l) => l.ListenerArn === out.https_listener_arn);
    expect(tls?.Port === 443 && tls.Protocol === 'HTTPS', `listener ${out.https_listener_arn}: ${JSON.stringify(tls)}`);
    expect(tls.SslPolicy === TLS_POLICY, `ssl policy ${tls.SslPolicy}, expected ${TLS_POLICY}`);
    const certificates = (tls.Certificates ?? []).map((c: Json) => c.CertificateArn);
    const expected = out.domain?.certificate_arn;
    if (expected) expect(certificates.includes(expected), `listener certificates ${certificates}, expected ${expected}`);
    const http = listeners.find((l) => l.Port === 80);
    const redirect = http?.DefaultActions?.[0]?.RedirectConfig;
    expect(
      redirect?.Protocol === 'HTTPS' && redirect.StatusCode === 'HTTP_301' && redirect.Port === '443',
      `port 80 default action ${JSON.stringify(http?.DefaultActions)}`,
    );
    return `${tls.SslPolicy}, ${certificates.length} certificate(s)`;
  });
}

function checkDomain(checks: Checks, aws: Aws, config: EnvironmentConfig, out: StackOutputs): void {
  const d = out.domain!;
  const records = (): Json[] => aws('route53', 'list-resource-record-sets', '--hosted-zone-id', d.zone_id).ResourceRecordSets;

  if (config.loadBalancer.certificateArn === undefined) {
    checks.run('certificate: ACM, DNS-validated, for the record name, issued', () => {
      const c = aws('acm', 'describe-certificate', '--certificate-arn', d.certificate_arn).Certificate;
      expect(c.DomainName === d.record_name, `certificate for ${c.DomainName}, expected ${d.record_name}`);
      const option = c.DomainValidationOptions?.find((o: Json) => o.DomainName === d.record_name);
      expect(option?.ValidationMethod === 'DNS', `validation ${JSON.stringify(option)}`);
      expect(c.Status === 'ISSUED', `status ${c.Status}`);
      return `${c.DomainName} ${c.Status}`;
    });
    checks.run('certificate: the validation CNAME ACM asked for is in the zone', () => {
      const c = aws('acm', 'describe-certificate', '--certificate-arn', d.certificate_arn).Certificate;
      const wanted = c.DomainValidationOptions.find((o: Json) => o.DomainName === d.record_name).ResourceRecord;
      expect(
        fqdn(d.validation_record_fqdn!) === fqdn(wanted.Name),
        `validation_record_fqdn ${d.validation_record_fqdn}, ACM wants ${wanted.Name}`,
      );
      const record = records().find((r) => r.Name === fqdn(wanted.Name) && r.Type === wanted.Type);
      expect(record, `no ${wanted.Type} ${wanted.Name} in zone ${d.zone_id}`);
      const values = record.ResourceRecords.map((r: Json) => r.Value);
      expect(same1(values, wanted.Value), `record values ${values}, expected ${wanted.Value}`);
      return `${record.Type} ${record.Name}`;
    });
  }

  checks.run('DNS: an A alias from the record name to the ALB', () => {
    const lb = aws('elbv2', 'describe-load-balancers', '--load-balancer-arns', out.load_balancer_arn).LoadBalancers[0];
    const alias = records().find((r) => r.Name === fqdn(d.record_name) && r.Type === 'A');
    expect(alias?.AliasTarget, `no A alias ${d.record_name} in zone ${d.zone_id}`);
    expect(
      fqdn(alias.AliasTarget.DNSName).toLowerCase() === fqdn(lb.DNSName).toLowerCase(),
      `alias to ${alias.AliasTarget.DNSName}, expected ${lb.DNSName}`,
    );
    expect(
      alias.AliasTarget.HostedZoneId === lb.CanonicalHostedZoneId,
      `alias zone ${alias.AliasTarget.HostedZoneId}, expected ${lb.CanonicalHostedZoneId}`,
    );
    expect(!records().some((r) => r.Name === fqdn(d.record_name) && r.Type === 'AAAA'), 'an AAAA record, but the ALB is IPv4 only');
    return `${alias.Name} -> ${alias.AliasTarget.DNSName}`;
  });
}

function checkWaf(checks: Checks, aws: Aws, config: EnvironmentConfig, out: StackOutputs): void {
  checks.run('WAF: the web ACL is associated with the ALB, with the rate limit and the managed rule groups', () => {
    const acl = aws('wafv2', 'get-web-acl-for-resource', '--resource-arn', out.load_balancer_arn).WebACL;
    expect(acl?.ARN === out.web_acl_arn, `web ACL of the ALB ${acl?.ARN}, expected ${out.web_acl_arn}`);
    const rate = acl.Rules.find((r: Json) => r.Statement.RateBasedStatement);
    expect(rate?.Statement.RateBasedStatement.Limit === config.waf.rateLimit, `rate-based rule ${JSON.stringify(rate?.Statement)}`);
    const groups = acl.Rules.map((r: Json) => r.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean);
    expect(
      MANAGED_RULE_GROUPS.every((g) => groups.includes(g)),
      `managed rule groups ${groups}`,
    );
    return `${acl.Name}: ${acl.Rules.length} rules`;
  });
  if (config.waf.logging) {
    checks.run('WAF: logs go to an aws-waf-logs- log group', () => {
      const logging = aws('wafv2', 'get-logging-configuration', '--resource-arn', out.web_acl_arn!).LoggingConfiguration;
      const [destination] = logging.LogDestinationConfigs;
      expect(/:log-group:aws-waf-logs-/.test(destination), `log destination ${destination}`);
      return destination.split(':log-group:')[1];
    });
  }
}

/** One value, ignoring a trailing dot. */
function same1(values: string[], wanted: string): boolean {
  return values.length === 1 && fqdn(values[0]) === fqdn(wanted);
}
