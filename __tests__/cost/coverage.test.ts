import { Testing } from 'cdktf';
import { addRegistryStack, registryEnvironments } from '../../src/app';
import { INSTANCE_TYPES } from '../../src/compute/instance-types';
import { NAT_INSTANCE_TYPES } from '../../src/network/settings';
import { StateBootstrapStack } from '../../src/bootstrap/state-bootstrap-stack';
import { environmentStackName, STATE_STACK_NAME } from '../../src/shared/names';
import { demoEstimates } from '../../tools/cost/cli';
import { CostError, DATA_PRICERS, estimateStack, monthly, RESOURCE_PRICERS, unpricedTypes } from '../../tools/cost/estimate';
import { FREE_DATA_SOURCES, FREE_RESOURCES, REGIONS } from '../../tools/cost/prices';
import { demoConfig, demoConfigs, TEST_IMAGE } from '../support/fixtures';
import { everyEnvironment, synthStack, synthStacks, VARIANTS } from '../support/stacks';

/**
 * Every type that appears in any stack this app can synthesize is priced or listed free: a new
 * resource from another change fails here until someone says what it costs. The stacks: every
 * environment of src/environments.ts, whatever it holds, the registry main.ts makes of them, and the
 * demo's variants.
 */
const environments = synthStacks(everyEnvironment());
const variants = [
  synthStack(VARIANTS.cert()),
  synthStack(VARIANTS.spot()),
  synthStack(demoConfigs(['prod'], { images: { 'host-name': TEST_IMAGE } })[0]),
  synthStack(demoConfigs(['microservices'])[0]),
  synthStack(demoConfig('dev', { instanceType: 't4g.small', flowLogs: true, natMode: 'per-az' }, 'graviton')),
];
const state = {
  name: STATE_STACK_NAME,
  json: JSON.parse(
    Testing.synth(new StateBootstrapStack(Testing.app(), STATE_STACK_NAME, { bucket: 'host-name-tf-state', region: 'us-east-1' })),
  ),
};
const registryStack = addRegistryStack(Testing.app(), registryEnvironments());
const registry = { name: registryStack.node.id, json: JSON.parse(Testing.synth(registryStack)) };
const own = [...environments, registry];
const all = [...own, ...variants, state];

/** What `npm run cost` makes of a stack: its estimate, or the one line it refuses with (a region or instance type the table lacks). */
function priced(name: string, json: object): 'priced' | string {
  try {
    estimateStack(name, json);
    return 'priced';
  } catch (error) {
    if (!(error instanceof CostError)) throw error;
    return error.message;
  }
}

describe('every synthesized type is priced or free', () => {
  test('every environment is here', () => {
    expect(environments.map((s) => s.name)).toEqual(everyEnvironment().map((c) => environmentStackName(c.name)));
  });

  test.each(all.map((s) => [s.name, s.json] as const))(
    '%s: no resource or data source type is missing from the price table',
    (_name, json) => {
      expect(unpricedTypes(json)).toEqual([]);
    },
  );

  // A team may pick a region or an instance type the committed table lacks: the tool then refuses in one line.
  test.each(own.map((s) => [s.name, s.json] as const))('%s: priced, or refused in one line naming the stack', (name, json) => {
    const result = priced(name, json);
    if (result !== 'priced') expect(result).toMatch(new RegExp(`^stack ${name}[: ][^\n]+$`));
  });

  test.each(variants.map((s) => [s.name, s.json] as const))('%s (the demo): priced', (name, json) => {
    expect(priced(name, json)).toBe('priced');
  });

  test('a stack in a region the table lacks is refused in one line (the check can fail)', () => {
    const json = JSON.parse(JSON.stringify(variants[0].json));
    json.provider.aws[0].region = 'ap-northeast-1';
    expect(priced('tokyo', json)).toMatch(/^stack tokyo is in ap-northeast-1, which the price table .* does not cover; /);
  });

  test('an unknown type in a real stack is caught (the check can fail)', () => {
    const json = JSON.parse(JSON.stringify(environments[0].json));
    json.resource.aws_elasticache_cluster = { cache: { node_type: 'cache.t3.micro' } };
    json.data = { ...json.data, aws_msk_broker_nodes: { b: {} } };
    expect(unpricedTypes(json)).toEqual(['aws_elasticache_cluster', 'data.aws_msk_broker_nodes']);
  });

  test('no type is both priced and free', () => {
    expect(Object.keys(RESOURCE_PRICERS).filter((t) => t in FREE_RESOURCES)).toEqual([]);
    expect(Object.keys(DATA_PRICERS).filter((t) => t in FREE_DATA_SOURCES)).toEqual([]);
  });
});

