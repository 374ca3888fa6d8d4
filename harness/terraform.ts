/**
 * Terraform for the harness: checks the binary, finds a local provider mirror and writes the
 * project's own CLI config, so `validate` and the integration test init the same way.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../src/environment/resolve';

export const PROJECT_ROOT = resolve(__dirname, '..');
/** Generated files of the harness (gitignored). */
export const WORK_DIR = join(PROJECT_ROOT, 'harness', '.work');
export const CLI_CONFIG_FILE = join(PROJECT_ROOT, 'harness', '.tfrc.generated');
const PLUGIN_CACHE_DIR = join(WORK_DIR, 'plugin-cache');
const REGISTRY = 'registry.terraform.io';

/** Setup problems (no terraform, no providers): one clear line, exit 1, no stack trace. */
export class HarnessError extends Error {}

export interface ProviderSource {
  /** Mirror directory (the one holding registry.terraform.io/), when found. */
  readonly mirror?: string;
  /** Providers (namespace/type) the mirror holds for this platform. */
  readonly mirrored: readonly string[];
}

export interface TerraformSetup extends ProviderSource {
  /** Environment for every terraform command: our CLI config and the shared plugin cache. */
  readonly env: NodeJS.ProcessEnv;
  readonly version: string;
  /** One line for the log: where providers come from. */
  readonly description: string;
  /** Whether `terraform init` can get this provider (namespace/type) here. */
  canInstall(provider: string): boolean;
}

/** Terraform's name for this machine: linux_amd64, darwin_arm64, ... */
export function terraformPlatform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return `${process.platform === 'win32' ? 'windows' : process.platform}_${arch[process.arch] ?? process.arch}`;
}

