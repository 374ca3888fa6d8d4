/**
 * npm run export: each synthesized stack as a plain Terraform root module, `<out>/<stack>/main.tf.json`,
 * with every filesystem path relative to that directory, so the module works from any checkout.
 * The docker build context stays a relative path to workload/ rather than a copy: one source tree
 * that you keep editing, not a fork of it per stack.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
/** The one configuration file of an exported directory. */
export const CONFIG_FILE = 'main.tf.json';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Bad input or a stack the export cannot make relative: one line, exit 2. */
export class ExportError extends Error {}

/**
 * Where a synthesized stack holds a filesystem path, which Terraform or a provider resolves from the
 * working directory ('*': any key, list indexes skipped). Only these are rewritten: a string elsewhere
 * that merely starts like the checkout (a URL path) is never touched.
 */
const PATH_FIELDS: readonly (readonly string[])[] = [
  ['terraform', 'backend', 'local', 'path'],
  ['terraform', 'backend', 'local', 'workspace_dir'],
  ['resource', 'docker_image', '*', 'build', 'context'],
];

const isPathField = (path: readonly string[]) => {
  const keys = path.filter((k) => !/^\d+$/.test(k));
  return PATH_FIELDS.some((f) => f.length === keys.length && f.every((k, i) => k === '*' || k === keys[i]));
};

/** Every string of `json` with its path of keys. */
function* strings(json: Json, path: string[] = []): Generator<[string[], string]> {
  if (typeof json === 'string') yield [path, json];
  else if (Array.isArray(json)) for (let i = 0; i < json.length; i++) yield* strings(json[i], [...path, String(i)]);
  else if (json !== null && typeof json === 'object') for (const [k, v] of Object.entries(json)) yield* strings(v, [...path, k]);
}

function map(json: Json, f: (path: string[], value: string) => string, path: string[] = []): Json {
  if (typeof json === 'string') return f(path, json);
  if (Array.isArray(json)) return json.map((v, i) => map(v, f, [...path, String(i)]));
  if (json !== null && typeof json === 'object')
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, map(v, f, [...path, k])]));
  return json;
}

/** `to` relative to `from`, with forward slashes (Terraform's on every platform). */
export function relativePath(from: string, to: string): string {
  return relative(from, to).split(sep).join('/') || '.';
}

/** The stack with each absolute path at a path field made relative to `exportDir`, where the module will live. */
export function relativize(json: Json, exportDir: string): Json {
  return map(json, (path, value) => (isPathField(path) && isAbsolute(value) ? relativePath(exportDir, value) : value));
}

/**
 * What still ties a module to one machine: an absolute path at a path field, or any string that holds
 * one of `roots` (the checkout, the synth directory): a path in a field the export has no rule for.
 */
export function absolutePaths(json: Json, roots: readonly string[]): string[] {
  // A root at the start of a string or after a non-path character (a quote in an expression); not inside a relative path.
  const patterns = roots.map((r) => new RegExp(`(^|[^\\w./\\\\-])${r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([/\\\\]|$|[^\\w.-])`));
  const found: string[] = [];
  for (const [path, value] of strings(json)) {
    const absolute = isPathField(path) && isAbsolute(value);
    if (absolute || patterns.some((p) => p.test(value))) {
      found.push(`${path.join('.')} = ${JSON.stringify(value)}`);
    }
  }
  return found;
}

/** Terraform configuration files in a directory other than ours: terraform init would load them beside it. */
export function otherConfigFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.tf(\.json)?$/.test(f) && f !== CONFIG_FILE)
    .sort();
}

export interface Exported {
  readonly stack: string;
  readonly dir: string;
  readonly json: Json;
}

/**
 * Synthesizes `environments` (tools/synth/run.js, in a temporary directory) and exports `stacks` into
 * `outDir`. Checks every target before writing any: a directory holding other configuration files
 * is refused, and so is a stack that would keep an absolute path.
 */
export function exportStacks(opts: {
  readonly environments: readonly string[];
  readonly stacks: readonly string[];
  readonly outDir: string;
  readonly env: NodeJS.ProcessEnv;
}): Exported[] {
  const outDir = resolve(opts.outDir);
  for (const stack of opts.stacks) {
    const dir = join(outDir, stack);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ExportError(`${dir} is a file; the export writes a directory there`);
    const others = otherConfigFiles(dir);
    if (others.length > 0) {
      throw new ExportError(
        `${dir} holds ${others.join(', ')}: terraform would load them beside the export's ${CONFIG_FILE}; move them away or export with --out <another dir>`,
      );
    }
  }
  const synthDir = mkdtempSync(join(tmpdir(), 'host-name-export-'));
  try {
    // From the checkout, as npm run synth and cdktf run it: the local backend's state file is the one they use.
    const run = spawnSync(process.execPath, [join(ROOT, 'tools', 'synth', 'run.js'), ...opts.environments], {
      cwd: ROOT,
      env: { ...opts.env, CDKTF_OUTDIR: synthDir },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new ExportError(`synth failed: ${(run.stderr || run.stdout).trim().split('\n').pop()}`);
    const exported = opts.stacks.map((stack) => {
      const stackDir = join(synthDir, 'stacks', stack);
      const files = existsSync(stackDir) ? readdirSync(stackDir) : [];
      if (!files.includes('cdk.tf.json'))
        throw new ExportError(`synth wrote no ${stack} (wrote ${readdirSync(join(synthDir, 'stacks')).join(', ')})`);
      const extra = files.filter((f) => f !== 'cdk.tf.json');
      if (extra.length > 0)
        throw new ExportError(`${stack}: synth wrote ${extra.join(', ')} beside cdk.tf.json, which the export does not copy`);
      const dir = join(outDir, stack);
      const json = relativize(JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')), dir);
      const left = absolutePaths(json, [ROOT, synthDir]);
      if (left.length > 0) throw new ExportError(`${stack}: an absolute path the export has no rule for: ${left.join('; ')}`);
      return { stack, dir, json };
    });
    for (const { dir, json } of exported) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, CONFIG_FILE), `${JSON.stringify(json, null, 2)}\n`);
    }
    return exported;
  } finally {
    rmSync(synthDir, { recursive: true, force: true });
  }
}

/** One line about a module: where its state is, and what it builds from. */
export function summary(e: Exported, cwd = process.cwd()): string {
  const j = e.json as any;
  const backend = j.terraform?.backend ?? {};
  const state = backend.local
    ? `local state ${backend.local.path}`
    : backend.s3
      ? `state in s3://${backend.s3.bucket}/${backend.s3.key}`
      : `backend ${Object.keys(backend).join(', ') || 'none'}`;
  const contexts = Object.values<any>(j.resource?.docker_image ?? {}).map((i) => i.build?.context);
  const built = contexts.length > 0 ? `; docker build context ${[...new Set(contexts)].join(', ')}` : '';
  const file = join(e.dir, CONFIG_FILE);
  const shown = relativePath(cwd, file).startsWith('..') ? file : relativePath(cwd, file);
  return `${shown} (${state}${built})`;
}
