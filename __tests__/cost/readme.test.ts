import { readFileSync } from 'node:fs';
import { estimateStack } from '../../tools/cost/estimate';
import { README_PATH } from '../../tools/cost/cli';
import { monthly } from '../../tools/cost/estimate';
import { readmeSection, renderReadme, replaceReadmeSection, usd } from '../../tools/cost/render';
import { synthStacks } from '../support/stacks';

/**
 * README's cost section is what `npm run cost -- --readme` writes for the environments' stacks:
 * when a stack, a price or an assumption changes, this fails until the README is regenerated.
 */
describe("docs/cost.md's cost section", () => {
  const expected = renderReadme(synthStacks().map((s) => estimateStack(s.name, s.json)));
  const readme = readFileSync(README_PATH, 'utf8');

  test('matches the estimate of every environment (run `npm run synth && npm run cost -- --readme` to update)', () => {
    expect(readmeSection(readme)).toBe(expected);
  });

  test('a hand edit inside the markers is a drift the check catches', () => {
    // The first total in the section, whatever it is today.
    const edited = readme.replace(/\*\*\$\d+\.\d\d\*\*/, '**$0.01**');
    expect(edited).not.toBe(readme);
    expect(readmeSection(edited)).not.toBe(expected);
  });

  test('every line of dev\'s table is explained in "Cheaper dev": a row naming its resource type and its amount', () => {
    const dev = estimateStack('host-name-dev', synthStacks().find((st) => st.name === 'host-name-dev')!.json);
    const explained = readme.slice(readme.indexOf('#### Cheaper dev'), readme.indexOf('**The NAT instance**'));
    const rows = explained.split('\n').filter((l) => l.startsWith('| `'));
    const missing = dev.lines.filter((l) => !rows.some((row) => row.startsWith(`| \`${l.type}\``) && row.includes(usd(monthly(l, 'min')))));
    expect(missing.map((l) => `${l.type} ${l.item} ${usd(monthly(l, 'min'))}`)).toEqual([]);
    expect(explained).toContain(`**${usd(dev.total.min)}**`);
  });

  test('rewriting replaces only what is between the markers', () => {
    const doc = 'before\n<!-- cost:begin -->\nold\n<!-- cost:end -->\nafter\n';
    expect(replaceReadmeSection(doc, '<!-- cost:begin x -->new<!-- cost:end -->')).toBe(
      'before\n<!-- cost:begin x -->new<!-- cost:end -->\nafter\n',
    );
    expect(() => replaceReadmeSection('no markers', 'x')).toThrow('README.md has no <!-- cost:begin ... --> ... <!-- cost:end --> markers');
  });
});
