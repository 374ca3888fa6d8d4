/**
 * Physical names: one place builds them (src/shared/names.ts), no two resources of a type in a
 * stack get the same one, whatever the services are called, and every one fits AWS's limit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveEnvironment } from '../src/environment/resolve';
import { DEMO_ENVIRONMENTS, demoConfig, demoConfigs } from './support/fixtures';
import { everyEnvironment, synthStack, synthStacks, VARIANTS } from './support/stacks';
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

/** AWS's length limits of the literal names the stacks set, by type and attribute. */
const NAME_LIMITS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  aws_lb: { name: 32 },
  aws_lb_target_group: { name: 32 },
  aws_iam_role: { name: 64, name_prefix: 38 },
  aws_iam_instance_profile: { name: 128 },
  aws_s3_bucket: { bucket: 63, bucket_prefix: 37 },
  aws_launch_template: { name: 128, name_prefix: 102 },
  aws_ecs_cluster: { name: 255 },
  aws_ecs_service: { name: 255 },
  aws_ecs_task_definition: { family: 255 },
  aws_ecs_capacity_provider: { name: 255 },
  aws_autoscaling_group: { name: 255 },
  aws_security_group: { name: 255 },
  aws_cloudwatch_metric_alarm: { alarm_name: 255 },
  aws_cloudwatch_dashboard: { dashboard_name: 255 },
  aws_cloudwatch_log_group: { name: 512 },
  aws_sns_topic: { name: 256 },
  aws_kms_alias: { name: 256 },
  aws_wafv2_web_acl: { name: 128 },
  aws_ecr_repository: { name: 256 },
};

/** `type attribute=value (n > max)` for every literal name longer than AWS allows. */
function overlongNames(json: SynthJson): string[] {
  const found: string[] = [];
  for (const [type, limits] of Object.entries(NAME_LIMITS)) {
    for (const attrs of Object.values((json.resource?.[type] ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [key, max] of Object.entries(limits)) {
        const value = attrs[key];
        if (typeof value === 'string' && !value.includes('${') && value.length > max) {
          found.push(`${type} ${key}=${value} (${value.length} > ${max})`);
        }
      }
    }
  }
  return found;
}

const micro = DEMO_ENVIRONMENTS.microservices;
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
/** Every environment of src/environments.ts, whatever a team put there, then the demo's example and variants. */
const stacks = [
  ...synthStacks(everyEnvironment()),
  ...[...synthStacks(demoConfigs(['microservices'])), synthStack(VARIANTS.cert()), synthStack(VARIANTS.spot()), synthStack(lookalikes)].map(
    (s) => ({ ...s, name: `demo ${s.name}` }),
  ),
];

describe('every physical name fits its limit', () => {
  test.each(stacks.map((s) => [s.name, s] as const))('%s', (_, s) => {
    expect(overlongNames(s.json)).toEqual([]);
  });

  test('the check finds an overlong name, and skips names Terraform computes', () => {
    const json: SynthJson = {
      resource: {
        aws_lb_target_group: { a: { name: 'x'.repeat(33) }, b: { name: '${aws_lb.alb.name}-long-enough-to-exceed-32-chars' } },
        aws_iam_role: { r: { name_prefix: 'y'.repeat(38) } },
      },
    };
    expect(overlongNames(json)).toEqual([`aws_lb_target_group name=${'x'.repeat(33)} (33 > 32)`]);
  });
});

describe('physical names are unique per resource type', () => {
  test.each(stacks.map((s) => [s.name, s] as const))('%s', (_, s) => {
    expect(Object.keys(s.json.resource ?? {}).length).toBeGreaterThan(0);
    expect(duplicateNames(s.json)).toEqual([]);
  });

  test('the check finds a collision: a service named exec past validation, with exec on', () => {
    const valid = demoConfig('dev', {
      services: { exec: DEMO_ENVIRONMENTS.dev.services!['host-name'] },
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
