import { AREAS, areaRows, expectedDocument, replaceSection, settingsProgram } from '../tools/docs/settings';
import { CAPACITY_DEFAULTS, COMPUTE_DEFAULTS, SCHEDULE_DEFAULTS, SPOT_DEFAULTS } from '../src/compute/settings';
import { LOAD_BALANCER_DEFAULTS, WAF_DEFAULTS } from '../src/edge/settings';
import { NETWORK_DEFAULTS } from '../src/network/settings';
import { SERVICE_DEFAULTS } from '../src/services/settings';

const program = settingsProgram();
const rows = AREAS.flatMap((area) => areaRows(program, area));
const fields = new Set(rows.map((r) => r.field));

describe("docs/configuration.md's settings tables come from the settings' JSDoc", () => {
  test('the document is what `npm run docs:settings` writes', () => {
    const { current, expected } = expectedDocument();
    expect(current).toBe(expected);
  });

  test('a table that drifted from the JSDoc is rewritten', () => {
    const { current } = expectedDocument();
    const drifted = current.replace('| `vpcCidr` |', '| `vpcCidrs` |');
    expect(drifted).not.toBe(current);
    expect(replaceSection(drifted, '')).not.toBe(drifted);
    expect(() => replaceSection('no markers here', '')).toThrow('markers');
  });

  test('every field has a default and a description', () => {
    const undocumented = rows.filter((r) => r.default === '' || r.description === '').map((r) => r.field);
    expect(undocumented).toEqual([]);
  });

  test("every default constant's field is a documented row", () => {
    const under = (prefix: string, defaults: object) => Object.keys(defaults).map((k) => `${prefix}${k}`);
    const expected = [
      ...under('capacity.', CAPACITY_DEFAULTS),
      ...under('spot.', SPOT_DEFAULTS),
      ...under('schedule.', SCHEDULE_DEFAULTS),
      ...under('', COMPUTE_DEFAULTS),
      ...under('loadBalancer.', LOAD_BALANCER_DEFAULTS),
      ...under('waf.', WAF_DEFAULTS),
      ...under('', NETWORK_DEFAULTS).map((f) => (f === 'natInstanceType' ? 'natInstance.instanceType' : f)),
      ...Object.entries(SERVICE_DEFAULTS).flatMap(([group, d]) =>
        typeof d === 'object' ? under(`services.<name>.${group}.`, d) : [`services.<name>.${group}`],
      ),
    ];
    expect(expected.filter((f) => !fields.has(f))).toEqual([]);
  });
});
