/**
 * The moto launcher's patches, held against harness/README.md's table: every patch has a row, every
 * row cites an AWS doc, and a patch's kind is only ever "fill" (an API or field moto lacks) or
 * "reject" (what AWS rejects). A patch that makes moto accept what AWS refuses has no kind to claim.
 */
export const PATCH_KINDS = ['fill', 'reject'] as const;

/** The patches the launcher applies: `patch_*` functions called from main(), and MOTO_* settings. */
export function launcherPatches(launcher: string): string[] {
  const main = launcher.slice(launcher.indexOf('def main('));
  const calls = [...main.matchAll(/^\s+(patch_\w+)\(\)/gm)].map((m) => m[1]);
  const settings = [...launcher.matchAll(/os\.environ\.setdefault\("(MOTO_\w+)"/g)].map((m) => m[1]);
  return [...settings, ...calls];
}

export interface PatchRow {
  readonly patch: string;
  readonly kind: string;
  readonly doc: string;
}

/** Rows of the README's patch table: `| \`name\` | kind | doc | what |`. */
export function patchTable(readme: string): PatchRow[] {
  return [...readme.matchAll(/^\| `((?:patch_|MOTO_)\w+)` \| ([^|]+) \| ([^|]+) \|/gm)].map((m) => ({
    patch: m[1],
    kind: m[2].trim(),
    doc: m[3].trim(),
  }));
}

/** Every way the launcher and the table disagree with the rules above; empty when they agree. */
export function auditMotoPatches(launcher: string, readme: string): string[] {
  const rows = new Map(patchTable(readme).map((r) => [r.patch, r]));
  return launcherPatches(launcher).flatMap((patch) => {
    const row = rows.get(patch);
    if (!row) return [`${patch}: no row in harness/README.md's patch table`];
    const problems: string[] = [];
    const kinds = row.kind
      .replace(/\(.*\)/, '')
      .split('+')
      .map((k) => k.trim());
    if (!kinds.every((k) => (PATCH_KINDS as readonly string[]).includes(k))) {
      problems.push(`${patch}: kind "${row.kind}" is not one of ${PATCH_KINDS.join(', ')}`);
    }
    if (!/https:\/\/docs\.aws\.amazon\.com\//.test(row.doc)) problems.push(`${patch}: no AWS doc (docs.aws.amazon.com) in its row`);
    return problems;
  });
}
