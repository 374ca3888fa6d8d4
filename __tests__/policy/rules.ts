/**
 * The project's policy suite: Checkov-style rules over synthesized Terraform JSON (cdk.tf.json).
 * No scanner can be installed here, so the rules live with the code they guard. Each rule names
 * the Checkov check it mirrors (where one exists) and why it matters; `check` returns every
 * violation it finds, an empty list when the stack passes.
 */
import { LOG_RETENTION_DAYS } from '../../src/environment/config';
import { BURSTABLE_TYPES, unlimitedCredits } from '../../src/compute/instance-types';
import { SPOT_WARNING_SECONDS, FARGATE_TASK_SIZES } from '../../src/services/fargate';
import { SynthJson } from '../support/synth';

export interface Violation {
  /** Terraform address, e.g. `aws_lb.load-balancer_alb_15AADC07`, plus a block path where useful. */
  readonly address: string;
  readonly reason: string;
}

export interface Rule {
  readonly id: string;
  /** The matching Checkov check IDs, or '—'. */
  readonly checkov: string;
  readonly checks: string;
  readonly why: string;
  check(json: SynthJson): Violation[];
}

/** Containers allowed a writable root filesystem, with the reason. Empty: the app writes only to its /tmp volume. */
export const READONLY_ROOT_EXCEPTIONS: Readonly<Record<string, string>> = {};

/** AWS managed policies a role may hold: the ECS agent, Session Manager, and image pull + logs. */
export const ALLOWED_MANAGED_POLICIES = [
  'AmazonEC2ContainerServiceforEC2Role',
  'AmazonSSMManagedInstanceCore',
  'AmazonECSTaskExecutionRolePolicy',
] as const;

/** AWS's policy for CodeDeploy's ECS deployments, only on roles codedeploy.amazonaws.com alone may assume. */
export const ALLOWED_CODEDEPLOY_MANAGED_POLICIES = ['AWSCodeDeployRoleForECS'] as const;

/** AWS managed policies of the CI roles (docs/aws-oidc-setup.md), only on roles GitHub's OIDC provider alone may assume. */
export const ALLOWED_CI_MANAGED_POLICIES = ['ReadOnlyAccess', 'PowerUserAccess'] as const;

/** What a role pull requests can assume must never read: each action, and what else denying it may take. */
const PR_SECRET_READS: readonly (readonly [string, RegExp])[] = [
  ['ssm:GetParameter*', /^(\*|ssm:\*|ssm:GetParameter\*)$/],
  ['secretsmanager:GetSecretValue', /^(\*|secretsmanager:\*|secretsmanager:GetSecretValue)$/],
  ['kms:Decrypt', /^(\*|kms:\*|kms:Decrypt)$/],
];

/** ELB policies that refuse TLS 1.0 and 1.1. */
const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/;
/** ELB policies that offer TLS 1.3 (TLS 1.2 at most as the fallback). */
const TLS13_POLICY = /^ELBSecurityPolicy-TLS13-1-[23]-/;

/** AWS managed rule groups a production web ACL must run. */
export const REQUIRED_WAF_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;

/** Things that must never be written into user data or plain environment variables. */
export const SECRET_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/AKIA[0-9A-Z]{16}/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/(password|passwd|pwd)\s*[=:]/i, 'a password'],
  [/secret\w*\s*[=:]/i, 'a secret'],
  [/ECS_ENGINE_AUTH_DATA\s*=/, 'registry credentials'],
];

const SECRET_ENV_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL/i;

// ---------------------------------------------------------------------------------------------
// Reading the JSON

type Attrs = Record<string, any>;

interface Resource {
  readonly address: string;
  readonly type: string;
  readonly attrs: Attrs;
}

function resources(json: SynthJson, ...types: string[]): Resource[] {
  return types.flatMap((type) =>
    Object.entries(json.resource?.[type] ?? {}).map(([name, attrs]) => ({ address: `${type}.${name}`, type, attrs })),
  );
}

/** Nested blocks synthesize as an object or a list; absent is empty. */
function list(value: unknown): any[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

const isTrue = (v: unknown) => v === true || v === 'true';
const isFalse = (v: unknown) => v === false || v === 'false';

/** Resource addresses a value refers to: `${aws_x.y.id}` -> `aws_x.y` (data sources excluded). */
function refs(value: unknown): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return [...text.matchAll(/\$\{(?!data\.)([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.[a-z0-9_]+/g)].map((m) => `${m[1]}.${m[2]}`);
}

const refersTo = (value: unknown, address: string) => refs(value).includes(address);

/** What the stack declares about its environment (EnvironmentStack's `environment` local). */
function declared(json: SynthJson): { production?: boolean; allow_plain_http?: boolean } {
  return (json as { locals?: Record<string, any> }).locals?.environment ?? {};
}

/** The environment is marked production (`production: true`), not merely named prod. */
const isProd = (json: SynthJson) => declared(json).production === true;

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Principal?: string | Record<string, string | string[]>;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of a literal JSON policy; undefined when the policy is not literal JSON (cannot be checked). */
function statements(policy: unknown): Statement[] | undefined {
  if (typeof policy !== 'string') return undefined;
  try {
    return list(JSON.parse(policy).Statement);
  } catch {
    return undefined;
  }
}

/** Every IAM policy document in the stack, with where it lives and which role (if any) holds it. */
function policyDocuments(json: SynthJson): { address: string; role?: string; policy: unknown }[] {
  return [
    ...resources(json, 'aws_iam_role_policy').map((r) => ({ address: r.address, role: refs(r.attrs.role)[0], policy: r.attrs.policy })),
    ...resources(json, 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy').map((r) => ({
      address: r.address,
      policy: r.attrs.policy,
    })),
    ...resources(json, 'aws_iam_role').flatMap((r) =>
      list(r.attrs.inline_policy).map((p, i) => ({ address: `${r.address}.inline_policy[${i}]`, role: r.address, policy: p.policy })),
    ),
  ];
}

/** Managed policy attachments: role (when attached to a role) and the policy ARN. */
function attachments(json: SynthJson): { address: string; role?: string; arn: string }[] {
  return [
    ...resources(json, 'aws_iam_role_policy_attachment').map((r) => ({
      address: r.address,
      role: refs(r.attrs.role)[0],
      arn: String(r.attrs.policy_arn),
    })),
    ...resources(json, 'aws_iam_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment').map((r) => ({
      address: r.address,
      arn: String(r.attrs.policy_arn),
    })),
    ...resources(json, 'aws_iam_role').flatMap((r) =>
      list(r.attrs.managed_policy_arns).map((arn) => ({ address: r.address, role: r.address, arn: String(arn) })),
    ),
  ];
}

/** `service-role/AmazonECSTaskExecutionRolePolicy` -> `AmazonECSTaskExecutionRolePolicy`; undefined unless AWS managed. */
function awsManagedPolicyName(arn: string): string | undefined {
  const m = /:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m?.[1];
}

interface SgRule {
  readonly address: string;
  /** The security group the rule belongs to, when it is in the stack. */
  readonly sg?: string;
  readonly direction: 'ingress' | 'egress';
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly cidrs: string[];
  readonly sourceSgs: string[];
  readonly self: boolean;
  readonly description?: string;
}

/** Security group rules from all three places Terraform accepts them: rule resources and inline blocks. */
function sgRules(json: SynthJson): SgRule[] {
  const ports = (a: Attrs) => ({
    protocol: String(a.ip_protocol ?? a.protocol),
    from: Number(a.from_port ?? 0),
    to: Number(a.to_port ?? 65535),
  });
  const v2 = resources(json, 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule').map((r): SgRule => ({
    address: r.address,
    sg: refs(r.attrs.security_group_id)[0],
    direction: r.type.includes('ingress') ? 'ingress' : 'egress',
    ...ports(r.attrs),
    cidrs: [r.attrs.cidr_ipv4, r.attrs.cidr_ipv6].filter((c) => c !== undefined),
    sourceSgs: refs(r.attrs.referenced_security_group_id),
    self: false,
    description: r.attrs.description,
  }));
  const legacy = resources(json, 'aws_security_group_rule').map((r): SgRule => ({
    address: r.address,
    sg: refs(r.attrs.security_group_id)[0],
    direction: r.attrs.type,
    ...ports(r.attrs),
    cidrs: [...list(r.attrs.cidr_blocks), ...list(r.attrs.ipv6_cidr_blocks)],
    sourceSgs: refs(r.attrs.source_security_group_id),
    self: isTrue(r.attrs.self),
    description: r.attrs.description,
  }));
  const inline = resources(json, 'aws_security_group', 'aws_default_security_group').flatMap((r) =>
    (['ingress', 'egress'] as const).flatMap((direction) =>
      list(r.attrs[direction]).map((b, i): SgRule => ({
        address: `${r.address}.${direction}[${i}]`,
        sg: r.address,
        direction,
        ...ports(b),
        cidrs: [...list(b.cidr_blocks), ...list(b.ipv6_cidr_blocks)],
        sourceSgs: refs(b.security_groups),
        self: isTrue(b.self),
        description: b.description,
      })),
    ),
  );
  return [...v2, ...legacy, ...inline];
}

const allProtocols = (r: SgRule) => r.protocol === '-1' || r.protocol === 'all';
const coversPort = (r: SgRule, port: number) =>
  allProtocols(r) || (['tcp', 'udp', '6', '17'].includes(r.protocol) && r.from <= port && port <= r.to);
const isOpenCidr = (cidr: string) => cidr.endsWith('/0');

/** Security groups of internet-facing ALBs, each with the ports its listeners use. */
function albSecurityGroups(json: SynthJson): Map<string, Set<number>> {
  const result = new Map<string, Set<number>>();
  for (const lb of resources(json, 'aws_lb', 'aws_alb')) {
    if ((lb.attrs.load_balancer_type ?? 'application') !== 'application') continue;
    const ports = resources(json, 'aws_lb_listener', 'aws_alb_listener')
      .filter((l) => refersTo(l.attrs.load_balancer_arn, lb.address))
      .map((l) => Number(l.attrs.port));
    for (const sg of refs(lb.attrs.security_groups)) result.set(sg, new Set([...(result.get(sg) ?? []), ...ports]));
  }
  return result;
}

/** Security groups attached to EC2 instances (through launch templates or directly). */
function instanceSecurityGroups(json: SynthJson): Set<string> {
  const lts = resources(json, 'aws_launch_template').flatMap((lt) => [
    ...refs(lt.attrs.vpc_security_group_ids),
    ...list(lt.attrs.network_interfaces).flatMap((ni) => refs(ni.security_groups)),
  ]);
  const instances = resources(json, 'aws_instance').flatMap((i) => refs(i.attrs.vpc_security_group_ids));
  return new Set([...lts, ...instances]);
}

/** Route tables with a route to an internet gateway: the public ones. */
function igwRouteTables(json: SynthJson): Set<string> {
  return new Set(
    [
      ...resources(json, 'aws_route').map((r) => ({ table: refs(r.attrs.route_table_id)[0], gateway: r.attrs.gateway_id })),
      ...resources(json, 'aws_route_table').flatMap((t) => list(t.attrs.route).map((r) => ({ table: t.address, gateway: r.gateway_id }))),
    ]
      .filter((r) => refs(r.gateway).some((g) => g.startsWith('aws_internet_gateway.')))
      .map((r) => r.table),
  );
}

/** Route tables associated with a subnet (by address); empty when it uses the VPC's main table. */
function routeTablesOf(json: SynthJson, subnet: string): string[] {
  return resources(json, 'aws_route_table_association')
    .filter((a) => refersTo(a.attrs.subnet_id, subnet))
    .map((a) => refs(a.attrs.route_table_id)[0]);
}

/** NAT instance interfaces: source/destination check off, and a route sends traffic to them. */
function natInterfaces(json: SynthJson): Set<string> {
  const routed = new Set(resources(json, 'aws_route').flatMap((r) => refs(r.attrs.network_interface_id)));
  return new Set(
    resources(json, 'aws_network_interface')
      .filter((e) => isFalse(e.attrs.source_dest_check) && routed.has(e.address))
      .map((e) => e.address),
  );
}

/** Launch templates whose every network interface is a NAT interface: they launch NAT instances. */
function natLaunchTemplates(json: SynthJson): Set<string> {
  const nat = natInterfaces(json);
  return new Set(
    resources(json, 'aws_launch_template')
      .filter((lt) => {
        const nis = list(lt.attrs.network_interfaces);
        return nis.length > 0 && nis.every((ni) => refs(ni.network_interface_id).some((e) => nat.has(e)));
      })
      .map((lt) => lt.address),
  );
}

