/** What the integration test and the upgrade check share: checks, the AWS CLI and terraform steps against moto. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, RunResult, seconds, terraform, TerraformSetup } from './terraform';
import type { BlueGreenOutput } from './checks/blue-green';

/** Fake credentials only, and nothing from the developer's own AWS profile or session. */
export function emulatorAwsEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
    delete env[name];
  }
  return env;
}

/** AWS CLI output, read field by field. */
export type Json = any;

/** One environment's checks and log, printed as a block when it is done (environments run in parallel). */
export class Checks {
  passed = 0;
  failed = 0;
  readonly lines: string[] = [];

  log(line: string): void {
    this.lines.push(line);
  }

  /** Runs one check; a thrown error is its failure reason. Returns false when it failed. */
  run(name: string, check: () => string | void): boolean {
    try {
      const detail = check();
      this.passed++;
      this.log(`PASS ${name}${detail ? `: ${detail}` : ''}`);
      return true;
    } catch (error) {
      this.failed++;
      this.log(`FAIL ${name}: ${(error as Error).message}`);
      return false;
    }
  }
}

export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export function same(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && [...actual].sort().join() === [...expected].sort().join();
}

/** The AWS CLI against the emulator; parsed JSON output. */
export function awsCli(endpoint: string, region: string) {
  return (...args: string[]): Json => {
    const r = spawnSync('aws', ['--endpoint-url', endpoint, '--region', region, '--output', 'json', ...args], {
      env: emulatorAwsEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.error || r.status !== 0) throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${(r.stderr || String(r.error)).trim()}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  };
}

export function requireAwsCli(): string {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new HarnessError('the AWS CLI (`aws`) is not on PATH; install awscli');
  return (r.stdout || r.stderr).trim().split(' ')[0];
}

/** "# aws_x.y will be updated in-place" lines of a plan, as "aws_x.y (updated in-place)". */
export function plannedChanges(output: string): string[] {
  return [...output.matchAll(/^\s*# (\S+) (?:will be|must be) (.+)$/gm)].map((m) => `${m[1]} (${m[2]})`);
}

/** Caches a lookup: checks share it, and one that fails fails only the checks that need it. */
export function memo<T>(lookup: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: lookup() }).v;
}

/** `terraform output -json` of a stack, values only. */
export interface StackOutputs {
  readonly vpc_id: string;
  readonly load_balancer_arn: string;
  readonly cluster_name: string;
  readonly capacity_provider_name: string;
  readonly autoscaling_group_name: string;
  readonly alarm_topic_arn: string;
  readonly dashboard_name: string;
  /** natMode 'instance' only. */
  readonly nat_network_interface_id?: string;
  readonly nat_autoscaling_group_name?: string;
  /** spot.enabled only. */
  readonly spot_autoscaling_group_name?: string;
  readonly spot_capacity_provider_name?: string;
  readonly services: Record<
    string,
    { url: string; service_name: string; target_group_arn: string; target_group_name: string; log_group: string }
  >;
  readonly base_url: string;
  /** With HTTPS (a domain or a certificate ARN). */
  readonly https_listener_arn?: string;
  /** With a domain; validation_record_fqdn when the certificate is created by the stack. */
  readonly domain?: { zone_id: string; record_name: string; alias_fqdn: string; certificate_arn: string; validation_record_fqdn?: string };
  /** With the WAF. */
  readonly web_acl_arn?: string;
  /** With blue-green services: per service, what CodeDeploy deploys to (src/environment/outputs.ts). */
  readonly blue_green?: Record<string, BlueGreenOutput>;
}

export function readOutputs(setup: TerraformSetup, dir: string): StackOutputs {
  const r = spawnSync('terraform', ['output', '-json'], { cwd: dir, env: setup.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`terraform output: ${r.stderr.trim()}`);
  const raw = JSON.parse(r.stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.value])) as unknown as StackOutputs;
}

/** Runs terraform, keeps its full output in `<dir>/<name>.log`, prints the time taken. */
export async function step(checks: Checks, setup: TerraformSetup, dir: string, name: string, args: string[]): Promise<RunResult> {
  const start = performance.now();
  // Options go before positional arguments (a saved plan file).
  const result = await terraform(setup, dir, [args[0], '-input=false', '-no-color', ...args.slice(1)]);
  writeFileSync(join(dir, `${name}.log`), result.output);
  const outcome = result.code === 0 || (name === 'plan' && result.code === 2) ? 'done' : 'FAILED';
  checks.log(`terraform ${name}: ${outcome} in ${seconds(start)}`);
  return result;
}

/** Inits run one at a time: the shared plugin cache is not safe for concurrent installs. */
let initQueue: Promise<unknown> = Promise.resolve();
export function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = initQueue.then(task);
  initQueue = run.catch(() => undefined);
  return run;
}
