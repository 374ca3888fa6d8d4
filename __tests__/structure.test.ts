/** The code's shape: constructors that read as named steps, each at most about a screen. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_CONSTRUCTOR_LINES = 60;

/** `file: lines` of each class constructor longer than `max` lines. */
export function longConstructors(files: Readonly<Record<string, string>>, max = MAX_CONSTRUCTOR_LINES): string[] {
  const long: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (!/^ {2}constructor\(/.test(line)) return;
      const end = lines.findIndex((l, j) => j > i && l === '  }');
      if (end - i + 1 > max) long.push(`${file}: ${end - i + 1} lines`);
    });
  }
  return long;
}

const root = join(__dirname, '..');
const sources = Object.fromEntries(
  ['src', 'harness', 'tools'].flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !/(^|\/)(\.work|node_modules)\//.test(f))
      .map((f) => [`${dir}/${f}`, readFileSync(join(root, dir, f), 'utf8')]),
  ),
);

describe('constructors compose named steps', () => {
  test(`no constructor is longer than ${MAX_CONSTRUCTOR_LINES} lines`, () => {
    expect(longConstructors(sources)).toEqual([]);
  });

  test('a long constructor is reported', () => {
    const body = Array.from({ length: MAX_CONSTRUCTOR_LINES }, () => '    step();').join('\n');
    expect(longConstructors({ 'x.ts': `class X {\n  constructor() {\n${body}\n  }\n}` })).toEqual(['x.ts: 62 lines']);
  });
});
