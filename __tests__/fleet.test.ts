/** Dozens of services on one ALB: priorities never collide, and AWS's per-ALB quotas stop synth before an apply would. */
import { ConfigError, resolveEnvironment } from '../src/environment/resolve';
import { ALB_QUOTAS } from '../src/edge/settings';
import { derivedPriority } from '../src/services/resolve';
import { fleetEnvironment, fleetServiceNames } from '../harness/fleet';
import { RULES } from './policy/rules';
import { synthStack } from './support/stacks';

/** Two service names whose hashes give the same priority, found by search. */
function collidingNames(): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const name = `team${i}`;
    const priority = derivedPriority(name);
    const other = seen.get(priority);
    if (other !== undefined) return [other, name].sort() as [string, string];
    seen.set(priority, name);
  }
}

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('derived priorities never collide', () => {
  const [first, second] = collidingNames();
  const settings = fleetEnvironment(0, {
    services: Object.fromEntries(
      [first, second].map((name) => [name, { image: { uri: `r.example/${name}:1` }, routing: { pathPatterns: [`/${name}/*`] } }]),
    ),
  });

  test('two names with the same hash both synthesize, on distinct priorities', () => {
    expect(derivedPriority(first)).toBe(derivedPriority(second));
    const [a, b] = resolveEnvironment('fleet', settings).services;
    expect(a.routing.priority).toBe(derivedPriority(first));
    expect(b.routing.priority).not.toBe(a.routing.priority);
    expect(b.routing.priority).toBe(derivedPriority(second) + 1);
  });

  test("an explicit priority takes its slot; the derived one steps past it, and nobody else's moves", () => {
    const withExplicit = {
      ...settings,
      services: {
        ...settings.services,
        pinned: { image: { uri: 'r.example/p:1' }, routing: { pathPatterns: ['/pinned/*'], priority: derivedPriority(first) } },
      },
    };
    const byName = Object.fromEntries(resolveEnvironment('fleet', withExplicit).services.map((s) => [s.name, s.routing.priority]));
    expect(byName.pinned).toBe(derivedPriority(first));
    expect(new Set(Object.values(byName)).size).toBe(3);
  });

  test('sixty services without priorities resolve, every priority distinct', () => {
    const services = resolveEnvironment('fleet', fleetEnvironment(60)).services;
    expect(new Set(services.map((s) => s.routing.priority)).size).toBe(60);
  });
});

describe('sixty services on one ALB', () => {
  const stack = synthStack(resolveEnvironment('fleet', fleetEnvironment(60)));

  test('synthesize: a target group and a listener rule each', () => {
    expect(Object.keys(stack.json.resource?.aws_lb_target_group ?? {})).toHaveLength(60);
    // Each service's rule, and the blocked paths' rule.
    expect(Object.keys(stack.json.resource?.aws_lb_listener_rule ?? {})).toHaveLength(61);
  });

  test.each(RULES.map((r) => [r.id, r] as const))('pass the policy rule %s', (_, rule) => {
    expect(rule.check(stack.json)).toEqual([]);
  });
});

describe("AWS's per-ALB quotas stop synth", () => {
  test('more services than target groups an ALB takes: the quota is fixed, and the message says so', () => {
    expect(message(() => resolveEnvironment('fleet', fleetEnvironment(120)))).toBe(
      `environment "fleet": services = 120 is not allowed; expected at most ${ALB_QUOTAS.targetGroupsPerLoadBalancer} services on one ALB (AWS's "Target Groups per Application Load Balancer", not adjustable)`,
    );
  });

  /** `count` fleet services, each blue-green; with `testListeners`, each with a test listener of its own. */
  const blueGreenFleet = (count: number, testListeners = false) => {
    const fleet = fleetEnvironment(count);
    const services = Object.fromEntries(
      Object.entries(fleet.services!).map(([name, s], i) => [
        name,
        {
          ...s,
          deployment: {
            strategy: 'blue-green' as const,
            ...(testListeners ? { testListenerPort: 9000 + i, testListenerCidrs: ['203.0.113.0/24'] } : {}),
          },
        },
      ]),
    );
    return { ...fleet, services };
  };

  test('a blue-green service takes two target groups: 51 of them are 102', () => {
    expect(message(() => resolveEnvironment('fleet', blueGreenFleet(51)))).toBe(
      `environment "fleet": services = 51 is not allowed; expected at most ${ALB_QUOTAS.targetGroupsPerLoadBalancer} target groups on one ALB (AWS's "Target Groups per Application Load Balancer", not adjustable), 102 here: one per service, two per blue-green service`,
    );
    expect(resolveEnvironment('fleet', blueGreenFleet(50)).services).toHaveLength(50);
  });

  test('test listeners count against the listeners quota, beside the HTTP listener', () => {
    expect(message(() => resolveEnvironment('fleet', blueGreenFleet(50, true)))).toBe(
      `environment "fleet": services = 50 is not allowed; expected at most ${ALB_QUOTAS.listenersPerLoadBalancer} listeners on one ALB (AWS's "Listeners per Application Load Balancer", not adjustable), 51 here: 50 of them test listeners of blue-green services`,
    );
    expect(resolveEnvironment('fleet', blueGreenFleet(49, true)).services).toHaveLength(49);
  });

  test('more rules than the quota, counting the blocked paths: the message names the quota and the setting', () => {
    expect(message(() => resolveEnvironment('fleet', fleetEnvironment(100)))).toBe(
      'environment "fleet": services = 100 is not allowed; expected at most 100 listener rules on one ALB, 101 here: raise "Rules per Application Load Balancer" in Service Quotas, then set loadBalancer.rulesQuota',
    );
  });

  test('the same environment synthesizes once the setting says the quota was raised', () => {
    const raised = fleetEnvironment(100, { loadBalancer: { rulesQuota: 200 } });
    expect(resolveEnvironment('fleet', raised).services).toHaveLength(100);
    expect(message(() => resolveEnvironment('fleet', fleetEnvironment(100, { loadBalancer: { rulesQuota: 99 } })))).toBe(
      `environment "fleet": loadBalancer.rulesQuota = 99 is not allowed; expected your account's raised quota, at least the default ${ALB_QUOTAS.rulesPerLoadBalancer}`,
    );
  });

  test('more wildcards in one rule than AWS takes', () => {
    const [name] = fleetServiceNames(1);
    const settings = fleetEnvironment(1);
    const wild = {
      ...settings,
      services: { [name]: { ...settings.services![name], routing: { pathPatterns: ['/a*/*', '/b*/*', '/c?/*'] } } },
    };
    expect(message(() => resolveEnvironment('fleet', wild))).toBe(
      `environment "fleet": services.${name}.routing (pathPatterns + hostHeaders) = ["/a*/*","/b*/*","/c?/*"] is not allowed; expected at most 5 wildcards (* ?) in one listener rule's values (AWS's "Condition wildcards per rule"), 6 here`,
    );
  });
});
