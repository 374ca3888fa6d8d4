import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

/** Links of a Markdown text outside code blocks, as written. */
function links(text: string): string[] {
  const prose = text.replace(/```[\s\S]*?```/g, '');
  return [...prose.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^(https?:|mailto:)/.test(t));
}

function anchors(path: string): Set<string> {
  const prose = read(path).replace(/```[\s\S]*?```/g, '');
  return new Set([...prose.matchAll(/^#{1,6} (.*)$/gm)].map((m) => slug(m[1])));
}

/** Every link of `path` that names no file, or no heading of it. */
export function brokenLinks(path: string, text = read(path)): string[] {
  return links(text).flatMap((target) => {
    const [file, anchor] = target.split('#');
    const to = file ? resolve(dirname(join(root, path)), file) : join(root, path);
    if (!existsSync(to)) return [`${path}: ${target} (no such file)`];
    if (anchor && to.endsWith('.md') && !anchors(to.slice(root.length + 1)).has(anchor)) return [`${path}: ${target} (no such heading)`];
    return [];
  });
}

/** `npm run <script>` names in a text that package.json lacks. */
export function unknownScripts(text: string): string[] {
  const scripts = Object.keys(JSON.parse(read('package.json')).scripts);
  return [...new Set([...text.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]))].filter((s) => !scripts.includes(s));
}

describe('the README is a front door, and its links and commands hold', () => {
  test('the README is at most 200 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(200);
  });

  test.each(docs)('every link in %s names a file and heading that exist', (path) => {
    expect(brokenLinks(path)).toEqual([]);
  });

  test.each(['README.md', 'help', ...docs.slice(1)])('every npm run in %s is a script of package.json', (path) => {
    expect(unknownScripts(read(path))).toEqual([]);
  });

  test('a broken link and an unknown script are reported', () => {
    expect(brokenLinks('README.md', '[x](docs/nowhere.md) [y](docs/cost.md#no-such-heading) [z](#quickstart)')).toEqual([
      'README.md: docs/nowhere.md (no such file)',
      'README.md: docs/cost.md#no-such-heading (no such heading)',
    ]);
    expect(unknownScripts('npm run synth, npm run no-such-script')).toEqual(['no-such-script']);
  });
});