/** Auto Scaling groups that launch NAT instances. */
/** Auto Scaling groups an ECS capacity provider scales. */
function capacityProviderGroups(json: SynthJson): Set<string> {
  return new Set(
    resources(json, 'aws_ecs_capacity_provider').flatMap((cp) =>
      refs(list(cp.attrs.auto_scaling_group_provider)[0]?.auto_scaling_group_arn),
    ),
  );
}

/** Whether a group launches Spot above its base (AWS defaults on_demand_percentage_above_base_capacity to 100: none). */
function launchesSpot(group: Attrs | undefined): boolean {
  const distribution = list(list(group?.mixed_instances_policy)[0]?.instances_distribution)[0];
  return distribution !== undefined && Number(distribution.on_demand_percentage_above_base_capacity ?? 100) < 100;
}

/** FARGATE_SPOT, and the capacity providers whose group launches Spot, as a strategy names them. */
function spotProviders(json: SynthJson): Set<string> {
  const ec2 = resources(json, 'aws_ecs_capacity_provider').filter((cp) =>
    refs(list(cp.attrs.auto_scaling_group_provider)[0]?.auto_scaling_group_arn).some((g) => launchesSpot(attrsAt(json, g))),
  );
  return new Set(['FARGATE_SPOT', ...ec2.flatMap((cp) => [`\${${cp.address}.name}`, String(cp.attrs.name)])]);
}

/** A group's mixed instances overrides; none without a mixed instances policy. */
function mixedOverrides(group: Attrs): Attrs[] {
  return list(list(list(group.mixed_instances_policy)[0]?.launch_template)[0]?.override);
}

function natGroups(json: SynthJson): Set<string> {
  const lts = natLaunchTemplates(json);
  return new Set(
    resources(json, 'aws_autoscaling_group')
      .filter((g) => refs(g.attrs.launch_template).some((lt) => lts.has(lt)))
      .map((g) => g.address),
  );
}

const WEEK_MINUTES = 7 * 24 * 60;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A group's scheduled actions as a week: for each minute from Sunday 00:00, whether it is above zero. */
interface ScheduledWeek {
  readonly timeZone: string;
  readonly up: readonly boolean[];
}

/**
 * The week an Auto Scaling group's aws_autoscaling_schedule actions make, read from their "M H * * days"
 * recurrences (days as Unix cron numbers, ranges and lists); undefined without actions or when one
 * cannot be read (the rule then says so).
 */
function scheduledWeek(json: SynthJson, group: string): ScheduledWeek | string | undefined {
  const actions = resources(json, 'aws_autoscaling_schedule').filter((a) => refersTo(a.attrs.autoscaling_group_name, group));
  if (actions.length === 0) return undefined;
  const events: { at: number; up: boolean }[] = [];
  for (const a of actions) {
    const m = /^(\d+) (\d+) \* \* ([0-6](?:-[0-6])?(?:,[0-6](?:-[0-6])?)*)$/.exec(String(a.attrs.recurrence));
    if (!m) return `${a.address}: recurrence ${a.attrs.recurrence} is not "M H * * days"`;
    for (const part of m[3].split(',')) {
      const [from, to = from] = part.split('-').map(Number);
      for (let d = from; d <= to; d++)
        events.push({
          at: d * 1440 + Number(m[2]) * 60 + Number(m[1]),
          up: Number(a.attrs.min_size) > 0 || Number(a.attrs.desired_capacity) > 0,
        });
    }
  }
  events.sort((x, y) => x.at - y.at);
  const up = new Array<boolean>(WEEK_MINUTES);
  // Before the week's first action the group is as the week's last one left it.
  let state = events[events.length - 1].up;
  for (let minute = 0, next = 0; minute < WEEK_MINUTES; minute++) {
    while (next < events.length && events[next].at === minute) state = events[next++].up;
    up[minute] = state;
  }
  const zones = [...new Set(actions.map((a) => a.attrs.time_zone ?? 'UTC'))];
  if (zones.length > 1) return `${group}: its scheduled actions use several time zones (${zones.join(', ')})`;
  return { timeZone: zones[0], up };
}

