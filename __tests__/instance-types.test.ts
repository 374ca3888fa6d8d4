import { readFileSync } from 'node:fs';
import { BURSTABLE_TYPES, estimatedRegisteredMemoryMiB, INSTANCE_TYPES } from '../src/compute/instance-types';
import { EnvironmentSettings } from '../src/environment/config';
import { ConfigError, resolveEnvironment } from '../src/environment/resolve';
import { US_EAST_1_INSTANCE_HOUR } from '../tools/cost/instance-prices';
import { DATA_FILE, MEASURED_REGISTERED_MEMORY_MIB, readData, render, stale, TABLE_FILE } from '../tools/instance-types/generate';
import { synthStack } from './support/stacks';

const data = readData();

describe('the generated table', () => {
  test('the committed table and US prices are what the generator makes of the committed data', () => {
    expect(stale()).toEqual([]);
  });

  test('a hand edit of the table, or of the data alone, is caught', () => {
    const files = render();
    files[TABLE_FILE] = files[TABLE_FILE].replace("'c6i.xlarge': { vcpus: 4,", "'c6i.xlarge': { vcpus: 8,");
    expect(stale(files)).toEqual(['src/compute/instance-type-table.ts']);

    const edited = JSON.parse(readFileSync(DATA_FILE, 'utf8'));
    edited.onDemandPrices.usdPerHour['c6i.xlarge'] = 0.2;
    expect(stale(render(edited))).toEqual(['tools/cost/instance-prices.ts']);
  });

  test('the data says when it was read and where from', () => {
    expect(data.specs.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(data.onDemandPrices.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(data.onDemandPrices.source).toContain('Price List API');
  });

  test('current m, c and r families of both architectures, up to 4xlarge, and the t families', () => {
    const families = [...new Set(Object.keys(INSTANCE_TYPES).map((t) => t.split('.')[0]))];
    expect(families).toEqual(
      expect.arrayContaining(['t2', 't3', 't3a', 't4g', 'm5', 'm6i', 'm6a', 'm6g', 'm7i', 'm7a', 'm7g', 'c5', 'c6i', 'c6a', 'c6g', 'c7i']),
    );
    expect(families).toEqual(expect.arrayContaining(['c7a', 'c7g', 'r5', 'r6i', 'r6a', 'r6g', 'r7i', 'r7a', 'r7g']));
    expect(families.filter((f) => !INSTANCE_TYPES[`${f}.${f.startsWith('t') ? '2xlarge' : '4xlarge'}`])).toEqual([]);
    expect(INSTANCE_TYPES['c6i.xlarge']).toEqual({ vcpus: 4, memoryMiB: 8192, registeredMemoryMiB: 7513, architecture: 'x86_64' });
    expect(INSTANCE_TYPES['m7i.2xlarge']).toMatchObject({ vcpus: 8, memoryMiB: 32768, architecture: 'x86_64' });
    expect(INSTANCE_TYPES['r7g.large']).toMatchObject({ vcpus: 2, memoryMiB: 16384, architecture: 'arm64' });
    expect(INSTANCE_TYPES['r5.4xlarge']).toMatchObject({ vcpus: 16, memoryMiB: 131072, architecture: 'x86_64' });
  });

  test('no 0.5 GiB nano: its price is in the data for the NAT instance only', () => {
    expect(Object.keys(INSTANCE_TYPES).filter((t) => t.endsWith('.nano'))).toEqual([]);
    expect(US_EAST_1_INSTANCE_HOUR['t4g.nano']).toBe(0.0042);
  });

  test("the measured types keep their measured figures, on which their environments' synth depends", () => {
    const measured = {
      't2.micro': [1, 982, 'x86_64'],
      't2.small': [1, 1993, 'x86_64'],
      't2.medium': [2, 3943, 'x86_64'],
      't2.large': [2, 7975, 'x86_64'],
      't3.micro': [2, 943, 'x86_64'],
      't3.small': [2, 1939, 'x86_64'],
      't3.medium': [2, 3884, 'x86_64'],
      't3.large': [2, 7844, 'x86_64'],
      't3a.micro': [2, 943, 'x86_64'],
      't3a.small': [2, 1939, 'x86_64'],
      't3a.medium': [2, 3884, 'x86_64'],
      't3a.large': [2, 7844, 'x86_64'],
      't4g.micro': [2, 926, 'arm64'],
      't4g.small': [2, 1904, 'arm64'],
      't4g.medium': [2, 3854, 'arm64'],
      't4g.large': [2, 7810, 'arm64'],
      'm6i.large': [2, 7693, 'x86_64'],
      'm7g.large': [2, 7643, 'arm64'],
    };
    const table = Object.fromEntries(
      Object.keys(measured).map((t) => [
        t,
        [INSTANCE_TYPES[t].vcpus, INSTANCE_TYPES[t].registeredMemoryMiB, INSTANCE_TYPES[t].architecture],
      ]),
    );
    expect(table).toEqual(measured);
    expect(Object.keys(MEASURED_REGISTERED_MEMORY_MIB).sort()).toEqual(Object.keys(measured).sort());
  });

  test('the estimate for unmeasured types stays below every measured figure', () => {
    const above = Object.entries(MEASURED_REGISTERED_MEMORY_MIB).filter(
      ([t, measured]) => estimatedRegisteredMemoryMiB(INSTANCE_TYPES[t].memoryMiB) > measured,
    );
    expect(above).toEqual([]);
    for (const [t, s] of Object.entries(INSTANCE_TYPES)) {
      if (!(t in MEASURED_REGISTERED_MEMORY_MIB))
        expect([t, s.registeredMemoryMiB]).toEqual([t, estimatedRegisteredMemoryMiB(s.memoryMiB)]);
    }
  });

  test('every burstable type of the table has its baseline, with the table vCPUs', () => {
    const burstable = Object.entries(INSTANCE_TYPES).filter(([t]) => /^(t2|t3|t3a|t4g)\./.test(t));
    expect(burstable.length).toBe(24);
    for (const [t, s] of burstable) expect([t, BURSTABLE_TYPES[t]?.vcpus]).toEqual([t, s.vcpus]);
  });
});

// 2 x maxTasks 2 = 4 tasks of 2048 cpu units and 3072 MiB; a 4 vCPU, 8 GiB type holds two (4096 units, 7513 - 256 MiB).
const TASK = { cpu: 2048, memoryMiB: 3072, maxTasks: 2 };

/** The error `run` throws: a ConfigError, whose message is checked whole. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** An environment of this file's own: one service from an image URI, of the given size. */
function sized(instanceType: string, extra: EnvironmentSettings, task: { cpu: number; memoryMiB: number; maxTasks: number }) {
  return resolveEnvironment('sized', {
    instanceType,
    capacity: { min: 1, max: 2 },
    services: {
      api: {
        image: { uri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1' },
        routing: { default: true },
        container: { cpu: task.cpu, memoryMiB: task.memoryMiB },
        scaling: { minTasks: 1, maxTasks: task.maxTasks },
      },
    },
    ...extra,
  });
}

const launchTemplates = (json: any) => Object.values(json.resource.aws_launch_template ?? {}) as any[];
const amiParameters = (json: any) => Object.values(json.data?.aws_ssm_parameter ?? {}).map((p: any) => p.name);

describe('an environment on a type the table added', () => {
  test('c6i.xlarge passes the fit check with two instances and synthesizes on it', () => {
    const config = sized('c6i.xlarge', {}, TASK);
    expect(config.instanceSpec).toEqual(INSTANCE_TYPES['c6i.xlarge']);
    const { json } = synthStack(config);
    expect(launchTemplates(json).map((lt) => lt.instance_type)).toEqual(['c6i.xlarge']);
    expect(amiParameters(json)).toContain('/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id');
  });

  test("the fit check uses c6i.xlarge's size: one more task at the deployment's surge needs a third instance", () => {
    expect(refusal(() => sized('c6i.xlarge', {}, { ...TASK, maxTasks: 3 }))).toBe(
      'environment "sized": capacity.max = 2 is not allowed; expected at least 3: 2 x maxTasks of all services (a 200% deployment) reserve 18432 MiB, 12288 cpu units; a c6i.xlarge holds 7257, 4096',
    );
  });
});

describe('an environment on a type the table lacks', () => {
  const c8g = { vcpus: 4, memoryMiB: 8192, architecture: 'arm64' } as const;

  test('with instanceSpec it is sized from the spec and synthesizes with the arm64 AMI and image platform', () => {
    const config = resolveEnvironment('unlisted', { instanceType: 'c8g.xlarge', instanceSpec: c8g, capacity: { min: 1, max: 2 } });
    expect(config.instanceSpec).toEqual({ ...c8g, registeredMemoryMiB: 7513 });
    const { json } = synthStack(config);
    expect(launchTemplates(json).map((lt) => lt.instance_type)).toEqual(['c8g.xlarge']);
    expect(amiParameters(json)).toContain('/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id');
    expect(Object.values(json.resource?.docker_image ?? {}).map((i) => i.build.platform)).toEqual(['linux/arm64']);
  });

  test('with instanceSpec the fit check still holds it to the spec', () => {
    expect(refusal(() => sized('c8g.xlarge', { instanceSpec: c8g }, { ...TASK, maxTasks: 3 }))).toBe(
      'environment "sized": capacity.max = 2 is not allowed; expected at least 3: 2 x maxTasks of all services (a 200% deployment) reserve 18432 MiB, 12288 cpu units; a c8g.xlarge holds 7257, 4096',
    );
    expect(sized('c8g.xlarge', { instanceSpec: c8g }, TASK).instanceSpec.registeredMemoryMiB).toBe(7513);
  });

  test('without instanceSpec it is refused in one line naming the environment, the field, the value and what is allowed', () => {
    expect(refusal(() => resolveEnvironment('unlisted', { instanceType: 'c8g.xlarge' }))).toBe(
      'environment "unlisted": instanceType = "c8g.xlarge" is not allowed; expected a type listed in src/compute/instance-type-table.ts, or another with instanceSpec { vcpus, memoryMiB, architecture }',
    );
  });
});
