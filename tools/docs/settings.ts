/**
 * npm run docs:settings [-- --check]
 *
 * Writes the settings tables of docs/configuration.md from the JSDoc of each area's settings
 * interfaces, so a field, its default and its meaning are written once, beside the type.
 * `--check` writes nothing and exits 1 when the document differs from what it would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
export const CONFIGURATION_DOC = join(ROOT, 'docs', 'configuration.md');

/** One table: the fields of `root` (and of the interfaces its fields take), with their paths under `prefix`. */
interface Area {
  readonly title: string;
  readonly file: string;
  readonly root: string;
  readonly prefix: string;
  /** Fields documented by another table, or a map whose keys are names (services). */
  readonly skip?: readonly string[];
}

export const AREAS: readonly Area[] = [
  {
    title: 'Environment-wide',
    file: 'src/environment/config.ts',
    root: 'EnvironmentSettings',
    prefix: '',
    skip: ['services', 'operations'],
  },
  { title: 'Network', file: 'src/network/settings.ts', root: 'NetworkSettings', prefix: '' },
  { title: 'Compute', file: 'src/compute/settings.ts', root: 'ComputeSettings', prefix: '' },
  { title: 'Edge', file: 'src/edge/settings.ts', root: 'EdgeSettings', prefix: '' },
  { title: 'Service', file: 'src/services/settings.ts', root: 'ServiceSettings', prefix: 'services.<name>.' },
  { title: 'Operations', file: 'src/operations/settings.ts', root: 'OperationsSettings', prefix: 'operations.' },
];

export interface Row {
  readonly field: string;
  readonly default: string;
  readonly description: string;
}

/** The rows of one area: every documented field, nested interfaces flattened to dotted paths. */
export function areaRows(program: ts.Program, area: Area): Row[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(join(ROOT, area.file));
  if (!source) throw new Error(`${area.file}: not in the program`);
  const root = source.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === area.root);
  if (!root) throw new Error(`${area.file}: no interface ${area.root}`);
  return interfaceRows(checker, root, area.prefix, new Set(area.skip ?? []));
}

function interfaceRows(checker: ts.TypeChecker, decl: ts.InterfaceDeclaration, prefix: string, skip: ReadonlySet<string>): Row[] {
  const rows: Row[] = [];
  // Own members only: an interface that extends another area's documents its own fields.
  for (const member of decl.members) {
    if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) continue;
    const name = member.name.text;
    if (skip.has(name)) continue;
    const nested = nestedInterface(checker, member);
    if (nested) {
      rows.push(...inheritedRows(checker, nested, `${prefix}${name}.`), ...interfaceRows(checker, nested, `${prefix}${name}.`, new Set()));
      continue;
    }
    const symbol = checker.getSymbolAtLocation(member.name)!;
    const tags = symbol.getJsDocTags(checker);
    const defaultTag = tags.find((t) => t.name === 'default');
    rows.push({
      field: `${prefix}${name}`,
      default: member.questionToken ? (defaultTag ? ts.displayPartsToString(defaultTag.text).trim() : '') : 'required in its section',
      description: ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim(),
    });
  }
  return rows;
}

/** The fields a nested interface takes from the interfaces it extends (the root's are other tables). */
function inheritedRows(checker: ts.TypeChecker, decl: ts.InterfaceDeclaration, prefix: string): Row[] {
  const rows: Row[] = [];
  for (const clause of decl.heritageClauses ?? []) {
    for (const base of clause.types) {
      const baseDecl = checker.getTypeAtLocation(base.expression).getSymbol()?.getDeclarations()?.[0];
      if (baseDecl && ts.isInterfaceDeclaration(baseDecl)) {
        rows.push(...inheritedRows(checker, baseDecl, prefix), ...interfaceRows(checker, baseDecl, prefix, new Set()));
      }
    }
  }
  return rows;
}

/** The interface a field takes, when it is one of this project's (not a map, a list or a union of values). */
function nestedInterface(checker: ts.TypeChecker, member: ts.PropertySignature): ts.InterfaceDeclaration | undefined {
  const type = checker.getNonNullableType(checker.getTypeAtLocation(member));
  const decl = type.getSymbol()?.getDeclarations()?.[0];
  if (!decl || !ts.isInterfaceDeclaration(decl)) return undefined;
  return relative(ROOT, decl.getSourceFile().fileName).startsWith('src') ? decl : undefined;
}

function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

export function renderTables(program: ts.Program): string {
  return AREAS.map((area) => {
    const rows = areaRows(program, area).map((r) => `| \`${r.field}\` | ${cell(r.default)} | ${cell(r.description)} |`);
    return [
      `### ${area.title} settings`,
      '',
      `From [\`${area.file}\`](../${area.file}) (\`${area.root}\`).`,
      '',
      '| field | default | what it does |',
      '| --- | --- | --- |',
      ...rows,
    ].join('\n');
  }).join('\n\n');
}

export const BEGIN =
  '<!-- settings:begin: generated by `npm run docs:settings` from the settings JSDoc; __tests__/docs.test.ts fails if it drifts -->';
export const END = '<!-- settings:end -->';

/** The document with the section between the markers replaced; throws when the markers are missing. */
export function replaceSection(doc: string, section: string): string {
  const begin = doc.indexOf('<!-- settings:begin');
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/configuration.md: no ${BEGIN} ... ${END} markers`);
  return `${doc.slice(0, begin)}${BEGIN}\n\n${section}\n\n${doc.slice(end)}`;
}

export function settingsProgram(): ts.Program {
  return ts.createProgram(
    AREAS.map((a) => join(ROOT, a.file)),
    { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, noEmit: true },
  );
}

export function expectedDocument(): { current: string; expected: string } {
  const current = readFileSync(CONFIGURATION_DOC, 'utf8');
  return { current, expected: replaceSection(current, renderTables(settingsProgram())) };
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`error: unknown argument ${unknown[0]}; usage: npm run docs:settings [-- --check]\n`);
    return 2;
  }
  const { current, expected } = expectedDocument();
  if (argv.includes('--check')) {
    if (current === expected) return 0;
    process.stderr.write('docs/configuration.md: the settings tables differ from the settings JSDoc; run npm run docs:settings\n');
    return 1;
  }
  if (current !== expected) writeFileSync(CONFIGURATION_DOC, expected);
  process.stdout.write(`docs/configuration.md: settings tables ${current === expected ? 'already up to date' : 'rewritten'}\n`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
