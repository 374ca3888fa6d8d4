/**
 * Text and Markdown for estimates, their differences, and the README's cost section.
 */
import { ASSUMPTIONS, Assumptions } from './assumptions';
import { Line, monthly, Size, StackEstimate } from './estimate';
import { HOURS_PER_MONTH, PRICES_AS_OF, PRICES_SOURCE } from './prices';

export function usd(n: number): string {
  const abs = Math.abs(n);
  const text = `$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return n < -0.004 ? `-${text}` : text;
}

function signedUsd(n: number): string {
  if (Math.abs(n) < 0.005) return '$0.00';
  return n > 0 ? `+${usd(n)}` : usd(n);
}

/** A unit price with the digits it has: $0.0116, $0.045, $3. */
export function price(n: number): string {
  const text = Number(n.toPrecision(6)).toString();
  const decimals = text.includes('.') ? text.split('.')[1].length : 0;
  return `$${decimals >= 2 ? text : n.toFixed(2)}`;
}

function quantity(n: number): string {
  return Number(n.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 4 });
}

function plural(noun: string, n: number): string {
  if (n === 1) return noun;
  if (/(s|x|ch|sh)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

/** "1 (max 2) instances × 730 h × $0.0116/h". */
export function explain(line: Line): string {
  const { min, max } = line.count;
  const count = min === max ? quantity(min) : `${quantity(min)} (max ${quantity(max)})`;
  const parts = [`${count} ${plural(line.countUnit, Math.max(min, max))}`, ...line.factors.map((f) => `${quantity(f.value)} ${f.unit}`)];
  return `${parts.join(' × ')} × ${price(line.unitPrice)}/${line.priceUnit}`;
}

function footnotes(lines: readonly Line[]): { marks: string[]; notes: string[] } {
  const notes: string[] = [];
  const marks = lines.map((line) => {
    if (!line.note) return '';
    let i = notes.indexOf(line.note);
    if (i < 0) i = notes.push(line.note) - 1;
    return ` [${i + 1}]`;
  });
  return { marks, notes };
}

function header(e: StackEstimate): string {
  return `${e.stack}: ${e.region} (${e.location}), list prices of ${e.pricesAsOf}, ${HOURS_PER_MONTH} h/month`;
}

export function renderText(e: StackEstimate): string {
  const { marks, notes } = footnotes(e.lines);
  const rows = e.lines.map((l, i) => [l.type, l.item + marks[i], explain(l), usd(monthly(l, 'min')), usd(monthly(l, 'max'))]);
  const all = [
    ['resource type', 'item', 'quantity × unit price (min, max where it differs)', 'min/month', 'max/month'],
    ...rows,
    ['total', '', '', usd(e.total.min), usd(e.total.max)],
  ];
  const widths = all[0].map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, c) => (c >= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const out = [header(e), fmt(all[0]), widths.map((w) => '-'.repeat(w)).join('  ')];
  out.push(...rows.map(fmt), widths.map((w) => '-'.repeat(w)).join('  '), fmt(all[all.length - 1]));
  notes.forEach((n, i) => out.push(`[${i + 1}] ${n}`));
  out.push(`free: ${e.free.map((f) => `${f.type}${f.count > 1 ? ` x${f.count}` : ''}`).join(', ')}`);
  return out.join('\n') + '\n';
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function renderMarkdown(e: StackEstimate, level = 3): string {
  const { marks, notes } = footnotes(e.lines);
  const out = [
    `${'#'.repeat(level)} ${e.stack}: ${usd(e.total.min)}/month at minimum size, ${usd(e.total.max)} at maximum`,
    '',
    `${e.region} (${e.location}), on-demand list prices of ${e.pricesAsOf}, ${HOURS_PER_MONTH} h/month.`,
    '',
    '| resource type | item | quantity × unit price (min, max where it differs) | min/month | max/month |',
    '| --- | --- | --- | ---: | ---: |',
    ...e.lines.map(
      (l, i) =>
        `| \`${l.type}\` | ${cell(l.item)}${marks[i]} | ${cell(explain(l))} | ${usd(monthly(l, 'min'))} | ${usd(monthly(l, 'max'))} |`,
    ),
    `| **total** | | | **${usd(e.total.min)}** | **${usd(e.total.max)}** |`,
    '',
  ];
  if (notes.length) out.push(...notes.map((n, i) => `[${i + 1}] ${cell(n)}`).map((n) => `${n}  `), '');
  out.push(
    `<details><summary>free: ${e.free.reduce((n, f) => n + f.count, 0)} resources and data sources</summary>`,
    '',
    ...e.free.map((f) => `- \`${f.type}\`${f.count > 1 ? ` x${f.count}` : ''}: ${f.reason}`),
    '',
    '</details>',
    '',
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Differences between two synth outputs

export interface LineDelta {
  readonly type: string;
  readonly item: string;
  readonly base: Record<Size, number>;
  readonly head: Record<Size, number>;
}

export interface StackDelta {
  readonly stack: string;
  readonly base?: StackEstimate;
  readonly head?: StackEstimate;
  readonly lines: readonly LineDelta[];
}

/** Monthly cost per (type, item): the unit a reviewer compares. */
function byItem(e: StackEstimate | undefined): Map<string, { type: string; item: string; min: number; max: number }> {
  const m = new Map<string, { type: string; item: string; min: number; max: number }>();
  for (const l of e?.lines ?? []) {
    const key = `${l.type}\u0000${l.item}`;
    const seen = m.get(key) ?? { type: l.type, item: l.item, min: 0, max: 0 };
    m.set(key, { ...seen, min: seen.min + monthly(l, 'min'), max: seen.max + monthly(l, 'max') });
  }
  return m;
}

export function compareStack(stack: string, base: StackEstimate | undefined, head: StackEstimate | undefined): StackDelta {
  const b = byItem(base);
  const h = byItem(head);
  const lines: LineDelta[] = [];
  for (const key of new Set([...h.keys(), ...b.keys()])) {
    const x = b.get(key);
    const y = h.get(key);
    const delta = {
      type: (x ?? y)!.type,
      item: (x ?? y)!.item,
      base: { min: x?.min ?? 0, max: x?.max ?? 0 },
      head: { min: y?.min ?? 0, max: y?.max ?? 0 },
    };
    if (Math.abs(delta.head.min - delta.base.min) >= 0.005 || Math.abs(delta.head.max - delta.base.max) >= 0.005) lines.push(delta);
  }
  return { stack, base, head, lines };
}

const total = (e: StackEstimate | undefined, size: Size) => e?.total[size] ?? 0;

function status(d: StackDelta): string {
  if (!d.base) return ' (new stack)';
  if (!d.head) return ' (stack removed)';
  return '';
}

export function renderCompareText(deltas: readonly StackDelta[]): string {
  const out: string[] = ['monthly difference, base -> this branch'];
  for (const d of deltas) {
    const line = (s: Size) => `${usd(total(d.base, s))} -> ${usd(total(d.head, s))} (${signedUsd(total(d.head, s) - total(d.base, s))})`;
    out.push(`${d.stack}${status(d)}: min ${line('min')}, max ${line('max')}`);
    if (d.lines.length === 0) out.push('  no line changed');
    for (const l of d.lines) {
      out.push(`  ${l.type}  ${l.item}: min ${signedUsd(l.head.min - l.base.min)}, max ${signedUsd(l.head.max - l.base.max)}`);
    }
  }
  return out.join('\n') + '\n';
}

export function renderCompareMarkdown(deltas: readonly StackDelta[], level = 3): string {
  const out = [
    `${'#'.repeat(level)} Cost difference: base branch -> this branch (monthly, USD)`,
    '',
    '| stack | base min | this min | difference | base max | this max | difference |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...deltas.map(
      (d) =>
        `| ${d.stack}${status(d)} | ${usd(total(d.base, 'min'))} | ${usd(total(d.head, 'min'))} | **${signedUsd(total(d.head, 'min') - total(d.base, 'min'))}** | ${usd(total(d.base, 'max'))} | ${usd(total(d.head, 'max'))} | **${signedUsd(total(d.head, 'max') - total(d.base, 'max'))}** |`,
    ),
    '',
  ];
  const changed = deltas.flatMap((d) => d.lines.map((l) => ({ stack: d.stack, ...l })));
  if (changed.length === 0) {
    out.push('No line changed.', '');
  } else {
    out.push(
      '| stack | resource type | item | min: base -> this | difference | max: base -> this | difference |',
      '| --- | --- | --- | ---: | ---: | ---: | ---: |',
      ...changed.map(
        (l) =>
          `| ${l.stack} | \`${l.type}\` | ${cell(l.item)} | ${usd(l.base.min)} -> ${usd(l.head.min)} | ${signedUsd(l.head.min - l.base.min)} | ${usd(l.base.max)} -> ${usd(l.head.max)} | ${signedUsd(l.head.max - l.base.max)} |`,
      ),
      '',
    );
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// README

export const README_BEGIN =
  '<!-- cost:begin: generated by `npm run cost -- --readme` from the demo environments (tools/cost/demo-environments.ts); __tests__/cost/readme.test.ts fails if it drifts -->';
export const README_END = '<!-- cost:end -->';

function assumptionLines(a: Assumptions): string[] {
  const m = a.containerInsightsMetrics;
  return [
    `ALB: ${a.albLcu} LCU on average; NAT gateway: ${a.natGbPerGateway} GB/month processed each (image layers use the free S3 gateway endpoint).`,
    `CloudWatch Logs: ${a.appLogGbPerGroup} GB/month into each app log group; VPC flow logs (ALL traffic): ${a.flowLogGbAll} GB/month (REJECT-only: ${a.flowLogFilteredFraction} of that); storage counted uncompressed for the retention period.`,
    `Container Insights: ${m.cluster} metrics per cluster, ${m.service} per service, ${m.taskFamily} per task definition family, and ${a.containerInsightsLogGbPerTask} GB/month of performance logs per running task. EC2 detailed monitoring: ${a.detailedMonitoringMetricsPerInstance} metrics per instance.`,
    `ECR: ${a.ecrImageGb} GB per image kept (shared layers not deducted). ALB access logs: ${a.albAccessLogGbPerMonth} GB/month, one S3 object per ALB node every 5 minutes.`,
    `Spot (EC2 Spot instances and Fargate Spot tasks): an assumed ${a.spotDiscountPercent}% below on-demand (\`--spot-discount\` changes it); Spot prices vary and the table has no live ones. Fargate: Linux, per vCPU-hour and GB-hour of the task size. Free tiers are not deducted. Data transfer out to the internet is not included.`,
  ];
}

export function renderReadme(estimates: readonly StackEstimate[], a: Assumptions = ASSUMPTIONS): string {
  const sizes = (e: StackEstimate) => `| ${e.stack} | ${e.region} | **${usd(e.total.min)}** | **${usd(e.total.max)}** |`;
  const out = [
    README_BEGIN,
    '',
    `Monthly estimate of each demo stack by \`npm run cost\`, at the minimum size (Auto Scaling group and service at their minimums) and at the maximum, ${HOURS_PER_MONTH} h/month, on-demand list prices of **${PRICES_AS_OF}**. Source: ${PRICES_SOURCE}.`,
    '',
    '| stack | region | minimum size | maximum size |',
    '| --- | --- | ---: | ---: |',
    ...estimates.map(sizes),
    '',
    'Usage the stacks cannot tell is assumed (each line that depends on it says so):',
    '',
    ...assumptionLines(a).map((l) => `- ${l}`),
    '',
    ...estimates.map((e) => renderMarkdown(e, 4)),
    README_END,
  ];
  return out.join('\n');
}

/** README text with the section between the markers replaced; throws when the markers are missing. */
export function replaceReadmeSection(readme: string, section: string): string {
  const begin = readme.indexOf('<!-- cost:begin');
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error('README.md has no <!-- cost:begin ... --> ... <!-- cost:end --> markers');
  return readme.slice(0, begin) + section + readme.slice(end + README_END.length);
}

export function readmeSection(readme: string): string | undefined {
  const begin = readme.indexOf('<!-- cost:begin');
  const end = readme.indexOf(README_END);
  return begin < 0 || end < begin ? undefined : readme.slice(begin, end + README_END.length);
}
