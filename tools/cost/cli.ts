/**
 * npm run cost [-- <stack>...] [--dir cdktf.out] [--compare <base cdktf.out>] [--markdown] [--spot-discount <percent>]
 * npm run cost -- --readme
 *
 * Prices each synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json; run `npm run synth` first)
 * at its minimum and maximum size. A stack goes by its name, an environment's by the environment's
 * name too. --readme rewrites docs/cost.md's section from the demo environments (demo-environments.ts),
 * synthesized here. --spot-discount sets how much less than on-demand Spot (EC2 and Fargate) is assumed
 * to cost (assumptions.ts, spotDiscountPercent). Bad input: one line on stderr, exit code 2.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_DEFAULT_ENVIRONMENTS, DEMO_ENVIRONMENTS } from './demo-environments';
import { ASSUMPTIONS, Assumptions } from './assumptions';
import { CostError, estimateStack, StackEstimate, TerraformJson } from './estimate';
import { ConfigError } from '../../src/environment/resolve';
import { overridesFromEnv, selectEnvironments } from '../../src/environment/select';
import { appStackNames, environmentOf, resolveNames } from '../../src/environment/stacks';
import {
  compareStack,
  renderCompareMarkdown,
  renderCompareText,
  renderMarkdown,
  renderReadme,
  renderText,
  replaceReadmeSection,
} from './render';

export const USAGE =
  'usage: npm run cost -- [<stack>...] [--dir <cdktf.out>] [--compare <base cdktf.out>] [--markdown] [--spot-discount <percent>] | --readme';

/** AWS quotes Spot savings of up to 90% (EC2), so an assumption above that is a typo. */
export const MAX_SPOT_DISCOUNT = 90;

export interface Options {
  readonly stacks: readonly string[];
  readonly dir: string;
  readonly compare?: string;
  readonly markdown: boolean;
  /** Percent Spot is assumed to cost less than on-demand; undefined: ASSUMPTIONS.spotDiscountPercent. */
  readonly spotDiscount?: number;
  readonly readme: boolean;
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[]): Options {
  const stacks: string[] = [];
  let dir: string | undefined;
  let compare: string | undefined;
  let markdown = false;
  let spotDiscount: number | undefined;
  let readme = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (what = 'a directory') => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new CostError(`${arg} needs ${what}; ${USAGE}`);
      return v;
    };
    if (arg === '--dir') dir = value();
    else if (arg.startsWith('--dir=')) dir = arg.slice(6);
    else if (arg === '--compare') compare = value();
    else if (arg.startsWith('--compare=')) compare = arg.slice(10);
    else if (arg === '--markdown') markdown = true;
    else if (arg === '--spot-discount') spotDiscount = percent(value('a percent'));
    else if (arg.startsWith('--spot-discount=')) spotDiscount = percent(arg.slice(16));
    else if (arg === '--readme') readme = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('-')) throw new CostError(`unknown option ${arg}; ${USAGE}`);
    else if (arg.trim() !== '') stacks.push(arg);
  }
  if (readme && (stacks.length > 0 || dir !== undefined || compare !== undefined || markdown || spotDiscount !== undefined)) {
    throw new CostError(
      `--readme prices the demo environments at the committed assumptions and takes no stack, --dir, --compare, --markdown or --spot-discount; ${USAGE}`,
    );
  }
  return { stacks, dir: dir ?? 'cdktf.out', compare, markdown, spotDiscount, readme, help };
}

/** --spot-discount's value: a plain number of percent from 0 to MAX_SPOT_DISCOUNT. */
function percent(text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= MAX_SPOT_DISCOUNT)) {
    throw new CostError(
      `--spot-discount must be a percent from 0 to ${MAX_SPOT_DISCOUNT} (how much less than on-demand Spot is assumed to cost; AWS quotes up to 90%), got "${text}"`,
    );
  }
  return n;
}

/** Hints to run `npm run synth` are true only for the directory it writes to. */
function synthHint(dir: string, args: readonly string[] = []): string {
  if (resolve(dir) !== resolve(process.env.CDKTF_OUTDIR || 'cdktf.out')) return '';
  return `; run \`npm run synth${args.length > 0 ? ` -- ${args.join(' ')}` : ''}\` first`;
}

/** Stack names under <dir>/stacks; a clear error when the directory is missing. */
export function listStacks(dir: string, what = dir): string[] {
  const stacksDir = join(dir, 'stacks');
  if (!existsSync(stacksDir) || !statSync(stacksDir).isDirectory()) {
    throw new CostError(`${what}: ${stacksDir} not found${synthHint(dir)}`);
  }
  return readdirSync(stacksDir)
    .filter((name) => existsSync(join(stacksDir, name, 'cdk.tf.json')))
    .sort();
}

/**
 * The stack a name means in `dir`: a stack there by that name (any synth output), else the app's
 * mapping (an environment's name or its stack's; src/environment/stacks.ts).
 */
