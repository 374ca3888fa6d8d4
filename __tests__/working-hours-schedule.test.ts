import { dayRanges, isIanaTimeZone, unixCronDays } from '../src/compute/schedule-times';
import { demoConfig } from './support/fixtures';
import { synthStack } from './support/stacks';
import { resourcesOf } from './support/synth';

const scheduled = (schedule = {}) =>
  synthStack(
    demoConfig('dev', {
      schedule: { enabled: true, timeZone: 'Europe/Berlin', days: 'MON-FRI', start: '07:30', stop: '18:50', ...schedule },
    }),
  );

describe('WorkingHoursSchedule', () => {
  const { json, stack } = scheduled();

  test('each service: to its range at start, to zero at stop, in the time zone, on the days', () => {
    const actions = Object.values(resourcesOf(json, 'aws_appautoscaling_scheduled_action'));
    expect(actions.map((a) => [a.name, a.schedule, a.timezone, a.scalable_target_action])).toEqual([
      ['host-name-dev-host-name-start', 'cron(30 7 ? * MON-FRI *)', 'Europe/Berlin', { min_capacity: '1', max_capacity: '2' }],
      ['host-name-dev-host-name-stop', 'cron(50 18 ? * MON-FRI *)', 'Europe/Berlin', { min_capacity: '0', max_capacity: '0' }],
    ]);
    for (const a of actions) {
      expect(a.resource_id).toMatch(/^\$\{aws_appautoscaling_target\.service-host-name_scaling-target_\w+\.resource_id\}$/);
      expect(a.service_namespace).toMatch(/\.service_namespace\}$/);
    }
  });

  /** The group's scheduled actions, by the group's construct path prefix (capacity_asg, network_nat-instance_asg). */
  const groupActions = (j: typeof json, group: string) =>
    Object.values(resourcesOf(j, 'aws_autoscaling_schedule')).filter((a) =>
      new RegExp(`^\\$\\{aws_autoscaling_group\\.${group}_\\w+\\.name\\}$`).test(a.autoscaling_group_name),
    );

  test('instances: back at start; 15 minutes after the services only the minimum drops to 0, so ECS scales in the instances it protects', () => {
    const actions = groupActions(json, 'capacity_asg');
    expect(actions.map((a) => [a.scheduled_action_name, a.recurrence, a.time_zone, a.min_size, a.max_size, a.desired_capacity])).toEqual([
      ['host-name-dev-start', '30 7 * * 1-5', 'Europe/Berlin', 1, 2, 1],
      ['host-name-dev-stop', '5 19 * * 1-5', 'Europe/Berlin', 0, -1, -1],
    ]);
    for (const a of actions) expect(a.autoscaling_group_name).toMatch(/^\$\{aws_autoscaling_group\.capacity_asg_\w+\.name\}$/);
  });

  test('the NAT instance: up 10 minutes before the instances (they register with ECS through it), down 10 minutes after them', () => {
    const actions = groupActions(json, 'network_nat-instance_asg');
    expect(actions.map((a) => [a.scheduled_action_name, a.recurrence, a.time_zone, a.min_size, a.max_size, a.desired_capacity])).toEqual([
      ['host-name-dev-nat-start', '20 7 * * 1-5', 'Europe/Berlin', 1, 1, 1],
      ['host-name-dev-nat-stop', '15 19 * * 1-5', 'Europe/Berlin', 0, 0, 0],
    ]);
    expect(stack.schedule!.natActions).toHaveLength(2);
    // Terraform leaves the group where the schedule put it, desired capacity included.
    const nat = resourcesOf(json, 'aws_autoscaling_group')[
      Object.keys(resourcesOf(json, 'aws_autoscaling_group')).find((k) => k.startsWith('network_nat-instance_asg'))!
    ];
    expect(nat.lifecycle.ignore_changes).toEqual(['desired_capacity', 'min_size', 'max_size']);
    expect([nat.min_size, nat.max_size, nat.desired_capacity]).toEqual([1, 1, 1]);
  });

  test('the NAT instance keeps its route and address across the stop: the interface outlives the instance', () => {
    const [lt] = Object.values(resourcesOf(json, 'aws_launch_template')).filter((t) => String(t.name_prefix).endsWith('-nat-'));
    expect(lt.network_interfaces).toEqual([expect.objectContaining({ device_index: 0, delete_on_termination: 'false' })]);
    const [eip] = Object.values(resourcesOf(json, 'aws_eip'));
    expect(eip.network_interface).toBe(lt.network_interfaces[0].network_interface_id);
  });

  test('a schedule without a NAT instance schedules no NAT', () => {
    const { json: single, stack: s } = synthStack(demoConfig('dev', { natMode: 'single' }));
    expect(Object.keys(resourcesOf(single, 'aws_autoscaling_schedule'))).toHaveLength(2);
    expect(s.schedule!.natActions).toEqual([]);
  });

  test('Terraform no longer resets the sizes the schedule owns', () => {
    const asg = resourcesOf(json, 'aws_autoscaling_group')[
      Object.keys(resourcesOf(json, 'aws_autoscaling_group')).find((k) => k.startsWith('capacity_asg'))!
    ];
    expect(asg.lifecycle.ignore_changes).toEqual(['desired_capacity', 'min_size', 'max_size']);
    const [target] = Object.values(resourcesOf(json, 'aws_appautoscaling_target'));
    expect(target.lifecycle.ignore_changes).toEqual(['min_capacity', 'max_capacity']);
    expect(stack.schedule!.instanceActions).toHaveLength(2);
  });

  test('off (the default): no scheduled action, sizes owned by Terraform as before', () => {
    const unscheduled = synthStack(demoConfig('dev', { schedule: { enabled: false } }));
    expect(resourcesOf(unscheduled.json, 'aws_autoscaling_schedule')).toEqual({});
    for (const asg of Object.values(resourcesOf(unscheduled.json, 'aws_autoscaling_group')))
      expect(asg.lifecycle?.ignore_changes ?? []).not.toContain('min_size');
    const prod = synthStack(demoConfig('prod'));
    expect(resourcesOf(prod.json, 'aws_autoscaling_schedule')).toEqual({});
    expect(resourcesOf(prod.json, 'aws_appautoscaling_scheduled_action')).toEqual({});
    const [target] = Object.values(resourcesOf(prod.json, 'aws_appautoscaling_target'));
    expect(target.lifecycle).toBeUndefined();
    expect(prod.stack.schedule).toBeUndefined();
  });

  test('days in the two cron dialects: names for Application Auto Scaling, 0-6 for EC2 Auto Scaling', () => {
    const { json: weekend } = scheduled({ days: 'MON,WED,FRI-SAT' });
    expect(groupActions(weekend, 'capacity_asg')[0].recurrence).toBe('30 7 * * 1,3,5-6');
    expect(groupActions(weekend, 'network_nat-instance_asg')[0].recurrence).toBe('20 7 * * 1,3,5-6');
    expect(Object.values(resourcesOf(weekend, 'aws_appautoscaling_scheduled_action'))[0].schedule).toBe('cron(30 7 ? * MON,WED,FRI-SAT *)');
  });
});

describe('schedule helpers', () => {
  test.each([
    ['MON-FRI', '1-5', [[1, 5]]],
    ['SUN', '0', [[0, 0]]],
    ['SUN-SAT', '0-6', [[0, 6]]],
    [
      'MON,THU-FRI',
      '1,4-5',
      [
        [1, 1],
        [4, 5],
      ],
    ],
  ])('%s -> %s', (days, unix, ranges) => {
    expect(unixCronDays(days)).toBe(unix);
    expect(dayRanges(days)).toEqual(ranges);
  });

  test.each([
    ['UTC', true],
    ['Europe/Berlin', true],
    ['America/New_York', true],
    ['europe/berlin', false],
    ['CEST', false],
    ['Mars/Olympus', false],
    ['', false],
  ])('IANA time zone %s: %s', (name, ok) => expect(isIanaTimeZone(name)).toBe(ok));
});
