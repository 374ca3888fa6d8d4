/**
 * What every environment of src/environments.ts deploys fits its instances, read from the synthesized
 * stack rather than the config: each service at its scaling maximum times its deployment maximum
 * percent, on the Auto Scaling group's max_size instances of the launch template's type, by memory
 * reservation (less ECS_RESERVED_MEMORY) and by cpu units; and each task fits one instance.
 */
import { INSTANCE_TYPES } from '../src/compute/instance-types';
import { demoConfigs } from './support/fixtures';
import { everyEnvironment, SynthesizedStack, synthStack, synthStacks } from './support/stacks';
import { resourcesOf } from './support/synth';

/** Why the stack's services, all at their maximum and mid-deployment, would not fit; empty when they do. */
function shortfall({ stack, json }: SynthesizedStack): string[] {
  const of = (type: string, id: string) => resourcesOf(json, type)[id];
  const template = of('aws_launch_template', stack.capacity.launchTemplate.friendlyUniqueId);
  const spec = INSTANCE_TYPES[template.instance_type];
  const reserved = Number(/ECS_RESERVED_MEMORY=(\d+)/.exec(template.user_data)?.[1]);
  const instances = of('aws_autoscaling_group', stack.capacity.autoScalingGroup.friendlyUniqueId).max_size;
  const perInstance = { memory: spec.registeredMemoryMiB - reserved, cpu: spec.vcpus * 1024 };
  const problems: string[] = [];
  let memory = 0;
  let cpu = 0;
  for (const svc of stack.services) {
    // Fargate tasks take nothing of the instances.
    if (of('aws_ecs_task_definition', svc.taskDefinition.friendlyUniqueId).requires_compatibilities.includes('FARGATE')) continue;
    const maxTasks = of('aws_appautoscaling_target', svc.scalingTarget.friendlyUniqueId).max_capacity;
    const percent = of('aws_ecs_service', svc.service.friendlyUniqueId).deployment_maximum_percent;
    const tasks = Math.ceil((maxTasks * percent) / 100);
    const [container] = JSON.parse(of('aws_ecs_task_definition', svc.taskDefinition.friendlyUniqueId).container_definitions);
    const task = { memory: container.memoryReservation ?? container.memory, cpu: container.cpu };
    if (task.memory > perInstance.memory || task.cpu > perInstance.cpu) problems.push(`${svc.name}: one task does not fit one instance`);
    memory += tasks * task.memory;
    cpu += tasks * task.cpu;
  }
  if (memory > instances * perInstance.memory) problems.push(`${memory} MiB reserved > ${instances} x ${perInstance.memory}`);
  if (cpu > instances * perInstance.cpu) problems.push(`${cpu} cpu units > ${instances} x ${perInstance.cpu}`);
  return problems;
}

describe('every environment fits its instances at its maximum, mid-deployment', () => {
  test.each(synthStacks(everyEnvironment()).map((s) => [s.name, s] as const))('%s', (_, s) => {
    expect(shortfall(s)).toEqual([]);
  });

  test('the check reads the stack: fewer instances, or a larger task, than the stack needs is caught', () => {
    const dev = synthStack(demoConfigs(['dev'])[0]);
    expect(shortfall(dev)).toEqual([]);
    const groups = resourcesOf(dev.json, 'aws_autoscaling_group');
    groups[dev.stack.capacity.autoScalingGroup.friendlyUniqueId].max_size = 1;
    // Two 512-unit tasks of 224 MiB, twice, need two t2.micro (726 MiB and 1024 units each).
    expect(shortfall(dev)).toEqual(['896 MiB reserved > 1 x 726', '2048 cpu units > 1 x 1024']);
    const tasks = resourcesOf(dev.json, 'aws_ecs_task_definition');
    const id = dev.stack.services[0].taskDefinition.friendlyUniqueId;
    const [container] = JSON.parse(tasks[id].container_definitions);
    tasks[id].container_definitions = JSON.stringify([{ ...container, memoryReservation: 2048 }]);
    expect(shortfall(dev)).toEqual([
      'host-name: one task does not fit one instance',
      '8192 MiB reserved > 1 x 726',
      '2048 cpu units > 1 x 1024',
    ]);
  });
});
