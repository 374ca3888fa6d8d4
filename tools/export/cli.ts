/**
 * npm run export [-- <environment or stack>...] [--out <dir>]: plain Terraform root modules, one
 * directory per stack (export/<stack>/main.tf.json), for leaving CDKTF or running terraform alone.
 * No name: every stack `npm run synth` writes. Bad input: one line on stderr, exit 2, nothing written.
 */
import { join } from 'node:path';
import { ConfigError } from '../../src/environment/resolve';
import { overridesFromEnv, requestedEnvironments } from '../../src/environment/select';
import { appStackNames, resolveNames } from '../../src/environment/stacks';
import { ExportError, exportStacks, ROOT, summary } from './export';

export const USAGE =
  'usage: npm run export -- [<environment or stack>...] [--out <dir>]   (default: every stack synth writes, into export/)';

export interface Options {
  readonly names: readonly string[];
  readonly outDir: string;
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[]): Options {
  const names: string[] = [];
  let outDir = join(ROOT, 'export');
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-') || v.trim() === '') throw new ExportError(`--out needs a directory; ${USAGE}`);
      outDir = v;
    } else if (arg.startsWith('--out=')) outDir = arg.slice('--out='.length);
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('-')) throw new ExportError(`unknown option ${arg}; ${USAGE}`);
    else if (arg.trim() !== '') names.push(arg);
  }
  if (outDir.trim() === '') throw new ExportError(`--out needs a directory; ${USAGE}`);
  return { names, outDir, help };
}

/** The environments to synthesize and the stacks to export for a command line. */
export function selection(names: readonly string[], env: NodeJS.ProcessEnv): { environments: string[]; stacks: string[] } {
  const requested = requestedEnvironments(names, env);
  const { stacks, configs } = resolveNames(requested, overridesFromEnv(env));
  return { environments: configs.map((c) => c.name), stacks: requested.length > 0 ? stacks : appStackNames(configs) };
}

if (require.main === module) {
  try {
    const o = parseArgs(process.argv.slice(2));
    if (o.help) {
      process.stdout.write(`${USAGE}\n`);
    } else {
      const { environments, stacks } = selection(o.names, process.env);
      for (const e of exportStacks({ environments, stacks, outDir: o.outDir, env: process.env })) {
        process.stdout.write(`export: ${summary(e)}\n`);
      }
    }
  } catch (error) {
    if (!(error instanceof ExportError || error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
}