describe('the price table', () => {
  const accepted = [...new Set([...Object.keys(INSTANCE_TYPES), ...Object.keys(NAT_INSTANCE_TYPES)])].sort();

  test.each(['us-east-1', 'us-east-2', 'us-west-2'])(
    '%s prices every instance type the config accepts from its table (container and NAT instances)',
    (region) => {
      expect(Object.keys(REGIONS[region].ec2InstanceHour).sort()).toEqual(accepted);
    },
  );

  test.each(Object.keys(REGIONS))('%s prices the NAT instance types, types the config accepts only, and gp3', (region) => {
    const p = REGIONS[region];
    expect(Object.keys(p.ec2InstanceHour).filter((t) => !accepted.includes(t))).toEqual([]);
    for (const t of Object.keys(NAT_INSTANCE_TYPES)) expect([t, p.ec2InstanceHour[t]]).toEqual([t, expect.any(Number)]);
    for (const price of Object.values(p.ec2InstanceHour)) expect(price).toBeGreaterThan(0);
    expect(p.ebs.gbMonth.gp3).toBeGreaterThan(0);
  });

  test('covers us-east-1 and the usual regions', () => {
    expect(Object.keys(REGIONS)).toEqual(['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1']);
  });
});

describe('the demo environments, hand-computed (us-east-1, 730 h)', () => {
  const demo = demoEstimates();
  const estimate = (name: string) => demo.find((e) => e.stack === name)!;

  // The goal: at most $45 at the minimum size.
  test('dev at min: $44.53, at max: $48.49', () => {
    const dev = estimate('host-name-dev');
    // ALB 16.425 + LCU 5.84 + 2 ALB IPs 7.30
    // + NAT instance t4g.nano up 06:50-19:25 on weekdays: 62.9167 h/week = 273.39 h/month x 0.0042 = 1.148238
    //   + its 8 GB gp3 for 0.3745 of the month 0.23968 + its Elastic IP, every hour, 3.65
    // + 1 t2.micro up 07:00-19:15 on weekdays: 61.25 h/week = 266.15 h/month x 0.0116 = 3.08734
    // + its 30 GB gp3 for 0.3646 of the month 0.87504
    // + app log ingestion 0.50 + storage 0.014 (0.4667 GB) (ECR storage is the registry stack's)
    // (no NAT gateway, no Container Insights, no detailed monitoring)
    // + operations: dashboard 3.00 + 9 alarm metrics 0.90 (no tasks-below-desired without Container Insights)
    //   + 1 KMS key (topic and exec) 1.00 + its requests 0.03
    //   + SNS 0.005 + the exec session log group 0.50 + 0.014
    expect(dev.total.min).toBeCloseTo(44.5283, 4);
    // + a second instance while up (3.08734 + 0.87504)
    expect(dev.total.max).toBeCloseTo(48.49068, 4);
  });

  test('prod at min: $211.56, at max: $369.44', () => {
    const prod = estimate('host-name-prod');
    // 3 NAT 98.55 + data 0.675 + 3 EIPs 10.95 + ALB 16.425 + LCU 5.84 + 3 ALB IPs 10.95
    // + 2 t3.small 30.368 + 2 x 30 GB gp3 4.80 + monitoring 4.20 + flow logs 2.50 + flow log storage 0.45
    // + app logs 0.50 + 0.09 + Container Insights 9.60 + 0.10 + access logs 0.069 + PUTs 0.1314
    // + operations: dashboard 3.00 + 11 alarm metrics 1.10 + 1 KMS key 1.00 + its requests 0.03 + SNS 0.005
    // + WAF: web ACL 5.00 + 4 rules 4.00 + 1 M requests 0.60, its logs 0.50 + 0.09; the validation CNAME's queries 0.04
    expect(prod.total.min).toBeCloseTo(211.5634, 6);
    // capacity.max 10 instances: 151.84 + 24.00 + 21.00, 10 tasks: 0.50
    expect(prod.total.max).toBeCloseTo(369.4354, 6);
  });

  test('each NAT gateway with its Elastic IP is $36.50 a month', () => {
    const prod = estimate('host-name-prod');
    const perNat = prod.lines
      .filter((l) => l.item === 'NAT gateway' || l.item === 'public IPv4 address (NAT gateway Elastic IP)')
      .reduce((s, l) => s + monthly(l, 'min') / l.count.min, 0);
    expect(perNat).toBeCloseTo(36.5, 6);
  });

  test('the Spot variant: the on-demand group as before, and an all-Spot group from zero to capacity.max', () => {
    const config = VARIANTS.spot();
    const spot = estimateStack('spot', synthStack(config).json);
    const ec2 = (item: string) => spot.lines.filter((l) => l.item === item);
    expect(ec2('EC2 t2.micro on-demand').map((l) => l.count)).toEqual([{ min: config.capacity.min, max: config.capacity.max }]);
    expect(ec2('EC2 t2.micro Spot').map((l) => l.count)).toEqual([{ min: 0, max: config.capacity.max }]);
    expect(ec2('EC2 t2.micro Spot')[0].note).toMatch(/upper bound.*may also launch t2\.small, t3\.micro, t3a\.micro/);
  });
});
