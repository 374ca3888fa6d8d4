import { Testing } from 'cdktf';
import { DomainCertificate, DomainCertificateProps } from '../src/edge/domain-certificate';
import { EnvironmentStack } from '../src/environment/environment-stack';
import { TEST_CERT, testConfig, testLoadBalancer, testNetwork } from './support/fixtures';
import { onlyResource, resourcesOf, synthJson } from './support/synth';

function synthDomain(props: Partial<DomainCertificateProps> = {}) {
  return synthJson((scope) => {
    const lb = testLoadBalancer(scope, testNetwork(scope));
    new DomainCertificate(scope, 'domain', { zone: { name: 'example.com' }, recordName: 'app.example.com', ...props }).aliasTo(
      lb.loadBalancer,
    );
  });
}

const ref = (type: string, json: any, attribute: string) => `\${${type}.${Object.keys(resourcesOf(json, type))[0]}.${attribute}}`;

describe('DomainCertificate with a zone by name', () => {
  const { json } = synthDomain();
  const records = Object.values(resourcesOf(json, 'aws_route53_record'));
  const validationRecord = records.find((r) => r.type !== 'A')!;
  const zoneId = `\${data.aws_route53_zone.${Object.keys(json.data!.aws_route53_zone)[0]}.zone_id}`;

  test('the public zone is looked up by name', () => {
    expect(Object.values(json.data!.aws_route53_zone)).toEqual([expect.objectContaining({ name: 'example.com', private_zone: false })]);
  });

  test('a DNS-validated certificate for the record name, replaced before it is destroyed', () => {
    expect(onlyResource(json, 'aws_acm_certificate')).toMatchObject({
      domain_name: 'app.example.com',
      validation_method: 'DNS',
      key_algorithm: 'RSA_2048',
      lifecycle: { create_before_destroy: true },
    });
    expect(onlyResource(json, 'aws_acm_certificate').subject_alternative_names).toBeUndefined();
  });

  test('one validation record, no for_each, that picks the CNAME for the record name out of the validation options', () => {
    expect(validationRecord.for_each).toBeUndefined();
    expect(validationRecord).toMatchObject({ zone_id: zoneId, ttl: 300, allow_overwrite: true });
    const options = ref('aws_acm_certificate', json, 'domain_validation_options').slice(2, -1);
    for (const [field, attribute] of [
      ['name', 'resource_record_name'],
      ['type', 'resource_record_type'],
    ]) {
      expect(validationRecord[field]).toContain(`tolist(${options})`);
      expect(validationRecord[field]).toMatch(
        new RegExp(`^\\$\\{one\\(\\[.*: val\\.${attribute} if val\\.domain_name == "app\\.example\\.com"\\]\\)\\}$`),
      );
    }
    expect(validationRecord.records).toEqual([
      expect.stringContaining('val.resource_record_value if val.domain_name == "app.example.com"'),
    ]);
  });

  test('the validation waits for that record', () => {
    expect(onlyResource(json, 'aws_acm_certificate_validation')).toEqual(
      expect.objectContaining({
        certificate_arn: ref('aws_acm_certificate', json, 'arn'),
        validation_record_fqdns: [
          `\${aws_route53_record.${Object.entries(resourcesOf(json, 'aws_route53_record')).find(([, r]) => r === validationRecord)![0]}.fqdn}`,
        ],
      }),
    );
  });

  test('an A alias to the ALB, evaluating target health; no AAAA (the ALB is IPv4 only)', () => {
    const aliases = records.filter((r) => r.alias);
    expect(aliases).toEqual([
      expect.objectContaining({
        zone_id: zoneId,
        name: 'app.example.com',
        type: 'A',
        alias: { name: ref('aws_lb', json, 'dns_name'), zone_id: ref('aws_lb', json, 'zone_id'), evaluate_target_health: true },
      }),
    ]);
  });
});

describe('DomainCertificate variants', () => {
  test('a zone by id: no lookup', () => {
    const { json } = synthDomain({ zone: { id: 'Z0123456789ABCDEFGHIJ' } });
    expect(json.data).toBeUndefined();
    for (const r of Object.values(resourcesOf(json, 'aws_route53_record'))) expect(r.zone_id).toBe('Z0123456789ABCDEFGHIJ');
  });

  test('a given certificate: only the alias', () => {
    const { json } = synthDomain({ certificateArn: TEST_CERT });
    expect(resourcesOf(json, 'aws_acm_certificate')).toEqual({});
    expect(resourcesOf(json, 'aws_acm_certificate_validation')).toEqual({});
    expect(onlyResource(json, 'aws_route53_record').type).toBe('A');
  });
});

describe('EnvironmentStack with a domain', () => {
  const synth = (settings: Parameters<typeof testConfig>[0]) =>
    JSON.parse(Testing.synth(new EnvironmentStack(Testing.app(), 'domain', { config: testConfig(settings) })));
  const domain = { zoneName: 'example.com', recordName: 'app.example.com' };

  test('the HTTPS listener waits for the validated certificate, with the TLS 1.3 policy; HTTP redirects with a 301', () => {
    const json = synth({ domain });
    const listeners = Object.values(resourcesOf(json, 'aws_lb_listener'));
    expect(listeners.find((l) => l.port === 443)).toMatchObject({
      protocol: 'HTTPS',
      ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      certificate_arn: ref('aws_acm_certificate_validation', json, 'certificate_arn'),
    });
    expect(listeners.find((l) => l.port === 80).default_action).toEqual([
      { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
    ]);
  });

  test('URLs and outputs use the domain', () => {
    const json = synth({ domain });
    expect(json.output.base_url.value).toBe('https://app.example.com');
    expect(json.output.services.value['host-name'].url).toBe('https://app.example.com/host-name');
    expect(json.output.domain.value).toEqual({
      zone_id: expect.stringMatching(/^\$\{data\.aws_route53_zone\./),
      record_name: 'app.example.com',
      alias_fqdn: expect.stringMatching(/^\$\{aws_route53_record\..*\.fqdn\}$/),
      certificate_arn: ref('aws_acm_certificate_validation', json, 'certificate_arn'),
      validation_record_fqdn: expect.stringMatching(/^\$\{aws_route53_record\..*\.fqdn\}$/),
    });
    expect(json.output.https_listener_arn.value).toMatch(/^\$\{aws_lb_listener\.load-balancer_https_\w+\.arn\}$/);
  });

  test('with a certificate ARN too, the listener uses that certificate and nothing is validated', () => {
    const json = synth({ domain, loadBalancer: { certificateArn: TEST_CERT } });
    expect(Object.values(resourcesOf(json, 'aws_lb_listener')).find((l) => l.port === 443).certificate_arn).toBe(TEST_CERT);
    expect(json.output.domain.value.validation_record_fqdn).toBeUndefined();
    expect(json.output.domain.value.certificate_arn).toBe(TEST_CERT);
  });
});
