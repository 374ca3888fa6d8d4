import { spawnSync } from 'child_process';
import { join } from 'path';

const root = join(__dirname, '..');

/** ESLint's verdict on one file's text, as if it stood at `path`. */
function lint(path: string, text: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', path], {
    cwd: root,
    input: text,
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('imports point down: app -> environment -> services -> compute -> network, edge, operations -> shared', () => {
  test('an area importing one below it passes', () => {
    expect(lint('src/services/probe.ts', "export { Ec2Capacity } from '../compute/ec2-capacity';\n")).toEqual({ status: 0, out: '' });
  });

  test.each([
    ['src/network/probe.ts', '../compute/ec2-capacity', 'network may not import compute'],
    ['src/shared/probe.ts', '../services/settings', 'shared may not import services'],
    ['src/services/probe.ts', '../environment/config', 'services may not import environment'],
    ['src/edge/probe.ts', '../network/settings', 'edge may not import network'],
  ])('%s importing %s fails', (path, target, message) => {
    const { status, out } = lint(path, `export * from '${target}';\n`);
    expect(status).toBe(1);
    expect(out).toContain(message);
  });
});