const weekMinute = (m: number) =>
  `${WEEKDAYS[Math.floor(m / 1440)]} ${String(Math.floor((m % 1440) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

interface Container {
  readonly name?: string;
  readonly privileged?: boolean;
  readonly readonlyRootFilesystem?: boolean;
  readonly logConfiguration?: { logDriver?: string; options?: Record<string, string> };
  readonly environment?: { name: string; value: string }[];
  readonly secrets?: { name: string; valueFrom: string }[];
  readonly stopTimeout?: number;
}

/** What `secrets[].valueFrom` may name: an SSM parameter or a Secrets Manager secret (never a value). */
const SECRET_SOURCE = /^arn:aws[a-z-]*:(ssm:[a-z0-9-]+:\d{12}:parameter\/|secretsmanager:[a-z0-9-]+:\d{12}:secret:)\S+$/;

/** The only actions an execution role may hold beyond the managed execution policy: reading its secrets. */
const SECRET_READ_ACTIONS = ['ssm:GetParameters', 'secretsmanager:GetSecretValue', 'kms:Decrypt'] as const;

/** Containers of every task definition; a definition that is not literal JSON is reported as unreadable. */
function containers(json: SynthJson): { address: string; containers?: Container[] }[] {
  return resources(json, 'aws_ecs_task_definition').map((td) => {
    try {
      return { address: td.address, containers: list(JSON.parse(td.attrs.container_definitions)) };
    } catch {
      return { address: td.address };
    }
  });
}

/** Runs `check` on each container; unreadable definitions are violations. */
function perContainer(json: SynthJson, check: (c: Container) => string | undefined): Violation[] {
  return containers(json).flatMap(({ address, containers: cs }) => {
    if (cs === undefined) return [{ address, reason: 'container_definitions is not literal JSON and cannot be checked' }];
    return cs.flatMap((c) => {
      const reason = check(c);
      return reason ? [{ address: `${address} container ${c.name}`, reason }] : [];
    });
  });
}

/** Text of user data: the raw value, plus its decoding when it is a literal base64 string. */
function userDataTexts(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const compact = value.replace(/\s/g, '');
  const literalBase64 = !value.includes('${') && compact.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact);
  return literalBase64 ? [value, Buffer.from(compact, 'base64').toString('utf8')] : [value];
}

function secretsIn(text: string): string[] {
  return SECRET_PATTERNS.filter(([pattern]) => pattern.test(text)).map(([, what]) => what);
}

/** A violation for each resource of `types` where `reason(attrs)` returns a message. */
function each(json: SynthJson, types: string | string[], reason: (a: Attrs, address: string) => string | undefined): Violation[] {
  return resources(json, ...list(types)).flatMap((r) => {
    const why = reason(r.attrs, r.address);
    return why ? [{ address: r.address, reason: why }] : [];
  });
}

const GITHUB_OIDC = 'token.actions.githubusercontent.com';

/** A trust statement whose principal is GitHub's OIDC provider (its ARN, or the stack's provider for its URL). */
function isGithubOidcTrust(json: SynthJson, s: Statement): boolean {
  const federated = typeof s.Principal === 'object' ? list(s.Principal.Federated) : [];
  return federated.some(
    (f) =>
      String(f).endsWith(`:oidc-provider/${GITHUB_OIDC}`) ||
      refs(f).some(
        (r) =>
          r.startsWith('aws_iam_openid_connect_provider.') &&
          String(json.resource?.aws_iam_openid_connect_provider?.[r.split('.')[1]]?.url).includes(GITHUB_OIDC),
      ),
  );
}

/** GitHub subjects a trust statement admits (StringEquals and StringLike). */
function githubSubjects(s: Statement): string[] {
  return ['StringEquals', 'StringLike', 'ForAnyValue:StringEquals', 'ForAnyValue:StringLike'].flatMap((op) =>
    list(s.Condition?.[op]?.[`${GITHUB_OIDC}:sub`]).map(String),
  );
}

/** Exactly sts.amazonaws.com as audience and only exact subjects (StringEquals, no wildcard) of one repository. */
function githubTrustIsExact(s: Statement): boolean {
  const equals = s.Condition?.StringEquals ?? {};
  const subjects = list(equals[`${GITHUB_OIDC}:sub`]).map(String);
  const repos = new Set(subjects.map((x) => /^repo:([^:]+):/.exec(x)?.[1]));
  const onlyEquals = Object.keys(s.Condition ?? {}).every((op) => op === 'StringEquals');
  return (
    onlyEquals &&
    list(equals[`${GITHUB_OIDC}:aud`]).join() === 'sts.amazonaws.com' &&
    subjects.length > 0 &&
    subjects.every((x) => !/[*?]/.test(x)) &&
    repos.size === 1 &&
    !repos.has(undefined)
  );
}

/** Roles GitHub's OIDC provider (and nothing else) may assume, with the subjects they admit. */
function githubRoles(json: SynthJson): { address: string; subjects: string[] }[] {
  return resources(json, 'aws_iam_role').flatMap((r) => {
    const allows = (statements(r.attrs.assume_role_policy) ?? []).filter((s) => s.Effect === 'Allow');
    if (allows.length === 0 || !allows.every((s) => isGithubOidcTrust(json, s))) return [];
    return [{ address: r.address, subjects: allows.flatMap(githubSubjects) }];
  });
}

/** Whether a Deny statement covers `action` on every resource but, at most, SSM's public /aws/service/ parameters. */
function deniesEverywhere(s: Statement, pattern: RegExp): boolean {
  if (s.Effect !== 'Deny' || s.Condition !== undefined || !actionsOf(s).some((a) => pattern.test(a))) return false;
  if (s.NotResource !== undefined) return list(s.NotResource).every((r) => /:parameter\/aws\/service\/\*$/.test(String(r)));
  return list(s.Resource).includes('*');
}

/** Instance types (and credit_specification) of the groups a service's capacity provider strategy places it on. */
function instanceTypesOf(json: SynthJson, service: string | undefined): { type: string; credits?: string }[] {
  const attrs = service ? json.resource?.aws_ecs_service?.[service.split('.')[1]] : undefined;
  if (!attrs) return [];
  const byAddress = (address: string) => json.resource?.[address.split('.')[0]]?.[address.split('.')[1]];
  return list(attrs.capacity_provider_strategy)
    .flatMap((st) => refs(st.capacity_provider))
    .flatMap((cp) => refs(list(byAddress(cp)?.auto_scaling_group_provider)[0]?.auto_scaling_group_arn))
    .flatMap((group) => {
      const g = byAddress(group) ?? {};
      const mixed = list(list(g.mixed_instances_policy)[0]?.launch_template)[0];
      const spec = list(g.launch_template)[0] ?? list(mixed?.launch_template_specification)[0];
      const lt = refs([spec?.id, spec?.launch_template_id]).map(byAddress).find(Boolean) ?? {};
      const credits = list(lt.credit_specification)[0]?.cpu_credits;
      const types = [lt.instance_type, ...list(mixed?.override).map((o) => o.instance_type)].filter((t) => typeof t === 'string');
      return [...new Set(types)].map((type) => ({ type, credits }));
    });
}

/** Buckets for which no `companion` resource of `type` refers to them and satisfies `ok`. */
function bucketsWithout(json: SynthJson, type: string, ok: (a: Attrs) => boolean, reason: string): Violation[] {
  const companions = resources(json, type);
  return each(json, 'aws_s3_bucket', (_, address) =>
    companions.some((c) => refersTo(c.attrs.bucket, address) && ok(c.attrs)) ? undefined : reason,
  );
}

const actionsOf = (s: Statement) => list(s.Action).map(String);

/** Roles whose trust policy lets exactly this one AWS service, and nothing else, assume them. */
function serviceRoles(json: SynthJson, service: string): string[] {
  return resources(json, 'aws_iam_role')
    .filter((r) => {
      const allows = (statements(r.attrs.assume_role_policy) ?? []).filter((s) => s.Effect === 'Allow');
      return allows.length > 0 && allows.every((s) => typeof s.Principal === 'object' && list(s.Principal.Service).join() === service);
    })
    .map((r) => r.address);
}

/** An ECS service CodeDeploy deploys (deployment_controller CODE_DEPLOY). */
const isCodeDeploy = (a: Attrs) => list(a.deployment_controller)[0]?.type === 'CODE_DEPLOY';

const attrsAt = (json: SynthJson, address: string): Attrs | undefined => json.resource?.[address.split('.')[0]]?.[address.split('.')[1]];

/** AWS's own capacity providers; every other one in a strategy is an Auto Scaling group's. */
const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];
const strategyProviders = (a: Attrs): string[] =>
  list(a.capacity_provider_strategy ?? a.default_capacity_provider_strategy).map((st) => String(st.capacity_provider));

/** ECS's default stopTimeout when a container sets none (Fargate and, without ECS_CONTAINER_STOP_TIMEOUT, EC2). */
const ECS_DEFAULT_STOP_TIMEOUT = 30;

/** The containers of the task definition an ECS service runs; undefined when it is not the stack's literal JSON. */
function serviceContainers(json: SynthJson, service: Attrs): Container[] | undefined {
  const td = refs(service.task_definition).find((r) => r.startsWith('aws_ecs_task_definition.'));
  const defs = td ? attrsAt(json, td)?.container_definitions : undefined;
  try {
    return typeof defs === 'string' ? list(JSON.parse(defs)) : undefined;
  } catch {
    return undefined;
  }
}

/** The deployment groups whose ecs_service is this service. */
function deploymentGroupsOf(json: SynthJson, service: string): Resource[] {
  return resources(json, 'aws_codedeploy_deployment_group').filter((g) =>
    list(g.attrs.ecs_service).some((e) => refersTo(e.service_name, service)),
  );
}

/** A deployment group's target group pair: the aws_lb_target_group addresses its target_group blocks name. */
function pairOf(group: Attrs): string[] {
  const pair = list(list(group.load_balancer_info)[0]?.target_group_pair_info)[0];
  return list(pair?.target_group)
    .flatMap((t) => refs(t.name))
    .filter((r) => r.startsWith('aws_lb_target_group.'));
}

/** The target groups an ECS service's tasks may serve from: its load_balancer's, and its deployment groups' pairs. */
function serviceTargetGroups(json: SynthJson, service: Resource): Set<string> {
  return new Set([
    ...list(service.attrs.load_balancer).flatMap((lb) => refs(lb.target_group_arn)),
    ...deploymentGroupsOf(json, service.address).flatMap((g) => pairOf(g.attrs)),
  ]);
}

/** The target groups an alarm's metrics (or metric math queries) have as their TargetGroup dimension. */
function alarmTargetGroups(a: Attrs): string[] {
  const dimensions = [a.dimensions, ...list(a.metric_query).map((q) => list(q.metric)[0]?.dimensions)];
  return dimensions.flatMap((d) => refs(d?.TargetGroup)).filter((r) => r.startsWith('aws_lb_target_group.'));
}

/** The alarms of the stack a deployment group names, by reference or by literal name. */
function groupAlarms(json: SynthJson, group: Attrs): { named: string[]; alarms: Resource[] } {
  const named = list(list(group.alarm_configuration)[0]?.alarms).map(String);
  const all = resources(json, 'aws_cloudwatch_metric_alarm');
  const alarms = all.filter((a) => named.some((n) => refersTo(n, a.address) || n === a.attrs.alarm_name));
  return { named, alarms };
}

/** Listener rules and listeners whose forward (action or default_action) sends to one of `targetGroups`. */
function forwardsTo(json: SynthJson, targetGroups: ReadonlySet<string>): { resource: Resource; block: string }[] {
  const hits = (actions: unknown) =>
    list(actions).some((x) =>
      [x.target_group_arn, ...list(list(x.forward)[0]?.target_group).map((t) => t.arn)].some((v) =>
        refs(v).some((r) => targetGroups.has(r)),
      ),
    );
  return [
    ...resources(json, 'aws_lb_listener_rule', 'aws_alb_listener_rule')
      .filter((r) => hits(r.attrs.action))
      .map((resource) => ({ resource, block: 'action' })),
    ...resources(json, 'aws_lb_listener', 'aws_alb_listener')
      .filter((l) => hits(l.attrs.default_action))
      .map((resource) => ({ resource, block: 'default_action' })),
  ];
}

/** What a CODE_DEPLOY service must leave to CodeDeploy (lifecycle.ignore_changes). */
export const CODE_DEPLOY_IGNORED = ['task_definition', 'load_balancer', 'capacity_provider_strategy', 'desired_count'] as const;

// ---------------------------------------------------------------------------------------------
// The rules

export const RULES: readonly Rule[] = [
  // Network
  {
    id: 'sg-public-ingress-alb-only',
    checkov: 'CKV_AWS_260, CKV_AWS_24, CKV_AWS_25',
    checks: 'Ingress from 0.0.0.0/0 or ::/0 only on an ALB security group, only on its listener ports',
    why: 'The ALB is the one public entry point. CKV_AWS_260 flags port 80 on it too; that is the intended exception.',
    check: (json) => {
      const albs = albSecurityGroups(json);
      return sgRules(json)
        .filter((r) => r.direction === 'ingress' && r.cidrs.some(isOpenCidr))
        .filter((r) => !(r.sg && r.protocol === 'tcp' && r.from === r.to && albs.get(r.sg)?.has(r.from)))
        .map((r) => ({
          address: r.address,
          reason: `open to the internet on ${r.protocol} ${r.from}-${r.to} outside an ALB listener port`,
        }));
    },
  },
  {
    id: 'sg-no-admin-ports',
    checkov: 'CKV_AWS_24, CKV_AWS_25',
    checks: 'No ingress rule whose port range covers 22 (SSH) or 3389 (RDP), from any source',
    why: 'Instances are reached through Session Manager; an open admin port is an attack surface nobody needs.',
    check: (json) =>
      sgRules(json)
        .filter((r) => r.direction === 'ingress')
        .flatMap((r) =>
          [22, 3389].filter((p) => coversPort(r, p)).map((p) => ({ address: r.address, reason: `ingress covers port ${p}` })),
        ),
  },
  {
    id: 'sg-descriptions',
    checkov: 'CKV_AWS_23',
    checks: 'Every security group and every rule has a description',
    why: 'A rule nobody can explain is a rule nobody dares remove; descriptions show in the console and the plan.',
    check: (json) => [
      ...each(json, 'aws_security_group', (a) =>
        !a.description || a.description === 'Managed by Terraform' ? 'security group has no description' : undefined,
      ),
      ...sgRules(json)
        .filter((r) => !r.description?.trim())
        .map((r) => ({ address: r.address, reason: 'rule has no description' })),
    ],
  },
  {
    id: 'instance-ingress-from-alb-only',
    checkov: '—',
    checks: "Container instances' security groups admit traffic only from an ALB security group",
    why: 'Tasks are reached through the load balancer and nothing else, so a compromised neighbour cannot call them directly.',
    check: (json) => {
      const instanceSgs = instanceSecurityGroups(json);
      const albs = albSecurityGroups(json);
      return sgRules(json)
        .filter((r) => r.direction === 'ingress' && r.sg !== undefined && instanceSgs.has(r.sg))
        .filter((r) => r.cidrs.length > 0 || r.self || r.sourceSgs.length === 0 || r.sourceSgs.some((sg) => !albs.has(sg)))
        .map((r) => ({ address: r.address, reason: 'instance ingress from something other than the ALB security group' }));
    },
  },
  {
    id: 'instances-no-public-ip',
    checkov: 'CKV_AWS_88',
    checks:
      'Launch templates set associate_public_ip_address = false on every network interface; no instance has a public IP. NAT instances excepted: their interface is the NAT interface, with its Elastic IP',
    why: 'Instances live in private subnets and reach AWS through NAT; a public IP would bypass the ALB and the security model.',
    check: (json) => [
      ...each(json, 'aws_launch_template', (a, address) => {
        if (natLaunchTemplates(json).has(address)) return undefined;
        const nis = list(a.network_interfaces);
        return nis.length > 0 && nis.every((ni) => isFalse(ni.associate_public_ip_address))
          ? undefined
          : 'network interfaces do not set associate_public_ip_address = false';
      }),
      ...each(json, 'aws_instance', (a) => (isTrue(a.associate_public_ip_address) ? 'instance gets a public IP' : undefined)),
    ],
  },
  {
    id: 'subnets-no-auto-public-ip',
    checkov: 'CKV_AWS_130',
    checks: 'No subnet has map_public_ip_on_launch = true',
    why: 'Only the ALB and NAT gateways sit in public subnets and they bring their own addresses; nothing should get one by accident.',
    check: (json) => each(json, 'aws_subnet', (a) => (isTrue(a.map_public_ip_on_launch) ? 'subnet maps public IPs on launch' : undefined)),
  },
  {
    id: 'instances-in-private-subnets',
    checkov: '—',
    checks:
      "Auto Scaling groups launch only into subnets whose route table has no route to an internet gateway (the NAT instance's group excepted)",
    why: 'Defence in depth with no-public-IP: even a mistaken public address is unreachable without an internet gateway route.',
    check: (json) => {
      const igwTables = igwRouteTables(json);
      const nat = natGroups(json);
      return resources(json, 'aws_autoscaling_group')
        .filter((asg) => !nat.has(asg.address))
        .flatMap((asg) =>
          refs(asg.attrs.vpc_zone_identifier).flatMap((subnet) => {
            const tables = routeTablesOf(json, subnet);
            if (tables.length === 0)
              return [{ address: asg.address, reason: `${subnet} has no route table of its own (the main table is unchecked)` }];
            return tables.some((t) => igwTables.has(t))
              ? [{ address: asg.address, reason: `${subnet} routes to an internet gateway` }]
              : [];
          }),
        );
    },
  },
  {
    id: 'default-sg-closed',
    checkov: 'CKV2_AWS_12',
    checks: 'Every VPC adopts its default security group with no rules',
    why: 'The default group allows all traffic between its members; anything that falls back on it by mistake would be open.',
    check: (json) => {
      const defaults = resources(json, 'aws_default_security_group');
      return each(json, 'aws_vpc', (_, vpc) => {
        const sg = defaults.find((d) => refersTo(d.attrs.vpc_id, vpc));
        if (!sg) return 'default security group is not managed (keeps its allow-all rules)';
        return list(sg.attrs.ingress).length + list(sg.attrs.egress).length > 0 ? 'default security group has rules' : undefined;
      });
    },
  },
  {
    id: 'no-scale-to-zero-in-prod',
    checkov: '—',
    checks: "In prod, no scheduled action scales instances or services to zero, or lowers a group's minimum to 0",
    why: 'A working-hours schedule is a dev saving; in prod it is an outage every night.',
    check: (json) =>
      isProd(json)
        ? [
            ...each(json, 'aws_autoscaling_schedule', (a) =>
              Number(a.max_size) === 0 || Number(a.min_size) === 0
                ? 'scales the Auto Scaling group to zero, or lets it scale in to zero'
                : undefined,
            ),
            ...each(json, 'aws_appautoscaling_scheduled_action', (a) =>
              Number(list(a.scalable_target_action)[0]?.max_capacity) === 0 ? 'scales a scalable target to zero' : undefined,
            ),
          ]
        : [],
  },
  {
    id: 'flow-logs-in-prod',
    checkov: 'CKV2_AWS_11',
    checks: 'In prod, every VPC has a flow log capturing ALL traffic',
    why: 'Accepted and rejected flows are the record an incident investigation starts from.',
    check: (json) => {
      if (!isProd(json)) return [];
      const logs = resources(json, 'aws_flow_log');
      return each(json, 'aws_vpc', (_, vpc) =>
        logs.some((l) => refersTo(l.attrs.vpc_id, vpc) && l.attrs.traffic_type === 'ALL') ? undefined : 'no flow log with traffic_type ALL',
      );
    },
  },

  // NAT instance
  {
    id: 'source-dest-check-nat-only',
    checkov: '—',
    checks: 'Source/destination check is off only on a NAT interface (one a route sends traffic to); never on an instance',
    why: 'An interface without the check accepts and sends packets of any address: right for the NAT, a spoofing hole anywhere else.',
    check: (json) => {
      const nat = natInterfaces(json);
      return [
        ...each(json, 'aws_network_interface', (a, address) =>
          isFalse(a.source_dest_check) && !nat.has(address)
            ? 'source/destination check is off, but no route sends traffic to this interface'
            : undefined,
        ),
        ...each(json, 'aws_instance', (a) => (isFalse(a.source_dest_check) ? 'source/destination check is off on an instance' : undefined)),
      ];
    },
  },
  {
    id: 'nat-ingress-private-subnets-only',
    checkov: '—',
    checks: "A NAT interface's security groups admit traffic only from private subnets' CIDRs (subnets without an internet gateway route)",
    why: 'A NAT that forwards for anyone else is an open proxy with our address on it.',
    check: (json) => {
      const publicTables = igwRouteTables(json);
      const privateCidrs = new Set(
        resources(json, 'aws_subnet')
          .filter((sn) => routeTablesOf(json, sn.address).some((t) => !publicTables.has(t)))
          .map((sn) => sn.attrs.cidr_block),
      );
      const natSgs = new Set(
        resources(json, 'aws_network_interface')
          .filter((e) => natInterfaces(json).has(e.address))
          .flatMap((e) => refs(e.attrs.security_groups)),
      );
      return sgRules(json)
        .filter((r) => r.direction === 'ingress' && r.sg !== undefined && natSgs.has(r.sg))
        .filter((r) => r.self || r.sourceSgs.length > 0 || r.cidrs.length === 0 || r.cidrs.some((c) => !privateCidrs.has(c)))
        .map((r) => ({
          address: r.address,
          reason: `NAT ingress from ${[...r.cidrs, ...r.sourceSgs].join(', ') || 'its own group'}, not a private subnet`,
        }));
    },
  },
  {
    id: 'nat-instance-up-while-instances-are',
    checkov: '—',
    checks: "A NAT instance's group, when scheduled, is up at every minute of the week any other Auto Scaling group is (same time zone)",
    why: 'Instances without egress cannot register with ECS, pull images or send logs: a NAT that stops first, or starts after them, strands them.',
    check: (json) => {
      const nat = natGroups(json);
      return [...nat].flatMap((natGroup) => {
        const natWeek = scheduledWeek(json, natGroup);
        if (natWeek === undefined) return [];
        if (typeof natWeek === 'string') return [{ address: natGroup, reason: natWeek }];
        return resources(json, 'aws_autoscaling_group')
          .filter((g) => !nat.has(g.address))
          .flatMap((g) => {
            const week = scheduledWeek(json, g.address);
            if (typeof week === 'string') return [{ address: natGroup, reason: week }];
            if (week && week.timeZone !== natWeek.timeZone) {
              return [{ address: natGroup, reason: `scheduled in ${natWeek.timeZone}, ${g.address} in ${week.timeZone}` }];
            }
            const stranded = natWeek.up.findIndex((natUp, minute) => !natUp && (week === undefined || week.up[minute]));
            return stranded < 0
              ? []
              : [{ address: natGroup, reason: `the NAT instance is down at ${weekMinute(stranded)} while ${g.address} is up` }];
          });
      });
    },
  },
  {
    id: 'asg-no-existing-eni-with-subnets',
    checkov: '—',
    checks:
      'An Auto Scaling group whose launch template names an existing network interface (network_interface_id) sets availability_zones and no vpc_zone_identifier',
    why: 'With an existing interface the group "must specify the Availability Zone, but not the subnet ID"; EC2 refuses an interface next to an instance-level subnet, so every launch fails and the apply times out waiting for capacity (https://docs.aws.amazon.com/autoscaling/ec2/userguide/create-launch-template.html).',
    check: (json) => {
      const withInterface = new Set(
        resources(json, 'aws_launch_template')
          .filter((lt) => list(lt.attrs.network_interfaces).some((ni) => ni.network_interface_id !== undefined))
          .map((lt) => lt.address),
      );
      return each(json, 'aws_autoscaling_group', (a) => {
        const lt = [...refs(a.launch_template), ...refs(a.mixed_instances_policy)].find((x) => withInterface.has(x));
        if (!lt) return undefined;
        if (list(a.vpc_zone_identifier).length > 0) return `sets vpc_zone_identifier, but ${lt} names an existing network interface`;
        return list(a.availability_zones).length === 0
          ? `sets no availability_zones, but ${lt} names an existing network interface`
          : undefined;
      });
    },
  },
  {
    id: 'no-key-pairs',
    checkov: '—',
    checks: 'No key pair resource, and no launch template or instance names a key pair',
    why: 'Every instance (container hosts and the NAT) is reached through Session Manager; a key pair is a long-lived credential nobody rotates.',
    check: (json) => [
      ...each(json, 'aws_key_pair', () => 'a key pair'),
      ...each(json, ['aws_launch_template', 'aws_instance'], (a) => (a.key_name !== undefined ? `key_name is ${a.key_name}` : undefined)),
    ],
  },

  // Instances
  {
    id: 'ssm-ami-shown-in-plan',
    checkov: '—',
    checks: "A launch template's image_id read from an SSM parameter uses the data source's insecure_value, never value or resolve:ssm:",
    why: 'value is marked sensitive, so the plan shows "(sensitive value)" and a new AMI replaces instances unreviewed; resolve:ssm: changes at the next launch without a plan at all (https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/data-sources/ssm_parameter).',
    check: (json) =>
      each(json, 'aws_launch_template', (a) => {
        const image = String(a.image_id ?? '');
        if (image.startsWith('resolve:ssm:')) return `image_id ${image} is resolved at launch, never shown in a plan`;
        const hidden = [...image.matchAll(/\$\{data\.aws_ssm_parameter\.[\w-]+\.(\w+)\}/g)].find((m) => m[1] !== 'insecure_value');
        return hidden ? `image_id reads the SSM parameter's ${hidden[1]} (sensitive in the plan), not insecure_value` : undefined;
      }),
  },
  {
    id: 'launch-template-tags-what-launches-create',
    checkov: '—',
    checks:
      'Every launch template has tag specifications for instance, volume and network-interface (network-interface not when every interface is an existing one, named by network_interface_id)',
    why: "The provider's default_tags never reach what an Auto Scaling group launches; untagged volumes and interfaces fall out of cost allocation and tag-based access control (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchTemplateTagSpecificationRequest.html).",
    check: (json) =>
      each(json, 'aws_launch_template', (a) => {
        const tagged = new Set(list(a.tag_specifications).map((t) => t.resource_type));
        const nis = list(a.network_interfaces);
        const existingOnly = nis.length > 0 && nis.every((ni) => ni.network_interface_id !== undefined);
        const missing = ['instance', 'volume', ...(existingOnly ? [] : ['network-interface'])].filter((type) => !tagged.has(type));
        return missing.length > 0 ? `tags no ${missing.join(', ')} at launch` : undefined;
      }),
  },
  {
    id: 'imdsv2-hop-limit-1',
    checkov: 'CKV_AWS_79, CKV_AWS_341',
    checks: 'Launch templates and instances require IMDSv2 tokens with a PUT response hop limit of 1',
    why: 'IMDSv2 blocks SSRF credential theft; hop limit 1 keeps bridge-mode containers from reading the instance role (terraform-aws-modules default).',
    check: (json) =>
      each(json, ['aws_launch_template', 'aws_instance'], (a) => {
        const md = list(a.metadata_options)[0] ?? {};
        if (md.http_tokens !== 'required') return `http_tokens is ${md.http_tokens ?? 'unset (optional)'}, not required`;
        return Number(md.http_put_response_hop_limit) === 1
          ? undefined
          : `hop limit is ${md.http_put_response_hop_limit ?? 'unset'}, not 1`;
      }),
  },
  {
    id: 'ebs-encrypted',
    checkov: 'CKV_AWS_8, CKV_AWS_3',
    checks: 'Every EBS volume a launch template, instance or volume resource defines is encrypted',
    why: 'Container layers and logs land on the root volume; without a mapping it inherits the AMI snapshot, which is unencrypted.',
    check: (json) => [
      ...each(json, 'aws_launch_template', (a) => {
        const ebs = list(a.block_device_mappings).flatMap((m) => list(m.ebs));
        if (ebs.length === 0) return 'no block device mapping: the root volume inherits the AMI snapshot encryption';
        return ebs.every((e) => isTrue(e.encrypted)) ? undefined : 'an EBS mapping is not encrypted';
      }),
      ...each(json, 'aws_instance', (a) =>
        list(a.root_block_device).every((d) => isTrue(d.encrypted)) ? undefined : 'root volume is not encrypted',
      ),
      ...each(json, 'aws_ebs_volume', (a) => (isTrue(a.encrypted) ? undefined : 'volume is not encrypted')),
    ],
  },
  {
    id: 'user-data-no-secrets',
    checkov: 'CKV_AWS_46',
    checks: 'User data (decoded when literal base64) holds no AWS keys, private keys, passwords, secrets or registry credentials',
    why: 'User data is readable by anyone with ec2:DescribeInstanceAttribute and from inside the instance via IMDS.',
    check: (json) =>
      each(json, ['aws_launch_template', 'aws_instance'], (a) => {
        const found = [...new Set([a.user_data, a.user_data_base64].flatMap(userDataTexts).flatMap(secretsIn))];
        return found.length > 0 ? `user data contains ${found.join(', ')}` : undefined;
      }),
  },

  // Load balancer
  {
    id: 'alb-drops-invalid-headers',
    checkov: 'CKV_AWS_131',
    checks: 'Application load balancers set drop_invalid_header_fields = true',
    why: 'Malformed headers are a request-smuggling vector; the ALB should not forward them (terraform-aws-modules default).',
    check: (json) =>
      each(json, ['aws_lb', 'aws_alb'], (a) =>
        (a.load_balancer_type ?? 'application') === 'application' && !isTrue(a.drop_invalid_header_fields)
          ? 'drop_invalid_header_fields is not true'
          : undefined,
      ),
  },
  {
    id: 'alb-tls12-policy',
    checkov: 'CKV_AWS_103',
    checks: 'Every HTTPS/TLS listener uses an ELB security policy that refuses TLS 1.0 and 1.1',
    why: 'TLS 1.0/1.1 are deprecated (RFC 8996); the AWS default policy for a listener without one still accepts them.',
    check: (json) =>
      each(json, ['aws_lb_listener', 'aws_alb_listener'], (a) =>
        ['HTTPS', 'TLS'].includes(a.protocol) && !TLS12_POLICY.test(a.ssl_policy ?? '')
          ? `ssl_policy ${a.ssl_policy ?? '(default ELBSecurityPolicy-2016-08)'} allows TLS below 1.2`
          : undefined,
      ),
  },
  {
    id: 'alb-tls13-policy',
    checkov: '—',
    checks: 'Every HTTPS listener uses an ELBSecurityPolicy-TLS13-* policy',
    why: 'TLS 1.3 is faster to connect and drops the legacy ciphers; the policy AWS recommends for new listeners.',
    check: (json) =>
      each(json, ['aws_lb_listener', 'aws_alb_listener'], (a) =>
        a.protocol === 'HTTPS' && !TLS13_POLICY.test(a.ssl_policy ?? '')
          ? `ssl_policy ${a.ssl_policy ?? '(default)'} is not a TLS 1.3 policy`
          : undefined,
      ),
  },
  {
    id: 'alb-http-redirects-to-https',
    checkov: 'CKV_AWS_2, CKV2_AWS_20',
    checks:
      'HTTP listeners only redirect to HTTPS with a 301, and no listener rule on them forwards; exempt only a load balancer without HTTPS in an environment that sets allowPlainHttp',
    why: 'Plain HTTP must not serve the app unless someone chose it in the config (dev, the example); Checkov would flag that choice too.',
    check: (json) => {
      const listeners = resources(json, 'aws_lb_listener', 'aws_alb_listener');
      const httpsLbs = new Set(listeners.filter((l) => l.attrs.protocol === 'HTTPS').flatMap((l) => refs(l.attrs.load_balancer_arn)));
      const exempt = (l: Resource) =>
        declared(json).allow_plain_http === true && !refs(l.attrs.load_balancer_arn).some((lb) => httpsLbs.has(lb));
      const plain = listeners.filter((l) => (l.attrs.protocol ?? 'HTTP') === 'HTTP' && !exempt(l));
      const redirects = (d: Attrs) =>
        d.type === 'redirect' && list(d.redirect)[0]?.protocol === 'HTTPS' && list(d.redirect)[0]?.status_code === 'HTTP_301';
      return [
        ...plain
          .filter((l) => !list(l.attrs.default_action).every(redirects))
          .map((l) => ({
            address: l.address,
            reason: 'HTTP listener does something other than a 301 to HTTPS (allowPlainHttp not set, or HTTPS exists)',
          })),
        ...resources(json, 'aws_lb_listener_rule', 'aws_alb_listener_rule')
          .filter((r) => plain.some((l) => refersTo(r.attrs.listener_arn, l.address)) && !list(r.attrs.action).every(redirects))
          .map((r) => ({ address: r.address, reason: 'rule on an HTTP listener serves plain HTTP' })),
      ];
    },
  },
  {
    id: 'waf-in-production',
    checkov: 'CKV2_AWS_28, CKV_AWS_192',
    checks: `In production, every ALB is associated with a REGIONAL web ACL that runs a rate-based rule and ${REQUIRED_WAF_RULE_GROUPS.join(', ')}`,
    why: 'The ALB is public: known exploits, bad inputs, known-bad IPs and floods from one address stop before the app (terraform-aws-modules associates one too).',
    check: (json) => {
      if (!isProd(json)) return [];
      const acls = resources(json, 'aws_wafv2_web_acl');
      const associations = resources(json, 'aws_wafv2_web_acl_association');
      const missing = (acl: Resource) => {
        const statements = list(acl.attrs.rule).map((r) => list(r.statement)[0] ?? {});
        const groups = statements
          .flatMap((st) => list(st.managed_rule_group_statement))
          .filter((g) => g.vendor_name === 'AWS')
          .map((g) => g.name);
        return [
          ...(acl.attrs.scope === 'REGIONAL' ? [] : ['scope REGIONAL']),
          ...(statements.some((st) => list(st.rate_based_statement).length > 0) ? [] : ['a rate-based rule']),
          ...REQUIRED_WAF_RULE_GROUPS.filter((g) => !groups.includes(g)),
        ];
      };
      return each(json, ['aws_lb', 'aws_alb'], (_, lb) => {
        const association = associations.find((a) => refersTo(a.attrs.resource_arn, lb));
        const acl = acls.find((w) => association && refersTo(association.attrs.web_acl_arn, w.address));
        if (!acl) return 'no WAF web ACL is associated';
        const lacking = missing(acl);
        return lacking.length > 0 ? `${acl.address} lacks ${lacking.join(', ')}` : undefined;
      });
    },
  },
  {
    id: 'alb-deletion-protection-in-prod',
    checkov: 'CKV_AWS_150',
    checks: 'In prod, load balancers have enable_deletion_protection = true',
    why: 'The ALB DNS name is what clients and DNS records point at; losing it to a stray destroy is an outage.',
    check: (json) =>
      isProd(json)
        ? each(json, ['aws_lb', 'aws_alb'], (a) => (isTrue(a.enable_deletion_protection) ? undefined : 'deletion protection is off'))
        : [],
  },
  {
    id: 'alb-access-logs-in-prod',
    checkov: 'CKV_AWS_91',
    checks: 'In prod, load balancers write access logs to a bucket',
    why: 'Access logs are the only per-request record of who called the service.',
    check: (json) =>
      isProd(json)
        ? each(json, ['aws_lb', 'aws_alb'], (a) => {
            const logs = list(a.access_logs)[0];
            return logs && isTrue(logs.enabled) && logs.bucket ? undefined : 'access logs are off';
          })
        : [],
  },
  {
    id: 'target-group-health-check',
    checkov: '—',
    checks: 'Target groups have an enabled health check on a path other than "/"',
    why: 'The app serves nothing at "/"; the readiness endpoint reports whether the app can take traffic, not just whether Tomcat is up.',
    check: (json) =>
      each(json, ['aws_lb_target_group', 'aws_alb_target_group'], (a) => {
        const hc = list(a.health_check)[0];
        if (!hc || isFalse(hc.enabled)) return 'health check is disabled';
        return !hc.path || hc.path === '/' ? `health check path is ${hc.path ?? 'unset ("/")'}` : undefined;
      }),
  },

  // ECS
  {
    id: 'ecs-container-insights',
    checkov: 'CKV_AWS_65',
    checks: 'In prod, ECS clusters have the containerInsights setting enabled (or enhanced)',
    why: 'Per-task CPU, memory and restart metrics are what the on-call engineer looks at first. Elsewhere it may be off to save its metrics (dev: more than its compute).',
    check: (json) =>
      !isProd(json)
        ? []
        : each(json, 'aws_ecs_cluster', (a) => {
            const values = list(a.setting)
              .filter((s) => s.name === 'containerInsights')
              .map((s) => s.value);
            return values.length > 0 && values.every((v) => ['enabled', 'enhanced'].includes(v)) ? undefined : 'Container Insights is off';
          }),
  },
  {
    id: 'ecs-distinct-roles',
    checkov: 'CKV_AWS_249',
    checks: 'Task definitions use different roles for execution (pull, logs) and for the task (the app)',
    why: 'The app must not inherit the right to pull images and write any log stream.',
    check: (json) =>
      each(json, 'aws_ecs_task_definition', (a) =>
        a.execution_role_arn !== undefined && a.execution_role_arn === a.task_role_arn
          ? 'execution role and task role are the same'
          : undefined,
      ),
  },
  {
    id: 'ecs-task-role-no-wildcards',
    checkov: 'CKV_AWS_63 (scoped)',
    checks: 'Task roles have no Allow with a wildcard action or NotAction, and no AWS managed policy (its actions are unseen)',
    why: 'The task role is what a compromised app can use; it gets exactly the actions the app calls (today: none).',
    check: (json) => {
      const taskRoles = new Set(resources(json, 'aws_ecs_task_definition').flatMap((td) => refs(td.attrs.task_role_arn)));
      const inStackPolicies = new Map(resources(json, 'aws_iam_policy').map((p) => [p.address, p.attrs.policy]));
      const docs = [
        ...policyDocuments(json).filter((d) => d.role && taskRoles.has(d.role)),
        ...attachments(json)
          .filter((at) => at.role && taskRoles.has(at.role))
          .map((at) => ({ address: at.address, policy: inStackPolicies.get(refs(at.arn)[0]) ?? `managed policy ${at.arn}` })),
      ];
      return docs.flatMap(({ address, policy }) => {
        const ss = statements(policy);
        if (!ss) return [{ address, reason: `task role holds a policy whose actions cannot be checked: ${String(policy).slice(0, 120)}` }];
        return ss
          .filter((s) => s.Effect === 'Allow' && (s.NotAction !== undefined || actionsOf(s).some((a) => a.includes('*'))))
          .map((s) => ({ address, reason: `task role allows wildcard actions ${JSON.stringify(s.Action ?? { NotAction: s.NotAction })}` }));
      });
    },
  },
  {
    id: 'ecs-no-privileged-containers',
    checkov: 'CKV_AWS_334',
    checks: 'No container definition sets privileged = true',
    why: 'A privileged container is root on the instance: it can read every other task and the instance role.',
    check: (json) => perContainer(json, (c) => (c.privileged === true ? 'container is privileged' : undefined)),
  },
  {
    id: 'ecs-read-only-root-filesystem',
    checkov: 'CKV_AWS_336',
    checks: 'Every container sets readonlyRootFilesystem = true, unless listed in READONLY_ROOT_EXCEPTIONS',
    why: "An attacker who gets code execution cannot drop tools or alter the app on disk; writes go to the /tmp task volume and each service's configured writable paths (tmpfs).",
    check: (json) =>
      perContainer(json, (c) =>
        c.readonlyRootFilesystem === true || (c.name !== undefined && c.name in READONLY_ROOT_EXCEPTIONS)
          ? undefined
          : 'root filesystem is writable',
      ),
  },
  {
    id: 'ecs-container-logging',
    checkov: '—',
    checks: 'Every container has a log configuration (awslogs with a log group)',
    why: 'Without it the only copy of the app log dies with the task.',
    check: (json) =>
      perContainer(json, (c) => {
        const lc = c.logConfiguration;
        if (!lc?.logDriver) return 'no log configuration';
        return lc.logDriver === 'awslogs' && !lc.options?.['awslogs-group'] ? 'awslogs without a log group' : undefined;
      }),
  },
  {
    id: 'ecs-no-host-namespaces',
    checkov: 'CKV_AWS_335',
    checks: "Task definitions do not use the host's network, PID or IPC namespace",
    why: 'Host networking would let a container reach IMDS (the hop limit no longer applies) and every port on the instance.',
    check: (json) =>
      each(json, 'aws_ecs_task_definition', (a) => {
        const shared = (['network_mode', 'pid_mode', 'ipc_mode'] as const).filter((k) => a[k] === 'host');
        return shared.length > 0 ? `shares the host namespace: ${shared.join(', ')}` : undefined;
      }),
  },
  {
    id: 'ecs-no-plaintext-secrets',
    checkov: '—',
    checks: 'Container environment variables hold no secrets (secret-like names, keys, passwords); use `secrets` with valueFrom',
    why: 'Plain environment values are visible to anyone who can describe the task definition.',
    check: (json) =>
      perContainer(json, (c) => {
        const bad = list(c.environment).filter(
          (e) => (SECRET_ENV_NAME.test(e.name) && e.value) || secretsIn(`${e.name}=${e.value}`).length > 0,
        );
        if (bad.length > 0) return `plain environment variables look secret: ${bad.map((e) => e.name).join(', ')}`;
        const notArns = list(c.secrets).filter((x) => !SECRET_SOURCE.test(String(x.valueFrom)));
        return notArns.length > 0
          ? `secrets whose valueFrom is not an SSM parameter or Secrets Manager ARN: ${notArns.map((x) => x.name).join(', ')}`
          : undefined;
      }),
  },
  {
    id: 'ecs-secrets-least-privilege',
    checkov: 'CKV_AWS_355 (scoped)',
    checks: `Execution roles' own policies allow only ${SECRET_READ_ACTIONS.join(', ')}, on named ARNs (no wildcard), exactly the secrets their containers reference (kms:Decrypt on a named key)`,
    why: 'The execution role can read what it is granted before the app even starts; a wildcard would hand every task every secret of the account.',
    check: (json) => {
      const byRole = new Map<string, Set<string>>();
      for (const td of resources(json, 'aws_ecs_task_definition')) {
        const role = refs(td.attrs.execution_role_arn)[0];
        if (!role) continue;
        const wanted = byRole.get(role) ?? new Set<string>();
        const cs = containers(json).find((c) => c.address === td.address)?.containers ?? [];
        cs.flatMap((c) => list(c.secrets)).forEach((x) => wanted.add(String(x.valueFrom)));
        byRole.set(role, wanted);
      }
      const docs = policyDocuments(json).filter((d) => d.role && byRole.has(d.role));
      const ungranted = [...byRole]
        .filter(([role, wanted]) => wanted.size > 0 && !docs.some((d) => d.role === role))
        .map(([role]) => ({ address: role, reason: 'containers reference secrets, but the execution role has no policy to read them' }));
      return ungranted.concat(
        docs.flatMap(({ address, role, policy }) => {
          const ss = statements(policy) ?? [];
          const wanted = byRole.get(role!)!;
          const reasons: string[] = [];
          for (const st of ss.filter((x) => x.Effect === 'Allow')) {
            const actions = actionsOf(st);
            const other = actions.filter((a) => !(SECRET_READ_ACTIONS as readonly string[]).includes(a));
            if (other.length > 0) reasons.push(`execution role allows ${other.join(', ')}`);
            const resources = list(st.Resource).map(String);
            if (resources.length === 0 || resources.some((r) => r.includes('*')))
              reasons.push(`execution role reads secrets on ${JSON.stringify(st.Resource ?? null)}`);
            const reads = actions.filter((a) => a !== 'kms:Decrypt');
            if (reads.length > 0)
              resources
                .filter((r) => !r.includes('*') && !wanted.has(r))
                .forEach((r) => reasons.push(`execution role reads ${r}, which no container references`));
          }
          const granted = new Set(
            ss
              .filter((x) => x.Effect === 'Allow' && actionsOf(x).some((a) => a !== 'kms:Decrypt'))
              .flatMap((x) => list(x.Resource).map(String)),
          );
          [...wanted]
            .filter((w) => !granted.has(w))
            .forEach((w) => reasons.push(`a container references ${w}, which the execution role cannot read`));
          return reasons.map((reason) => ({ address, reason }));
        }),
      );
    },
  },
  {
    id: 'ecs-circuit-breaker-rollback',
    checkov: '—',
    checks: 'ECS services with the ECS (rolling) deployment controller enable the deployment circuit breaker with rollback',
    why: 'A deployment whose tasks never get healthy rolls back by itself instead of cycling forever. CodeDeploy judges a CODE_DEPLOY service instead (codedeploy-* rules).',
    check: (json) =>
      each(json, 'aws_ecs_service', (a) => {
        if (isCodeDeploy(a)) return undefined;
        const cb = list(a.deployment_circuit_breaker)[0];
        return cb && isTrue(cb.enable) && isTrue(cb.rollback) ? undefined : 'circuit breaker with rollback is off';
      }),
  },
  {
    id: 'codedeploy-service-no-ecs-rollout',
    checkov: '—',
    checks:
      'A CODE_DEPLOY ECS service sets none of what only an ECS rollout takes: force_new_deployment, a deployment circuit breaker, ECS deployment alarms, wait_for_steady_state, a postcondition',
    why: "ECS refuses force_new_deployment, the circuit breaker and deployment alarms on a CODE_DEPLOY service; hashicorp/aws 5.x's steady-state wait never ends on one; a postcondition on the task definition fails every apply after CodeDeploy moved it. CodeDeploy judges the deployment instead, with the same alarms.",
    check: (json) =>
      each(json, 'aws_ecs_service', (a) => {
        if (!isCodeDeploy(a)) return undefined;
        const set = [
          isTrue(a.force_new_deployment) && 'force_new_deployment',
          list(a.deployment_circuit_breaker).some((c) => isTrue(c.enable)) && 'deployment_circuit_breaker',
          list(a.alarms).some((x) => isTrue(x.enable)) && 'alarms',
          isTrue(a.wait_for_steady_state) && 'wait_for_steady_state',
          list(a.lifecycle?.postcondition).length > 0 && 'lifecycle.postcondition',
        ].filter(Boolean);
        return set.length > 0 ? `CODE_DEPLOY service sets ${set.join(', ')}` : undefined;
      }),
  },
  {
    id: 'codedeploy-service-ignores-what-codedeploy-moves',
    checkov: '—',
    checks: `A CODE_DEPLOY ECS service has a deployment group, ignores ${CODE_DEPLOY_IGNORED.join(', ')}, and every listener rule (action) or listener (default_action) forwarding to its target groups ignores the forward and depends on both target groups`,
    why: 'CodeDeploy moves the task set, its target group and the forward between the two target groups; a Terraform that still owned them would move traffic back to the old tasks on the next apply, and one that destroyed a target group before the forward now using it would be refused (ResourceInUse).',
    check: (json) =>
      resources(json, 'aws_ecs_service')
        .filter((svc) => isCodeDeploy(svc.attrs))
        .flatMap((svc) => {
          const ignored = list(svc.attrs.lifecycle?.ignore_changes).map(String);
          const missing = ignored.includes('all') ? [] : CODE_DEPLOY_IGNORED.filter((x) => !ignored.includes(x));
          const own = [
            ...(deploymentGroupsOf(json, svc.address).length === 0 ? ['no CodeDeploy deployment group deploys it'] : []),
            ...(missing.length > 0 ? [`does not ignore ${missing.join(', ')}`] : []),
          ].map((reason) => ({ address: svc.address, reason }));
          const targetGroups = serviceTargetGroups(json, svc);
          const forwards = forwardsTo(json, targetGroups).flatMap(({ resource, block }) => {
            const ignores = list(resource.attrs.lifecycle?.ignore_changes).some((x) => x === block || x === 'all');
            const needed = [...refs(resource.attrs[block]), ...list(resource.attrs.depends_on).map(String)];
            const unordered = [...targetGroups].filter((tg) => !needed.includes(tg));
            return [
              ...(ignores ? [] : [`forwards to ${svc.address}'s target groups but does not ignore ${block}`]),
              ...(unordered.length > 0 ? [`does not depend on ${unordered.join(', ')}, which CodeDeploy may forward it to`] : []),
            ].map((reason) => ({ address: resource.address, reason }));
          });
          return [...own, ...forwards];
        }),
  },
  {
    id: 'codedeploy-group-ecs-blue-green',
    checkov: '—',
    checks:
      'A deployment group of an ECS service is BLUE_GREEN WITH_TRAFFIC_CONTROL, uses an ECS deployment configuration (CodeDeployDefault.ECS*, or an ECS one of the stack; never the default OneAtATime), and rolls back automatically on DEPLOYMENT_FAILURE and DEPLOYMENT_STOP_ON_ALARM',
    why: 'CodeDeploy rejects an EC2 configuration for ECS, and a failed or alarmed deployment must move traffic back to the original task set without anyone at the console.',
    check: (json) => {
      const ecsConfigs = new Set(
        resources(json, 'aws_codedeploy_deployment_config')
          .filter((c) => c.attrs.compute_platform === 'ECS')
          .map((c) => c.address),
      );
      return each(json, 'aws_codedeploy_deployment_group', (a) => {
        if (list(a.ecs_service).length === 0) return undefined;
        const reasons: string[] = [];
        const config = a.deployment_config_name;
        if (!(/^CodeDeployDefault\.ECS/.test(String(config)) || refs(config).some((r) => ecsConfigs.has(r))))
          reasons.push(`deployment_config_name ${config ?? 'unset (CodeDeployDefault.OneAtATime)'} is not an ECS deployment configuration`);
        const style = list(a.deployment_style)[0] ?? {};
        if (style.deployment_type !== 'BLUE_GREEN' || style.deployment_option !== 'WITH_TRAFFIC_CONTROL')
          reasons.push(
            `deployment_style is ${style.deployment_type ?? 'IN_PLACE'}/${style.deployment_option ?? 'WITHOUT_TRAFFIC_CONTROL'}`,
          );
        const rollback = list(a.auto_rollback_configuration)[0];
        const events = list(rollback?.events).map(String);
        const absent = ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'].filter((e) => !events.includes(e));
        if (!isTrue(rollback?.enabled) || absent.length > 0)
          reasons.push(`automatic rollback is off${isTrue(rollback?.enabled) ? ` for ${absent.join(', ')}` : ''}`);
        return reasons.length > 0 ? reasons.join('; ') : undefined;
      });
    },
  },
  {
    id: 'codedeploy-group-alarms-are-deployment-alarms',
    checkov: '—',
    checks:
      'A deployment group of an ECS service watches alarms (enabled, not ignoring poll failures): every alarm of the stack on its target groups, and each of them on both target groups of the pair',
    why: 'The alarms that judge a rolling deployment (target 5xx, unhealthy hosts, p99 latency) judge a blue/green one; after a deployment the tasks serve from the other target group, so an alarm on one of them would watch an idle group half of the time.',
    check: (json) =>
      resources(json, 'aws_codedeploy_deployment_group')
        .filter((g) => list(g.attrs.ecs_service).length > 0)
        .flatMap((g) => {
          const pair = pairOf(g.attrs);
          const alarmConfig = list(g.attrs.alarm_configuration)[0];
          const { named, alarms } = groupAlarms(json, g.attrs);
          const reasons: string[] = [];
          if (!isTrue(alarmConfig?.enabled) || named.length === 0) reasons.push('alarm monitoring is off');
          if (isTrue(alarmConfig?.ignore_poll_alarm_failure)) reasons.push('ignores alarm poll failures');
          const expected = resources(json, 'aws_cloudwatch_metric_alarm').filter((a) =>
            alarmTargetGroups(a.attrs).some((tg) => pair.includes(tg)),
          );
          const unwatched = expected.filter((a) => !alarms.some((x) => x.address === a.address)).map((a) => a.address);
          if (unwatched.length > 0) reasons.push(`misses the service's deployment alarms ${unwatched.join(', ')}`);
          const oneSided = alarms.filter((a) => !pair.every((tg) => alarmTargetGroups(a.attrs).includes(tg))).map((a) => a.address);
          if (oneSided.length > 0) reasons.push(`${oneSided.join(', ')} watch not both target groups of the pair`);
          return reasons.map((reason) => ({ address: g.address, reason }));
        }),
  },
  {
    id: 'codedeploy-test-listener-not-public',
    checkov: '—',
    checks:
      "A deployment group's test listener is not open to the internet: no ingress from 0.0.0.0/0 or ::/0 on its port to its ALB's security groups",
    why: 'The test listener serves the replacement task set before anyone approved it; only the testers may reach it.',
    check: (json) => {
      const rules = sgRules(json).filter((r) => r.direction === 'ingress' && r.cidrs.some(isOpenCidr));
      return resources(json, 'aws_codedeploy_deployment_group').flatMap((g) => {
        const route = list(list(list(g.attrs.load_balancer_info)[0]?.target_group_pair_info)[0]?.test_traffic_route)[0];
        return refs(route?.listener_arns).flatMap((listener) => {
          const l = attrsAt(json, listener);
          const sgs = refs(attrsAt(json, refs(l?.load_balancer_arn)[0] ?? '.')?.security_groups);
          return rules
            .filter((r) => r.sg && sgs.includes(r.sg) && coversPort(r, Number(l?.port)))
            .map((r) => ({ address: r.address, reason: `opens test listener ${listener} (port ${l?.port}) to the internet` }));
        });
      });
    },
  },
  {
    id: 'burstable-cpu-target-within-baseline',
    checkov: '—',
    checks:
      "An ECS service's ECSServiceAverageCPUUtilization target is at most the baseline per vCPU of its instances when they are burstable with unlimited credits",
    why: 'Unlimited mode bills CPU above the baseline, averaged over 24 hours, as surplus credits (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-performance-instances-unlimited-mode-concepts.html): tasks held at a higher target cost more than the instances themselves.',
    check: (json) =>
      resources(json, 'aws_appautoscaling_policy').flatMap((p) => {
        const config = list(p.attrs.target_tracking_scaling_policy_configuration)[0];
        if (list(config?.predefined_metric_specification)[0]?.predefined_metric_type !== 'ECSServiceAverageCPUUtilization') return [];
        const target = Number(config.target_value);
        // resource_id is the service's, or its scalable target's (which names the service).
        const ids = [
          p.attrs.resource_id,
          ...refs(p.attrs.resource_id)
            .filter((r) => r.startsWith('aws_appautoscaling_target.'))
            .map((r) => json.resource?.aws_appautoscaling_target?.[r.split('.')[1]]?.resource_id),
        ];
        const service = refs(ids).find((r) => r.startsWith('aws_ecs_service.'));
        return instanceTypesOf(json, service)
          .filter(({ type, credits }) => unlimitedCredits(type, credits) && target > BURSTABLE_TYPES[type].baselinePercent)
          .map(({ type }) => ({
            address: p.address,
            reason: `CPU target ${target}% is above ${type}'s ${BURSTABLE_TYPES[type].baselinePercent}% baseline with unlimited credits: surplus credits`,
          }));
      }),
  },
  {
    id: 'ecs-service-waits-for-role-policies',
    checkov: '—',
    checks:
      "ECS services depend_on every aws_iam_role_policy and aws_iam_role_policy_attachment of their task definition's task and execution roles",
    why: 'IAM changes are eventually consistent (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency): without the dependency the first tasks can start before their role may read secrets or open exec channels.',
    check: (json) => {
      const roleOf = (td: string | undefined, key: string) =>
        td ? refs(json.resource?.aws_ecs_task_definition?.[td.split('.')[1]]?.[key]) : [];
      const grants = [
        ...resources(json, 'aws_iam_role_policy', 'aws_iam_role_policy_attachment').map((r) => ({
          address: r.address,
          role: refs(r.attrs.role)[0],
        })),
      ];
      return each(json, 'aws_ecs_service', (a) => {
        const td = refs(a.task_definition).find((r) => r.startsWith('aws_ecs_task_definition.'));
        const roles = new Set([...roleOf(td, 'execution_role_arn'), ...roleOf(td, 'task_role_arn')]);
        const dependsOn = list(a.depends_on).map(String);
        const missing = grants.filter((g) => g.role && roles.has(g.role) && !dependsOn.includes(g.address)).map((g) => g.address);
        return missing.length > 0 ? `does not depend on ${missing.join(', ')}` : undefined;
      });
    },
  },
  {
    id: 'ecs-desired-count-ignored',
    checkov: '—',
    checks: 'ECS services ignore changes to desired_count',
    why: 'Service autoscaling owns the count; otherwise every apply would reset it, scaling in under load.',
    check: (json) =>
      each(json, 'aws_ecs_service', (a) => {
        const ignored = list(a.lifecycle?.ignore_changes);
        return ignored.includes('desired_count') || ignored.includes('all')
          ? undefined
          : 'desired_count is not in lifecycle.ignore_changes';
      }),
  },
  {
    id: 'ecs-service-no-public-ip',
    checkov: 'CKV_AWS_333',
    checks: 'ECS services do not assign public IPs to tasks',
    why: 'Tasks are only reachable through the ALB.',
    check: (json) =>
      each(json, 'aws_ecs_service', (a) =>
        list(a.network_configuration).some((n) => isTrue(n.assign_public_ip)) ? 'tasks get public IPs' : undefined,
      ),
  },
  {
    id: 'fargate-task-ingress-from-alb-only',
    checkov: '—',
    checks:
      "An awsvpc service's task security groups admit only an ALB's security group, only on the container ports of its load_balancer blocks, no CIDR; and that ALB group has the matching egress",
    why: 'Fargate tasks have their own interfaces and addresses: their group is the only thing between them and the VPC, and the ALB must reach them on the container port (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html).',
    check: (json) => {
      const albs = albSecurityGroups(json);
      const rules = sgRules(json);
      return resources(json, 'aws_ecs_service').flatMap((svc) => {
        const taskSgs = list(svc.attrs.network_configuration).flatMap((n) => refs(n.security_groups));
        const ports = list(svc.attrs.load_balancer).map((lb) => Number(lb.container_port));
        const ingress = rules.filter((r) => r.direction === 'ingress' && r.sg !== undefined && taskSgs.includes(r.sg));
        const wrong = ingress
          .filter(
            (r) =>
              r.cidrs.length > 0 ||
              r.self ||
              r.sourceSgs.length === 0 ||
              r.sourceSgs.some((sg) => !albs.has(sg)) ||
              r.from !== r.to ||
              !ports.includes(r.from),
          )
          .map((r) => ({
            address: r.address,
            reason: `task ingress other than an ALB security group on the container port (${ports.join(', ')})`,
          }));
        const unreachable = ports
          .filter((port) => taskSgs.length > 0 && !ingress.some((r) => r.from === port))
          .map((port) => ({ address: svc.address, reason: `no ingress from the ALB on container port ${port}` }));
        const noEgress = ingress
          .filter((r) => !wrong.some((w) => w.address === r.address))
          .filter(
            (r) =>
              !rules.some(
                (e) => e.direction === 'egress' && e.sg === r.sourceSgs[0] && e.sourceSgs.includes(r.sg!) && coversPort(e, r.from),
              ),
          )
          .map((r) => ({ address: r.address, reason: `the ALB security group has no egress to ${r.sg} on port ${r.from}` }));
        return [...wrong, ...unreachable, ...noEgress];
      });
    },
  },
  {
    id: 'ecs-strategy-no-mixed-providers',
    checkov: '—',
    checks:
      "No capacity provider strategy (a service's, or a cluster's default) mixes FARGATE/FARGATE_SPOT with Auto Scaling group providers",
    why: 'ECS refuses it: "A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html).',
    check: (json) =>
      each(json, ['aws_ecs_service', 'aws_ecs_cluster_capacity_providers'], (a) => {
        const providers = strategyProviders(a);
        const fargate = providers.filter((p) => FARGATE_PROVIDERS.includes(p));
        return fargate.length > 0 && fargate.length < providers.length
          ? `strategy mixes ${fargate.join(', ')} with Auto Scaling group providers`
          : undefined;
      }),
  },
  {
    id: 'fargate-task-size-valid',
    checkov: '—',
    checks: "A FARGATE task definition is awsvpc and sets task-level cpu and memory to one of Fargate's combinations",
    why: 'ECS refuses any other size at registration, after the plan has passed (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size); moto does not check it.',
    check: (json) =>
      each(json, 'aws_ecs_task_definition', (a) => {
        if (!list(a.requires_compatibilities).includes('FARGATE')) return undefined;
        if (a.network_mode !== 'awsvpc') return `network_mode ${a.network_mode} on Fargate (awsvpc only)`;
        const memory = FARGATE_TASK_SIZES[Number(a.cpu)];
        if (!memory) return `cpu ${a.cpu} is not a Fargate task size (${Object.keys(FARGATE_TASK_SIZES).join(', ')})`;
        return memory.includes(Number(a.memory)) ? undefined : `memory ${a.memory} is not allowed with cpu ${a.cpu} on Fargate`;
      }),
  },
  {
    id: 'spot-interruption-budget',
    checkov: '—',
    checks: `A service that may run on Spot (FARGATE_SPOT, or a capacity provider whose group launches Spot): its target groups' deregistration_delay plus its containers' stopTimeout is at most ${SPOT_WARNING_SECONDS} s`,
    why: 'Spot gives two minutes: Fargate Spot stops an interrupted task then (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html), and EC2 reclaims the instance (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html); a longer drain plus stop cuts requests in flight.',
    check: (json) => {
      const spot = spotProviders(json);
      return resources(json, 'aws_ecs_service')
        .filter((svc) => strategyProviders(svc.attrs).some((p) => spot.has(p)))
        .flatMap((svc) => {
          const cs = serviceContainers(json, svc.attrs);
          if (!cs) return [{ address: svc.address, reason: 'its task definition is not literal JSON and cannot be checked' }];
          const stop = Math.max(...cs.map((c) => c.stopTimeout ?? ECS_DEFAULT_STOP_TIMEOUT));
          return [...serviceTargetGroups(json, svc)].flatMap((tg) => {
            const delay = Number(attrsAt(json, tg)?.deregistration_delay ?? 300);
            return delay + stop > SPOT_WARNING_SECONDS
              ? [
                  {
                    address: svc.address,
                    reason: `${tg} deregistration_delay ${delay} + stopTimeout ${stop} exceeds ${SPOT_WARNING_SECONDS} s`,
                  },
                ]
              : [];
          });
        });
    },
  },

  // Capacity
  {
    id: 'asg-managed-by-ecs',
    checkov: '—',
    checks: "Auto Scaling groups (the NAT instance's excepted) set protect_from_scale_in and carry the AmazonECSManaged tag",
    why: 'Managed termination protection needs scale-in protection; ECS adds the tag itself, so declaring it avoids a perpetual diff.',
    check: (json) =>
      each(json, 'aws_autoscaling_group', (a, address) => {
        if (natGroups(json).has(address)) return undefined;
        if (!isTrue(a.protect_from_scale_in)) return 'protect_from_scale_in is not true';
        return list(a.tag).some((t) => t.key === 'AmazonECSManaged') ? undefined : 'no AmazonECSManaged tag';
      }),
  },
  {
    id: 'capacity-provider-group-unweighted',
    checkov: '—',
    checks: 'No mixed instances override of an Auto Scaling group an ECS capacity provider uses sets weighted_capacity',
    why: 'ECS capacity providers do not support weights: "The Auto Scaling group can\'t have instance weighting settings" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/asg-capacity-providers.html); managed scaling counts instances, not units.',
    check: (json) => {
      const groups = capacityProviderGroups(json);
      return each(json, 'aws_autoscaling_group', (a, address) => {
        if (!groups.has(address)) return undefined;
        const weighted = mixedOverrides(a).filter((o) => o.weighted_capacity !== undefined);
        return weighted.length > 0 ? `weighted_capacity on ${weighted.map((o) => o.instance_type).join(', ')}` : undefined;
      });
    },
  },
  {
    id: 'spot-capacity-provider-drains',
    checkov: '—',
    checks:
      "An ECS capacity provider's Auto Scaling group that launches Spot sets capacity_rebalance, and its launch template's user data sets ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
    why: 'Without the agent setting ECS never sees the two-minute interruption notice and the tasks die with the instance (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/spot-instance-draining-linux-container.html); capacity rebalancing launches the replacement before the interruption (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-capacity-rebalancing.html), its termination drained by managed draining.',
    check: (json) => {
      const groups = capacityProviderGroups(json);
      return each(json, 'aws_autoscaling_group', (a, address) => {
        const mixed = list(a.mixed_instances_policy)[0];
        const distribution = list(mixed?.instances_distribution)[0] ?? {};
        // AWS defaults on_demand_percentage_above_base_capacity to 100: no Spot.
        if (!groups.has(address) || !mixed || Number(distribution.on_demand_percentage_above_base_capacity ?? 100) >= 100) return undefined;
        if (!isTrue(a.capacity_rebalance)) return 'launches Spot without capacity_rebalance';
        const spec = list(list(mixed.launch_template)[0]?.launch_template_specification)[0];
        const templates = refs(spec?.launch_template_id).map((lt) => json.resource?.aws_launch_template?.[lt.split('.')[1]]);
        return templates.some((lt) => String(lt?.user_data ?? '').includes('ECS_ENABLE_SPOT_INSTANCE_DRAINING=true'))
          ? undefined
          : 'launches Spot from a launch template whose user data lacks ECS_ENABLE_SPOT_INSTANCE_DRAINING=true';
      });
    },
  },
  {
    id: 'capacity-provider-managed',
    checkov: '—',
    checks: 'Capacity providers enable managed termination protection and managed draining',
    why: 'Scale-in and instance refresh must never terminate an instance that still runs tasks.',
    check: (json) =>
      each(json, 'aws_ecs_capacity_provider', (a) => {
        const p = list(a.auto_scaling_group_provider)[0] ?? {};
        if (p.managed_termination_protection !== 'ENABLED') return 'managed termination protection is not ENABLED';
        return p.managed_draining === 'ENABLED' ? undefined : 'managed draining is not ENABLED';
      }),
  },

  {
    id: 'protected-groups-scale-in-through-ecs',
    checkov: '—',
    checks:
      'No scheduled action sets max_size or desired_capacity to 0 on a group that a capacity provider with managed termination protection scales (min_size only)',
    why:
      'ECS keeps those instances protected from scale-in, and AWS cancels a scale-in when every remaining instance is protected, so a desired 0 leaves them running; ' +
      'a lower min_size lets ECS managed scaling remove them once their tasks are gone, and a max_size above 0 lets it scale out for a deploy. ' +
      'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-termination-protection.html, ' +
      'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-protection.html, ' +
      'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/asg-capacity-providers.html',
    check: (json) => {
      const protectedGroups = resources(json, 'aws_ecs_capacity_provider')
        .map((cp) => list(cp.attrs.auto_scaling_group_provider)[0] ?? {})
        .filter((p) => p.managed_termination_protection === 'ENABLED')
        .flatMap((p) => refs(p.auto_scaling_group_arn));
      return each(json, 'aws_autoscaling_schedule', (a) => {
        const group = protectedGroups.find((g) => refersTo(a.autoscaling_group_name, g));
        if (!group) return undefined;
        const zero = (['max_size', 'desired_capacity'] as const).filter((k) => a[k] !== undefined && Number(a[k]) === 0);
        return zero.length > 0 ? `sets ${zero.join(' and ')} to 0 on ${group}, whose instances ECS protects from scale-in` : undefined;
      });
    },
  },

  // ECR (vacuous when the image comes from elsewhere)
  {
    id: 'ecr-scan-on-push',
    checkov: 'CKV_AWS_163',
    checks: 'ECR repositories scan images on push',
    why: 'Known CVEs in the image show up before the image runs.',
    check: (json) =>
      each(json, 'aws_ecr_repository', (a) =>
        isTrue(list(a.image_scanning_configuration)[0]?.scan_on_push) ? undefined : 'scan on push is off',
      ),
  },
  {
    id: 'ecr-immutable-tags',
    checkov: 'CKV_AWS_51',
    checks: 'ECR repositories have immutable tags',
    why: 'A tag always means the same image, so what was tested is what runs.',
    check: (json) => each(json, 'aws_ecr_repository', (a) => (a.image_tag_mutability === 'IMMUTABLE' ? undefined : 'tags are mutable')),
  },
  {
    id: 'ecr-lifecycle-policy',
    checkov: '—',
    checks: 'Every ECR repository has a lifecycle policy that expires images',
    why: 'Every source change pushes an image; without expiry storage cost grows without bound.',
    check: (json) => {
      const policies = resources(json, 'aws_ecr_lifecycle_policy');
      return each(json, 'aws_ecr_repository', (_, repo) =>
        policies.some((p) => refersTo(p.attrs.repository, repo) && /"expire"/.test(String(p.attrs.policy)))
          ? undefined
          : 'no lifecycle policy expires images',
      );
    },
  },
  {
    id: 'ecr-kms-encryption',
    checkov: 'CKV_AWS_136',
    checks: 'ECR repositories encrypt with KMS',
    why: 'Key use is logged in CloudTrail and access to the key can be revoked separately from the repository.',
    check: (json) =>
      each(json, 'aws_ecr_repository', (a) =>
        list(a.encryption_configuration).length > 0 && list(a.encryption_configuration).every((e) => e.encryption_type === 'KMS')
          ? undefined
          : 'not encrypted with KMS',
      ),
  },

  {
    id: 'ecr-lifecycle-keeps-tagged',
    checkov: '—',
    checks: 'ECR lifecycle rules expire only untagged images, by age (sinceImagePushed); never tagged or any images, never by count',
    why: 'Every image pushed is tagged (src-<hash>-<arch>, immutable) and deployed by digest: a count rule over tagged or any images expires the one prod runs once it lags that many builds behind, and a scale-out or rollback then fails with CannotPullContainerError. A tagStatus any rule also selects tagged images. https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html',
    check: (json) =>
      each(json, 'aws_ecr_lifecycle_policy', (a) => {
        let rules: any[];
        try {
          rules = list(JSON.parse(String(a.policy)).rules);
        } catch {
          return 'the policy is not literal JSON: its rules cannot be checked';
        }
        const bad = rules.filter(
          (r) => r.action?.type === 'expire' && !(r.selection?.tagStatus === 'untagged' && r.selection?.countType === 'sinceImagePushed'),
        );
        return bad.length > 0
          ? `rule ${bad.map((r) => `${r.rulePriority} (tagStatus ${r.selection?.tagStatus}, ${r.selection?.countType})`).join(', ')} expires more than untagged images by age`
          : undefined;
      }),
  },
  {
    id: 'ecr-repositories-in-registry-only',
    checkov: '—',
    checks: 'No environment stack (one declaring its `environment` local) holds an aws_ecr_repository: host-name-registry owns them all',
    why: "ECR names are unique per registry: a repository an environment stack owns, once forgotten (the URI path's removed block), makes the next build-path apply fail with RepositoryAlreadyExistsException. One owner, whichever path builds the image. https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
    check: (json) =>
      Object.keys(declared(json)).length === 0
        ? []
        : each(json, 'aws_ecr_repository', () => 'an environment stack owns an ECR repository; look it up from host-name-registry instead'),
  },

  // Operations: alarms, their topic, ECS Exec
  {
    id: 'alarms-notify',
    checkov: '—',
    checks: 'Every metric alarm notifies an SNS topic of the stack on ALARM',
    why: 'An alarm nobody hears is a graph; each one must page through the environment topic.',
    check: (json) => {
      const topics = resources(json, 'aws_sns_topic').map((t) => t.address);
      return each(json, 'aws_cloudwatch_metric_alarm', (a) =>
        list(a.alarm_actions).some((action) => topics.some((t) => refersTo(action, t))) ? undefined : 'notifies no SNS topic of the stack',
      );
    },
  },
  {
    id: 'sns-topic-cmk',
    checkov: 'CKV_AWS_26 (stricter)',
    checks: 'Every SNS topic is encrypted with a customer managed key of the stack whose policy lets cloudwatch.amazonaws.com use it',
    why: 'Encryption at rest; and CloudWatch alarms cannot publish to a topic under the AWS managed aws/sns key, whose policy has no statement for them.',
    check: (json) =>
      each(json, 'aws_sns_topic', (a) => {
        const key = resources(json, 'aws_kms_key').find((k) => refersTo(a.kms_master_key_id, k.address));
        if (!key) return `not encrypted with a customer managed key of the stack (kms_master_key_id ${a.kms_master_key_id ?? 'unset'})`;
        const grants = (statements(key.attrs.policy) ?? []).filter(
          (st) =>
            st.Effect === 'Allow' && typeof st.Principal === 'object' && list(st.Principal.Service).includes('cloudwatch.amazonaws.com'),
        );
        const actions = grants.flatMap(actionsOf);
        return ['kms:Decrypt', 'kms:GenerateDataKey*'].every((x) => actions.includes(x))
          ? undefined
          : `key ${key.address} does not let cloudwatch.amazonaws.com Decrypt and GenerateDataKey*`;
      }),
  },
  {
    id: 'sns-tls-only',
    checkov: '—',
    checks: 'Every SNS topic has a topic policy that denies sns:Publish (and the rest) without aws:SecureTransport',
    why: 'Alarm messages name resources and thresholds; they travel only over TLS (SNS security best practice).',
    check: (json) => {
      const policies = resources(json, 'aws_sns_topic_policy');
      return each(json, 'aws_sns_topic', (_, address) =>
        policies.some(
          (p) =>
            refersTo(p.attrs.arn, address) &&
            (statements(p.attrs.policy) ?? []).some(
              (st) =>
                st.Effect === 'Deny' &&
                actionsOf(st).some((x) => ['sns:Publish', 'sns:*', '*'].includes(x)) &&
                String(st.Condition?.Bool?.['aws:SecureTransport']) === 'false',
            ),
        )
          ? undefined
          : 'no topic policy denies insecure transport',
      );
    },
  },
  {
    id: 'ecs-exec-logging-encrypted',
    checkov: '—',
    checks:
      'A cluster whose services allow ECS Exec records sessions (logging OVERRIDE) to a log group of the stack encrypted with KMS, and encrypts sessions with a KMS key',
    why: 'A shell in production is an audit event: every session is kept, and what it printed is encrypted at rest and in transit.',
    check: (json) => {
      const execClusters = new Set(
        resources(json, 'aws_ecs_service')
          .filter((svc) => isTrue(svc.attrs.enable_execute_command))
          .flatMap((svc) => refs(svc.attrs.cluster)),
      );
      return each(json, 'aws_ecs_cluster', (a, address) => {
        if (!execClusters.has(address)) return undefined;
        const exec = list(list(a.configuration)[0]?.execute_command_configuration)[0];
        const logs = list(exec?.log_configuration)[0];
        if (exec?.logging !== 'OVERRIDE' || !logs)
          return `services allow ECS Exec but sessions are not logged (logging ${exec?.logging ?? 'unset'})`;
        if (!isTrue(logs.cloud_watch_encryption_enabled)) return 'session logs do not require an encrypted log group';
        const group = resources(json, 'aws_cloudwatch_log_group').find((g) => refersTo(logs.cloud_watch_log_group_name, g.address));
        if (!group) return 'session log group is not in the stack';
        if (group.attrs.kms_key_id === undefined) return `session log group ${group.address} is not encrypted with KMS`;
        return exec.kms_key_id === undefined ? 'sessions are not encrypted with a KMS key' : undefined;
      });
    },
  },
  {
    id: 'kms-key-rotation',
    checkov: 'CKV_AWS_7',
    checks: 'Every customer managed KMS key rotates yearly',
    why: 'Rotation limits what one leaked key version can read; it is free for the key material AWS manages.',
    check: (json) => each(json, 'aws_kms_key', (a) => (isTrue(a.enable_key_rotation) ? undefined : 'key rotation is off')),
  },

  // Logs
  {
    id: 'log-retention',
    checkov: 'CKV_AWS_66',
    checks: 'Every CloudWatch log group sets a retention CloudWatch accepts (never "forever")',
    why: 'Logs kept forever cost forever, and retention is part of the data-protection promise.',
    check: (json) =>
      each(json, 'aws_cloudwatch_log_group', (a) =>
        (LOG_RETENTION_DAYS as readonly number[]).includes(Number(a.retention_in_days))
          ? undefined
          : `retention_in_days is ${a.retention_in_days ?? 'unset'}`,
      ),
  },

  // IAM
  {
    id: 'iam-no-wildcard-admin',
    checkov: 'CKV_AWS_62, CKV_AWS_63',
    checks: 'No IAM policy document allows Action "*" (or "*:*"), and every document is literal JSON that can be checked',
    why: 'A full-admin statement turns any compromise of its holder into a compromise of the account.',
    check: (json) =>
      policyDocuments(json).flatMap(({ address, policy }) => {
        const ss = statements(policy);
        if (!ss) return [{ address, reason: 'policy is not literal JSON and cannot be checked' }];
        return ss
          .filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a === '*' || a === '*:*'))
          .map(() => ({ address, reason: 'allows Action "*"' }));
      }),
  },
  {
    id: 'iam-managed-policy-allow-list',
    checkov: 'CKV_AWS_274',
    checks: `AWS managed policies attached anywhere are among ${ALLOWED_MANAGED_POLICIES.join(', ')}, on roles only GitHub's OIDC provider may assume also ${ALLOWED_CI_MANAGED_POLICIES.join(', ')}, on roles only CodeDeploy may assume also ${ALLOWED_CODEDEPLOY_MANAGED_POLICIES.join(', ')}; other attachments are in-stack policies`,
    why: "Managed policies are broad and change under us; three are needed, plus the CI roles of docs/aws-oidc-setup.md and CodeDeploy's ECS role; anything else must be a reviewed in-stack policy.",
    check: (json) => {
      const inStack = new Set(resources(json, 'aws_iam_policy').map((p) => p.address));
      const ciRoles = new Set(githubRoles(json).map((r) => r.address));
      const codeDeployRoles = new Set(serviceRoles(json, 'codedeploy.amazonaws.com'));
      return attachments(json).flatMap(({ address, arn, role }) => {
        if (refs(arn).some((r) => inStack.has(r))) return [];
        const name = awsManagedPolicyName(arn);
        const allowed = [
          ...ALLOWED_MANAGED_POLICIES,
          ...(role && ciRoles.has(role) ? ALLOWED_CI_MANAGED_POLICIES : []),
          ...(role && codeDeployRoles.has(role) ? ALLOWED_CODEDEPLOY_MANAGED_POLICIES : []),
        ] as readonly string[];
        return name && allowed.includes(name) ? [] : [{ address, reason: `policy ${arn} is not allow-listed` }];
      });
    },
  },
  {
    id: 'github-pr-role-denies-secrets',
    checkov: '—',
    checks:
      'A role GitHub pull requests can assume (a token.actions.githubusercontent.com subject :pull_request, or a wildcard) explicitly denies ssm:GetParameter* (all but /aws/service/*), secretsmanager:GetSecretValue and kms:Decrypt',
    why: 'ReadOnlyAccess includes ssm:GetParameter* and a same-repository pull request can edit the workflow that assumes the role; only an explicit Deny outweighs the Allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).',
    check: (json) =>
      githubRoles(json)
        .filter((r) => r.subjects.some((x) => x.endsWith(':pull_request') || /[*?]/.test(x)))
        .flatMap((r) => {
          const denies = policyDocuments(json)
            .filter((d) => d.role === r.address)
            .flatMap((d) => statements(d.policy) ?? []);
          const missing = PR_SECRET_READS.filter(([, pattern]) => !denies.some((s) => deniesEverywhere(s, pattern))).map(
            ([action]) => action,
          );
          return missing.length > 0
            ? [{ address: r.address, reason: `pull requests can assume it, and no explicit Deny covers ${missing.join(', ')}` }]
            : [];
        }),
  },
  {
    id: 'iam-trust-specific-services',
    checkov: 'CKV_AWS_60',
    checks:
      "Every role trust policy allows only named AWS service principals, or the stack's GitHub OIDC provider with an exact audience and exact subjects of one repository",
    why: 'A role anyone (or any account, repository or branch) can assume is a shared credential.',
    check: (json) =>
      each(json, 'aws_iam_role', (a) => {
        const ss = statements(a.assume_role_policy);
        if (!ss) return 'trust policy is not literal JSON and cannot be checked';
        const loose = ss.filter((s) => {
          if (s.Effect !== 'Allow') return false;
          if (typeof s.Principal !== 'object') return true;
          if (isGithubOidcTrust(json, s)) return !githubTrustIsExact(s);
          return Object.entries(s.Principal).some(
            ([kind, v]) => kind !== 'Service' || list(v).some((p) => !/^[a-z0-9.-]+\.amazonaws\.com$/.test(p)),
          );
        });
        return loose.length > 0 ? `trust policy allows ${JSON.stringify(loose.map((s) => s.Principal))}` : undefined;
      }),
  },

  // S3
  {
    id: 's3-public-access-block',
    checkov: 'CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56, CKV2_AWS_6',
    checks: 'Every bucket has a public access block with all four settings true',
    why: 'Buckets hold access logs (client IPs, paths) and Terraform state (secrets in plain text); no mistake may make them public.',
    check: (json) =>
      bucketsWithout(
        json,
        'aws_s3_bucket_public_access_block',
        (a) => ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].every((k) => isTrue(a[k])),
        'no public access block with all four settings true',
      ),
  },
  {
    id: 's3-encryption',
    checkov: 'CKV_AWS_19',
    checks: 'Every bucket has default server-side encryption (SSE-S3 or SSE-KMS)',
    why: 'Encryption at rest by default, whatever the writer asks for.',
    check: (json) =>
      bucketsWithout(
        json,
        'aws_s3_bucket_server_side_encryption_configuration',
        (a) =>
          list(a.rule).some((r) =>
            ['AES256', 'aws:kms', 'aws:kms:dsse'].includes(list(r.apply_server_side_encryption_by_default)[0]?.sse_algorithm),
          ),
        'no default server-side encryption',
      ),
  },
  {
    id: 's3-tls-only',
    checkov: '—',
    checks: 'Every bucket policy denies requests without aws:SecureTransport, on the bucket and its objects',
    why: 'Logs and state must never travel in clear text (AWS Config s3-bucket-ssl-requests-only).',
    check: (json) =>
      bucketsWithout(
        json,
        'aws_s3_bucket_policy',
        (a) =>
          (statements(a.policy) ?? []).some(
            (s) =>
              s.Effect === 'Deny' &&
              actionsOf(s).some((x) => x === 's3:*' || x === '*') &&
              String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false' &&
              list(s.Resource).some((r) => String(r).endsWith('/*')) &&
              list(s.Resource).some((r) => !String(r).endsWith('/*')),
          ),
        'no policy denies insecure transport on the bucket and its objects',
      ),
  },
];
