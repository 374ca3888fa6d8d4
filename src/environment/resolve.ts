/** Resolves one environment: the environment-wide fields here, each area's by its own resolver, then the checks across areas. */
import {
  ENVIRONMENT_DEFAULTS,
  ENVIRONMENT_FIELDS,
  EnvironmentConfig,
  EnvironmentSettings,
  IMAGE_DEFAULTS,
  LOG_RETENTION_DAYS,
} from './config';
import {
  checkBlockedPathsPriority,
  checkExecLogGroup,
  checkIdleTimeout,
  checkListenerQuota,
  checkLoadBalancerQuotas,
  checkProductionImages,
} from './cross-checks';
import { checkReplacedComputeFields, resolveCompute } from '../compute/resolve';
import { resolveEdge } from '../edge/resolve';
import { resolveNetwork } from '../network/resolve';
import { resolveOperations } from '../operations/resolve';
import { resolveServices } from '../services/resolve';
import { DEFAULT_SERVICES } from '../services/settings';
import { withDefaults } from '../shared/defaults';
import { checkKnownFields } from '../shared/known-fields';
import { projectNames } from '../shared/names';
import { ConfigError, NAME, Validator } from '../shared/validator';

export { ConfigError } from '../shared/validator';

/** ALB and target group names are capped at 32 characters; the longest suffix is "-alb". */
export const MAX_NAME_PREFIX_LENGTH = 28;
/** ECS rejects capacity provider names (`<namePrefix>-ec2`) that start with these, midway through an apply. */
export const RESERVED_NAME_PREFIXES = ['aws', 'ecs', 'fargate'] as const;

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Applies defaults and validates; throws ConfigError on the first bad field, before any resource exists. */
export function resolveEnvironment(name: string, s: EnvironmentSettings): EnvironmentConfig {
  const v = new Validator(name);
  checkReplacedComputeFields(v, s);
  checkKnownFields(v, ENVIRONMENT_FIELDS, s);
  const { namePrefix, region } = resolveIdentity(v, name, s);
  const network = resolveNetwork(v, s, region);
  const compute = resolveCompute(v, s, { natInstance: network.natMode === 'instance' });
  const services = resolveServices(v, { environment: name, namePrefix, region, ...compute }, s.services ?? DEFAULT_SERVICES);
  const edge = resolveEdge(v, s, region);
  checkIdleTimeout(v, edge.loadBalancer.idleTimeoutSeconds, services);
  checkBlockedPathsPriority(v, edge.loadBalancer.blockedPaths, services);
  checkLoadBalancerQuotas(v, edge.loadBalancer, services);
  checkListenerQuota(v, edge, services);
  const operations = resolveOperations(
    v,
    services.map((x) => x.name),
    s.operations,
  );
  if (operations.exec.enabled) checkExecLogGroup(v, namePrefix, services);
  if (edge.production) checkProductionImages(v, services);

  return {
    name,
    namePrefix,
    region,
    ...network,
    ...compute,
    createEcsServiceLinkedRole: s.createEcsServiceLinkedRole ?? ENVIRONMENT_DEFAULTS.createEcsServiceLinkedRole,
    services,
    ...edge,
    logRetentionDays: resolveLogRetention(v, s),
    image: resolveImage(v, s),
    state: resolveState(v, s, region),
    operations,
    tags: resolveTags(v, s),
  };
}

function resolveIdentity(v: Validator, name: string, s: EnvironmentSettings): { namePrefix: string; region: string } {
  v.check('name', name, NAME.test(name) && name.length <= 16, 'lowercase letters, digits and hyphens, at most 16 characters');
  const namePrefix = s.namePrefix ?? projectNames.defaultNamePrefix(name);
  v.check(
    'namePrefix',
    namePrefix,
    NAME.test(namePrefix) && namePrefix.length <= MAX_NAME_PREFIX_LENGTH,
    `1-${MAX_NAME_PREFIX_LENGTH} lowercase letters, digits and inner hyphens (ALB names max 32)`,
  );
  v.check(
    'namePrefix',
    namePrefix,
    !RESERVED_NAME_PREFIXES.some((p) => namePrefix.startsWith(p)),
    `a prefix not starting with ${RESERVED_NAME_PREFIXES.join(', ')} (ECS reserves them for capacity provider names)`,
  );
  const region = s.region ?? ENVIRONMENT_DEFAULTS.region;
  v.check('region', region, REGION.test(region), 'an AWS region such as us-east-1');
  return { namePrefix, region };
}

function resolveLogRetention(v: Validator, s: EnvironmentSettings): number {
  const logRetentionDays = s.logRetentionDays ?? ENVIRONMENT_DEFAULTS.logRetentionDays;
  v.check(
    'logRetentionDays',
    logRetentionDays,
    (LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays),
    'a CloudWatch retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827 ... 3653',
  );
  return logRetentionDays;
}

function resolveImage(v: Validator, s: EnvironmentSettings): EnvironmentConfig['image'] {
  const image = withDefaults(IMAGE_DEFAULTS, s.image);
  v.integer('image.untaggedImageDays', image.untaggedImageDays, 1, 3650);
  return image;
}

function resolveState(v: Validator, s: EnvironmentSettings, region: string): EnvironmentConfig['state'] {
  if (s.state === undefined) return undefined;
  const state = { bucket: s.state.bucket, region: s.state.region ?? region };
  v.check('state.bucket', state.bucket, BUCKET.test(state.bucket), 'an S3 bucket name: 3-63 lowercase letters, digits, dots, hyphens');
  v.check('state.region', state.region, REGION.test(state.region), 'an AWS region such as us-east-1');
  return state;
}

function resolveTags(v: Validator, s: EnvironmentSettings): EnvironmentConfig['tags'] {
  const tags = s.tags ?? {};
  for (const [key, value] of Object.entries(tags)) {
    v.check(
      `tags.${key}`,
      value,
      key.length > 0 && key.length <= 128 && !key.startsWith('aws:') && value.length <= 256,
      'a key of 1-128 characters not starting with "aws:" and a value of at most 256',
    );
  }
  return tags;
}

/** Runs `main`; bad input ends the process with one line on stderr and exit code 2, no stack trace. */
export function exitOnConfigError(main: () => void): void {
  try {
    main();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
}