export function stackIn(dir: string, name: string): string {
  if (existsSync(join(dir, 'stacks', name, 'cdk.tf.json'))) return name;
  try {
    return resolveNames([name], overridesFromEnv(process.env)).stacks[0];
  } catch (error) {
    if (!(error instanceof ConfigError && error.field === 'name' && error.value === name)) throw error;
    throw new CostError(`no stack "${name}" in ${join(dir, 'stacks')} (have ${have(dir)}), nor is it ${error.allowed}`);
  }
}

/** Whether a plain `npm run synth` (the defaults, this shell's overrides) writes a stack. */
function synthWrites(stack: string): boolean {
  try {
    return appStackNames(resolveNames([], overridesFromEnv(process.env)).configs).includes(stack);
  } catch {
    return false; // a bad setting: synth would write nothing
  }
}

const have = (dir: string) => (existsSync(join(dir, 'stacks')) ? listStacks(dir) : []).join(', ') || 'none';

export function readStack(dir: string, stack: string): TerraformJson {
  const file = join(dir, 'stacks', stack, 'cdk.tf.json');
  if (!existsSync(file)) {
    // The app's own stacks: the synth that writes one (an environment outside the defaults only when named).
    const env = environmentOf(stack);
    const hint = env !== undefined || synthWrites(stack) ? synthHint(dir, env !== undefined ? [env] : []) : '';
    throw new CostError(`no synthesized stack "${stack}" in ${join(dir, 'stacks')} (have ${have(dir)})${hint}`);
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CostError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * The demo's stacks (demo-environments.ts), synthesized in this process and priced: what docs/cost.md
 * shows. Not src/environments.ts, so a team's own environments never make the document stale.
 */
export function demoEstimates(): StackEstimate[] {
  // Loaded lazily: only --readme synthesizes, and the app with its provider classes takes seconds to load.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Testing } = require('cdktf') as typeof import('cdktf');
  const { addEnvironmentStacks } = require('../../src/app') as typeof import('../../src/app');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const configs = selectEnvironments(DEMO_DEFAULT_ENVIRONMENTS, {}, DEMO_ENVIRONMENTS);
  const outdir = mkdtempSync(join(tmpdir(), 'cost-demo-'));
  try {
    const stacks = addEnvironmentStacks(Testing.app({ outdir }), configs);
    return stacks.map((stack) => estimateStack(stack.node.id, JSON.parse(Testing.synth(stack))));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export const README_PATH = resolve(__dirname, '..', '..', 'docs', 'cost.md');

export function run(argv: readonly string[], out: (text: string) => void): void {
  const o = parseArgs(argv);
  if (o.help) {
    out(`${USAGE}\n`);
    return;
  }
  const assumptions: Assumptions = o.spotDiscount === undefined ? ASSUMPTIONS : { ...ASSUMPTIONS, spotDiscountPercent: o.spotDiscount };
  const estimate = (dir: string, stack: string) => estimateStack(stack, readStack(dir, stack), assumptions);

  if (o.readme) {
    const estimates = demoEstimates();
    const section = renderReadme(estimates);
    const readme = readFileSync(README_PATH, 'utf8');
    let updated: string;
    try {
      updated = replaceReadmeSection(readme, section);
    } catch (error) {
      throw new CostError((error as Error).message);
    }
    if (updated !== readme) writeFileSync(README_PATH, updated);
    out(
      `docs/cost.md: cost section ${updated === readme ? 'already up to date' : 'rewritten'} (${estimates.map((e) => e.stack).join(', ')})\n`,
    );
    return;
  }

  const named = o.stacks.map((s) => stackIn(o.dir, s));
  const head = named.length > 0 ? named : listStacks(o.dir);
  if (head.length === 0) throw new CostError(`no stacks in ${join(o.dir, 'stacks')}${synthHint(o.dir)}`);
  const estimates = head.map((s) => estimate(o.dir, s));
  const tables = estimates.map(o.markdown ? (e: StackEstimate) => renderMarkdown(e) : renderText).join('\n');
  if (o.compare === undefined) {
    out(tables);
    return;
  }
  const baseStacks = listStacks(o.compare, `--compare ${o.compare}`);
  const names = named.length > 0 ? named : [...new Set([...head, ...baseStacks])].sort();
  const deltas = names.map((s) =>
    compareStack(
      s,
      baseStacks.includes(s) ? estimate(o.compare!, s) : undefined,
      estimates.find((e) => e.stack === s),
    ),
  );
  // Markdown (the run summary) leads with the difference; a terminal shows it last, where the eye is.
  if (o.markdown) out(renderCompareMarkdown(deltas) + '\n' + tables);
  else out(tables + '\n' + renderCompareText(deltas));
}

if (require.main === module) {
  try {
    run(process.argv.slice(2), (text) => process.stdout.write(text));
  } catch (error) {
    if (!(error instanceof CostError || error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
}
