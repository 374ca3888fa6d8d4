/**
 * Physical names: one place builds them (src/shared/names.ts), and no two resources of a type in a
 * stack get the same one, whatever the services are called.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveEnvironment } from '../src/environment/resolve';
import { ENVIRONMENTS } from '../src/environments';
import { selectEnvironments } from '../src/environment/select';
import { synthStack, synthStacks, VARIANTS } from './support/stacks';
import { SynthJson } from './support/synth';

/** Attributes that hold an account- or region-wide physical name. */
const NAME_ATTRIBUTES = ['name', 'alarm_name', 'family', 'dashboard_name', 'bucket', 'repository_name', 'name_prefix', 'bucket_prefix'];
/** Types whose names are scoped to a parent resource, not the account (a role's inline policies, a group's scheduled actions). */
const SCOPED = new Set(['aws_iam_role_policy', 'aws_autoscaling_schedule', 'aws_appautoscaling_scheduled_action', 'aws_ecs_service']);

/** `type name` for every literal physical name used by more than one resource of its type. */
function duplicateNames(json: SynthJson): string[] {
  const duplicates: string[] = [];
  for (const [type, byId] of Object.entries(json.resource ?? {})) {
    if (SCOPED.has(type)) continue;
    const seen = new Map<string, number>();
    for (const attrs of Object.values(byId as Record<string, Record<string, unknown>>)) {
      for (const key of NAME_ATTRIBUTES) {
        const value = attrs[key];
        if (typeof value === 'string') seen.set(`${key}=${value}`, (seen.get(`${key}=${value}`) ?? 0) + 1);
      }
    }
    for (const [name, count] of seen) if (count > 1) duplicates.push(`${type} ${name}`);
  }
  return duplicates;
}

describe('physical names are unique per resource type', () => {
  const micro = ENVIRONMENTS.microservices;
  // Services named like the environment's own resources, with exec on: the names most likely to collide.
  const lookalikes = resolveEnvironment('lookalikes', {
    ...micro,
    capacity: { min: 1, max: 10 },
    operations: { exec: { enabled: true } },
    services: Object.fromEntries(
      ['alb', 'instance', 'instances', 'cluster', 'ec2', 'alarms', 'flow-logs', 'operations'].map((name) => [
        name,
        { ...micro.services!.posts, routing: { pathPatterns: [`/${name}/*`] } },
      ]),
    ),
  });
  const stacks = [
    ...synthStacks(),
    ...synthStacks(selectEnvironments(['microservices'])),
    synthStack(VARIANTS.cert()),
    synthStack(VARIANTS.spot()),
    synthStack(lookalikes),
  ];

  test.each(stacks.map((s) => [s.name, s] as const))('%s', (_, s) => {
    expect(Object.keys(s.json.resource ?? {}).length).toBeGreaterThan(0);
    expect(duplicateNames(s.json)).toEqual([]);
  });

  test('the check finds a collision: a service named exec past validation, with exec on', () => {
    const valid = resolveEnvironment('dev', {
      ...ENVIRONMENTS.dev,
      services: { exec: ENVIRONMENTS.dev.services!['host-name'] },
      operations: { exec: { enabled: false } },
    });
    const colliding = { ...valid, operations: { ...valid.operations, exec: { enabled: true } } };
    expect(duplicateNames(synthStack(colliding).json)).toEqual([`aws_cloudwatch_log_group name=/ecs/${valid.namePrefix}/exec`]);
  });
});

/** `file:line` of each name built from a name prefix outside src/shared/names.ts. */
function namesBuiltOutside(files: Readonly<Record<string, string>>): string[] {
  const found: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    if (file === 'src/shared/names.ts') continue;
    text.split('\n').forEach((line, i) => {
      if (/^\s*(\*|\/\/|\/\*\*)/.test(line)) return;
      if (/\$\{[\w.]*namePrefix\}/i.test(line)) found.push(`${file}:${i + 1}`);
    });
  }
  return found;
}

describe('every physical name is built in src/shared/names.ts', () => {
  const root = join(__dirname, '..', 'src');
  const files = Object.fromEntries(
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [`src/${f}`, readFileSync(join(root, f), 'utf8')]),
  );

  test('no construct builds a name from the prefix itself', () => {
    expect(namesBuiltOutside(files)).toEqual([]);
  });

  test('a Name tag built in a construct is found', () => {
    const withTag = { ...files, 'src/network/network.ts': 'const x = 1;\n      tags: { Name: `${props.namePrefix}-vpc` },' };
    expect(namesBuiltOutside(withTag)).toEqual(['src/network/network.ts:2']);
  });
});
