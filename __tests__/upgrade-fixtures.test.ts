/**
 * Old fixtures as AWS could have deployed them: a group AWS refuses (a subnet beside an existing
 * network interface) never came up, so the upgrade check starts without it.
 */
import { readFileSync } from 'node:fs';
import { dropUnlaunchableGroups, UPGRADE_FIXTURES } from '../harness/upgrade';

const load = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const mentions = (json: unknown, address: string) => JSON.stringify(json).includes(address);

describe('dropUnlaunchableGroups', () => {
  test.each(UPGRADE_FIXTURES.map((f) => [`${f.environment}@${f.commit}`, f.file]))(
    '%s: what it drops, nothing refers to any more',
    (_, file) => {
      const fixture = load(file);
      const dropped = dropUnlaunchableGroups(fixture);
      for (const address of dropped) expect(mentions(fixture, address)).toBe(false);
    },
  );

  test('a group with a subnet beside a launch template that names an existing interface is dropped, with its schedule and output', () => {
    const fixture = {
      resource: {
        aws_launch_template: {
          nat: { network_interfaces: [{ device_index: 0, network_interface_id: '${aws_network_interface.eni.id}' }] },
          app: {},
        },
        aws_autoscaling_group: {
          nat: { vpc_zone_identifier: ['${aws_subnet.public.id}'], launch_template: { id: '${aws_launch_template.nat.id}' } },
          natAz: { availability_zones: ['us-east-1a'], launch_template: { id: '${aws_launch_template.nat.id}' } },
          app: { vpc_zone_identifier: ['${aws_subnet.private.id}'], launch_template: { id: '${aws_launch_template.app.id}' } },
        },
        aws_autoscaling_schedule: { up: { autoscaling_group_name: '${aws_autoscaling_group.nat.name}' } },
      },
      output: { nat_group: { value: '${aws_autoscaling_group.nat.name}' } },
    };
    expect(dropUnlaunchableGroups(fixture)).toEqual(['aws_autoscaling_group.nat']);
    expect(Object.keys(fixture.resource.aws_autoscaling_group)).toEqual(['natAz', 'app']);
    expect(fixture.resource.aws_autoscaling_schedule).toEqual({});
    expect(fixture.output).toEqual({});
  });
});
