import { readFileSync } from 'node:fs';
import { demoEstimates, README_PATH } from '../../tools/cost/cli';
import { monthly } from '../../tools/cost/estimate';
import { readmeSection, renderReadme, replaceReadmeSection, usd } from '../../tools/cost/render';

// docs/cost.md prices the demo environments (tools/cost/demo-environments.ts), not src/environments.ts: a team's edit there keeps this green.

/**
 * docs/cost.md's cost section is what `npm run cost -- --readme` writes for the demo's stacks:
 * when the demo, a construct, a price or an assumption changes, this fails until it is regenerated.
 */
describe("docs/cost.md's cost section", () => {
  const estimates = demoEstimates();
  const expected = renderReadme(estimates);
  const readme = readFileSync(README_PATH, 'utf8');

  test('matches the estimate of the demo environments (run `npm run cost -- --readme` to update)', () => {
    expect(readmeSection(readme)).toBe(expected);
  });

  test('a hand edit inside the markers is a drift the check catches', () => {
    // The first total in the section, whatever it is today.
    const edited = readme.replace(/\*\*\$\d+\.\d\d\*\*/, '**$0.01**');
    expect(edited).not.toBe(readme);
    expect(readmeSection(edited)).not.toBe(expected);
  });

  test('the section names the demo stacks, dev and prod', () => {
    expect(estimates.map((e) => e.stack)).toEqual(['host-name-dev', 'host-name-prod']);
  });

  const dev = estimates.find((e) => e.stack === 'host-name-dev')!;
  /** Lines of dev's table with no row in "Cheaper dev" naming the type and the amount; the total when it is not there. */
  function unexplained(doc: string): string[] {
    const explained = doc.slice(doc.indexOf('#### Cheaper dev'), doc.indexOf('**The NAT instance**'));
    const rows = explained.split('\n').filter((l) => l.startsWith('| `'));
    const missing = dev.lines.filter((l) => !rows.some((row) => row.startsWith(`| \`${l.type}\``) && row.includes(usd(monthly(l, 'min')))));
    const total = explained.includes(`**${usd(dev.total.min)}**`) ? [] : [`total ${usd(dev.total.min)}`];
    return [...missing.map((l) => `${l.type} ${l.item} ${usd(monthly(l, 'min'))}`), ...total];
  }

  test('every line of dev\'s table is explained in "Cheaper dev": a row naming its resource type and its amount', () => {
    expect(unexplained(readme)).toEqual([]);
  });

  test('a line without its row, or another total, is caught', () => {
    const withoutDashboard = readme
      .split('\n')
      .filter((l) => !l.startsWith('| `aws_cloudwatch_dashboard`'))
      .join('\n');
    expect(unexplained(withoutDashboard)).toEqual([expect.stringMatching(/^aws_cloudwatch_dashboard /)]);
    const otherTotal = readme.replace(`Dev costs **${usd(dev.total.min)}**`, 'Dev costs **$0.01**');
    expect(unexplained(otherTotal)).toEqual([`total ${usd(dev.total.min)}`]);
  });

  test('rewriting replaces only what is between the markers', () => {
    const doc = 'before\n<!-- cost:begin -->\nold\n<!-- cost:end -->\nafter\n';
    expect(replaceReadmeSection(doc, '<!-- cost:begin x -->new<!-- cost:end -->')).toBe(
      'before\n<!-- cost:begin x -->new<!-- cost:end -->\nafter\n',
    );
    expect(() => replaceReadmeSection('no markers', 'x')).toThrow('README.md has no <!-- cost:begin ... --> ... <!-- cost:end --> markers');
  });
});
