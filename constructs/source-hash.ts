import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Build output, IDE and OS files: they never change the image, so they never change its tag. */
const IGNORED = new Set(['target', '.git', '.idea', '.vscode', '.settings', 'node_modules', '.DS_Store', '.classpath', '.project']);
const IGNORED_SUFFIXES = ['.iml', '.swp', '~', '.log'];

/**
 * Content hash of a source tree: relative paths and bytes of every file that can reach the
 * image, in sorted order. The same tree always gives the same hash, on any machine.
 */
export function sourceHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of listSources(root)) {
    hash.update(relative(root, file).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function listSources(dir: string): string[] {
  const files: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (IGNORED.has(entry.name) || IGNORED_SUFFIXES.some((s) => entry.name.endsWith(s))) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listSources(path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}
