import { readFileSync } from 'fs';
import { join } from 'path';
import { serverErrors } from '../harness/emulator';
import { auditMotoPatches, launcherPatches } from '../harness/moto-patches';

const root = join(__dirname, '..');
const launcher = readFileSync(join(root, 'harness/moto_launcher.py'), 'utf8');
const readme = readFileSync(join(root, 'harness/README.md'), 'utf8');

describe('moto patches: each fills a gap or rejects what AWS rejects, and cites its AWS doc', () => {
  test('the launcher applies patches (the parser finds them)', () => {
    expect(launcherPatches(launcher).length).toBeGreaterThan(0);
  });

  test('every patch the launcher applies has a row with a kind and an AWS doc', () => {
    expect(auditMotoPatches(launcher, readme)).toEqual([]);
  });

  test('a patch with no row is reported', () => {
    const extra = launcher.replace(/def main\(\) -> None:\n/, (m) => `${m}    patch_accept_anything()\n`);
    expect(auditMotoPatches(extra, readme)).toEqual(["patch_accept_anything: no row in harness/README.md's patch table"]);
  });

  test('a row whose kind is "accept", or that cites no AWS doc, is reported', () => {
    const [patch] = launcherPatches(launcher).filter((p) => p.startsWith('patch_'));
    const row = new RegExp(`^\\| \`${patch}\` \\| [^|]+ \\| [^|]+ \\|`, 'm');
    const bad = readme.replace(row, `| \`${patch}\` | accept | a blog post |`);
    expect(auditMotoPatches(launcher, bad)).toEqual([
      `${patch}: kind "accept" is not one of fill, reject`,
      `${patch}: no AWS doc (docs.aws.amazon.com) in its row`,
    ]);
  });
});

describe('moto answers every request atomically', () => {
  test('the launcher serves requests one at a time', () => {
    expect(launcher).toMatch(/app = serialized\(DomainDispatcherApplication\(create_backend_app\)\)/);
  });

  test('a request answered 5xx is found in the request log; 4xx and 2xx are not', () => {
    const log = [
      '127.0.0.1 - - [02/Dec/2026 22:31:24] "POST / HTTP/1.1" 200 -',
      '127.0.0.1 - - [02/Dec/2026 22:31:24] "POST / HTTP/1.1" 400 -',
      '127.0.0.1 - - [02/Dec/2026 22:31:25] "POST / HTTP/1.1" 500 -',
    ].join('\n');
    expect(serverErrors(log)).toEqual(['127.0.0.1 - - [02/Dec/2026 22:31:25] "POST / HTTP/1.1" 500 -']);
  });
});
