/**
 * What an upgrade must never destroy, checked without an emulator: every data-bearing resource of
 * every upgrade fixture (a stack as older code deployed it) is still in the current stack at the same
 * address, moved by a `moved` block, or forgotten by a `removed` block with destroy = false.
 * `npm run test:upgrade` proves the same with a real plan against moto.
 */
import { readFileSync } from 'node:fs';
import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../src/app';
import { selectEnvironments } from '../src/environment/select';
import { DATA_BEARING, UPGRADE_FIXTURES } from '../harness/upgrade';
import { EMULATOR_IMAGE_URI, imagesFromUri } from '../harness/emulator-stack';
import { DEMO_ENVIRONMENTS } from './support/fixtures';

type Tf = {
  resource?: Record<string, Record<string, unknown>>;
  moved?: { from: string; to: string }[];
  removed?: { from: string; lifecycle?: { destroy?: boolean } }[];
};

const dataBearing = (json: Tf) =>
  Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    (DATA_BEARING as readonly string[]).includes(type) ? Object.keys(byName).map((name) => `${type}.${name}`) : [],
  );

/** The demo's current stack as the fixtures were synthesized: images from a URI (the harness's emulator synthesis). */
function current(environment: string): Tf {
  const [config] = selectEnvironments(
    [environment],
    {},
    { [environment]: imagesFromUri(DEMO_ENVIRONMENTS[environment], EMULATOR_IMAGE_URI) },
  );
  return JSON.parse(Testing.synth(addEnvironmentStacks(Testing.app(), [config])[0]));
}

/** Data-bearing addresses of `old` that `now` would destroy: neither kept, moved nor forgotten. */
export function destroyedData(old: Tf, now: Tf): string[] {
  const kept = new Set(dataBearing(now));
  const moved = new Set((now.moved ?? []).map((m) => m.from));
  const forgotten = new Set((now.removed ?? []).filter((r) => r.lifecycle?.destroy === false).map((r) => r.from));
  return dataBearing(old).filter((a) => !kept.has(a) && !moved.has(a) && !forgotten.has(a));
}

describe.each(UPGRADE_FIXTURES.map((f) => [`${f.environment}@${f.commit}`, f] as const))('upgrade from %s', (_, fixture) => {
  const old: Tf = JSON.parse(readFileSync(fixture.file, 'utf8'));

  test('every data-bearing resource is kept, moved or forgotten, never destroyed', () => {
    expect(dataBearing(old).length).toBeGreaterThan(0);
    expect(destroyedData(old, current(fixture.environment))).toEqual([]);
  });
});

test('the check can fail: a stack that drops a key without a removed block destroys it', () => {
  const old: Tf = { resource: { aws_kms_key: { k: {} }, aws_cloudwatch_log_group: { g: {} } } };
  expect(destroyedData(old, { resource: { aws_cloudwatch_log_group: { g: {} } } })).toEqual(['aws_kms_key.k']);
  expect(
    destroyedData(old, {
      resource: { aws_cloudwatch_log_group: { g: {} } },
      removed: [{ from: 'aws_kms_key.k', lifecycle: { destroy: true } }],
    }),
  ).toEqual(['aws_kms_key.k']);
  expect(
    destroyedData(old, {
      resource: { aws_cloudwatch_log_group: { g: {} } },
      removed: [{ from: 'aws_kms_key.k', lifecycle: { destroy: false } }],
    }),
  ).toEqual([]);
});