/** Providers (namespace/type) a mirror holds for `platform`, unpacked or packed layout. */
function mirroredProviders(mirror: string, platform: string): string[] {
  const found: string[] = [];
  for (const namespace of list(join(mirror, REGISTRY))) {
    for (const type of list(join(mirror, REGISTRY, namespace))) {
      const dir = join(mirror, REGISTRY, namespace, type);
      const unpacked = list(dir).some((version) =>
        list(join(dir, version, platform)).some((f) => f.startsWith(`terraform-provider-${type}`)),
      );
      const packed = list(dir).some((f) => f.startsWith(`terraform-provider-${type}_`) && f.endsWith(`_${platform}.zip`));
      if (unpacked || packed) found.push(`${namespace}/${type}`);
    }
  }
  return found;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Where mirrors usually live; TF_PLUGIN_MIRROR overrides the search. */
export function mirrorSearchRoots(): string[] {
  const home = homedir();
  return [
    join(home, '.terraform.d', 'plugins'),
    join(home, '.local', 'share', 'terraform', 'plugins'),
    '/opt',
    '/usr/local/share',
    '/usr/share',
    home,
  ];
}

const SKIP = new Set(['node_modules', '.git', '.cache', '.npm', '.pyenv', '.cargo', '.rustup', '.m2', 'proc', 'sys']);

/** Directories below `root` (at most `depth` levels) that hold a registry.terraform.io/ folder. */
function findMirrorDirs(root: string, depth: number): string[] {
  if (existsSync(join(root, REGISTRY))) return [root];
  if (depth === 0) return [];
  return list(root)
    .filter((name) => !SKIP.has(name) && isDir(join(root, name)))
    .flatMap((name) => findMirrorDirs(join(root, name), depth - 1));
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Finds a filesystem mirror that holds hashicorp/aws for this platform, or none. */
export function discoverProviders(env: NodeJS.ProcessEnv = process.env): ProviderSource {
  const platform = terraformPlatform();
  const override = env.TF_PLUGIN_MIRROR;
  if (override) {
    const mirrored = mirroredProviders(override, platform);
    if (!mirrored.includes('hashicorp/aws')) {
      throw new HarnessError(
        `TF_PLUGIN_MIRROR=${override} holds no ${REGISTRY}/hashicorp/aws/<version>/${platform}/terraform-provider-aws*`,
      );
    }
    return { mirror: override, mirrored };
  }
  for (const root of mirrorSearchRoots()) {
    for (const mirror of findMirrorDirs(root, 3)) {
      const mirrored = mirroredProviders(mirror, platform);
      if (mirrored.includes('hashicorp/aws')) return { mirror, mirrored };
    }
  }
  return { mirrored: [] };
}

/** The mirror's providers come from it; everything else from the registry. */
export function cliConfig(source: ProviderSource): string {
  if (!source.mirror) return '# No local provider mirror was found: providers come from the registry.\n';
  const included = source.mirrored.map((p) => `"${REGISTRY}/${p}"`).join(', ');
  return [
    '# Generated by harness/terraform.ts; do not edit.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(source.mirror)}`,
    `    include = [${included}]`,
    '  }',
    '  direct {',
    `    exclude = [${included}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Checks the binary, discovers the mirror, writes the CLI config; throws HarnessError. */
export async function prepareTerraform(): Promise<TerraformSetup> {
  const probe = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new HarnessError('terraform not found on PATH (or it does not run); install Terraform >= 1.10');
  }
  const version = JSON.parse(probe.stdout).terraform_version as string;
  const source = discoverProviders();
  mkdirSync(PLUGIN_CACHE_DIR, { recursive: true });
  writeFileSync(CLI_CONFIG_FILE, cliConfig(source));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: CLI_CONFIG_FILE,
    // One download per provider for all stacks when going to the registry (a mirror is only linked).
    TF_PLUGIN_CACHE_DIR: PLUGIN_CACHE_DIR,
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true',
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
  };
  let registryError: string | undefined;
  if (!source.mirror) {
    registryError = await registryUnreachable();
    if (registryError) {
      throw new HarnessError(
        `no Terraform provider mirror with hashicorp/aws for ${terraformPlatform()} ` +
          `(searched ${mirrorSearchRoots().join(', ')}; set TF_PLUGIN_MIRROR to point at one) ` +
          `and ${REGISTRY} is unreachable: ${registryError}`,
      );
    }
  }
  const description = source.mirror
    ? `providers: ${source.mirrored.join(', ')} from the mirror ${source.mirror}, anything else from ${REGISTRY}`
    : `providers: from ${REGISTRY} (no local mirror found)`;
  return {
    ...source,
    env,
    version,
    description,
    canInstall: (provider) => !source.mirror || source.mirrored.includes(provider),
  };
}

/** Undefined when the registry answers within a few seconds, else why not. */
async function registryUnreachable(): Promise<string | undefined> {
  try {
    const response = await fetch(`https://${REGISTRY}/.well-known/terraform.json`, { signal: AbortSignal.timeout(8000) });
    return response.ok ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    const e = error as Error & { cause?: Error };
    return e.cause?.message ?? e.message;
  }
}

export interface RunResult {
  readonly code: number;
  readonly output: string;
}

/** Runs terraform in `dir`, capturing stdout and stderr together. */
export function terraform(setup: TerraformSetup, dir: string, args: string[]): Promise<RunResult> {
  return new Promise((done) => {
    // Own process group, so stopping it also stops the provider plugins it started.
    const child = track(spawn('terraform', args, { cwd: dir, env: setup.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }), true);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.on('error', (e) => (output += String(e)));
    child.on('close', (code) => done({ code: code ?? 1, output }));
  });
}

/** Running children, and whether each leads its own process group. */
const children = new Map<ChildProcess, boolean>();

/** Child processes the harness must stop when it ends, however it ends. */
export function track(child: ChildProcess, ownGroup = false): ChildProcess {
  children.set(child, ownGroup);
  child.on('exit', () => children.delete(child));
  return child;
}

function stopChildren(): void {
  for (const [child, ownGroup] of children) {
    try {
      process.kill(ownGroup ? -child.pid! : child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/**
 * Runs a harness command: exit code from `main`, setup and config problems as one line (no stack
 * trace), and every tracked child (terraform, moto) stopped on exit, Ctrl-C or SIGTERM.
 */
export function runHarness(main: () => Promise<number>): void {
  process.on('exit', stopChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      console.error(`\ninterrupted (${signal}): stopping terraform and the emulator`);
      process.exit(130);
    });
  }
  main().then(
    (code) => process.exit(code),
    (error) => {
      if (!(error instanceof HarnessError || error instanceof ConfigError)) {
        console.error(error);
        process.exit(1);
      }
      console.error(`error: ${error.message}`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    },
  );
}

/** The first error of terraform's output on one line: summary, where, detail (no source snippet). */
export function firstError(output: string): string {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => /^[│\s]*Error:/.test(l));
  if (start < 0)
    return lines
      .filter((l) => l.trim() !== '')
      .slice(-3)
      .join(' ');
  const end = lines.findIndex((l, i) => i > start && l.startsWith('╵'));
  return lines
    .slice(start, end < 0 ? start + 12 : end)
    .map((l) => l.replace(/^│\s?/, '').trim())
    .filter((l) => l !== '' && !/^\d+:/.test(l) && !/^[├└]/.test(l))
    .join(' ')
    .slice(0, 600);
}

/** Seconds since `start` (from performance.now()), for the log. */
export function seconds(start: number): string {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}
