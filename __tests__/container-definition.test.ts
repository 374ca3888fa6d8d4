import { Testing } from 'cdktf';
import { addEnvironmentStacks } from '../src/app';
import { selectEnvironments } from '../src/environment/select';
import { createRequest, DefinitionError } from '../harness/container-definition';
import { CONTAINER_RUN_ENVIRONMENTS, EXPECTED_FAILURES } from '../harness/fixtures/container-run-environment';
import { DEMO_ENVIRONMENTS } from './support/fixtures';

const MIB = 1024 * 1024;
const IMAGE = 'sha256:' + 'a'.repeat(64);

/** Every container definition of a stack with its task's volumes, by container name. */
function definitions(environment: string, environments: typeof CONTAINER_RUN_ENVIRONMENTS) {
  const [stack] = addEnvironmentStacks(Testing.app(), selectEnvironments([environment], {}, environments));
  const json = JSON.parse(Testing.synth(stack));
  return Object.fromEntries(
    Object.values<any>(json.resource.aws_ecs_task_definition).map((task) => {
      const [def] = JSON.parse(task.container_definitions);
      return [def.name, { def, volumes: task.volume }];
    }),
  );
}

describe('createRequest: a container definition as the ECS agent asks Docker to run it', () => {
  const fixture = definitions('container-run', CONTAINER_RUN_ENVIRONMENTS);
  const dev = definitions('dev', DEMO_ENVIRONMENTS);

  test('the nginx fixture: read-only root, sized tmpfs, the /tmp task volume, hard and soft memory, cpu shares, health check, port', () => {
    const { def, volumes } = fixture.nginx;
    const { body, containerPort } = createRequest(def, volumes, IMAGE);
    expect(containerPort).toBe(8080);
    expect(body).toEqual({
      Image: IMAGE,
      Env: [],
      ExposedPorts: { '8080/tcp': {} },
      Healthcheck: {
        Test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', 'http://127.0.0.1:8080/health'],
        Interval: 5e9,
        Timeout: 5e9,
        Retries: 3,
        StartPeriod: 10e9,
      },
      StopTimeout: 30,
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        Memory: 128 * MIB,
        MemorySwap: 128 * MIB,
        MemoryReservation: 128 * MIB,
        CpuShares: 256,
        Privileged: false,
        ReadonlyRootfs: true,
        Tmpfs: { '/run': 'size=1m', '/var/lib/nginx': 'size=16m' },
        Mounts: [{ Type: 'volume', Target: '/tmp', ReadOnly: false }],
      },
    });
  });

  test('the variants that must fail differ from it only where they say', () => {
    const base = createRequest(fixture.nginx.def, fixture.nginx.volumes, IMAGE).body;
    const readonly = createRequest(fixture['nginx-readonly'].def, fixture['nginx-readonly'].volumes, IMAGE).body;
    const nonroot = createRequest(fixture['nginx-nonroot'].def, fixture['nginx-nonroot'].volumes, IMAGE).body;
    const { Tmpfs, ...rest } = base.HostConfig;
    expect(Tmpfs).toBeDefined();
    expect(readonly).toEqual({ ...base, HostConfig: rest });
    expect(nonroot).toEqual({ ...base, User: 'www-data' });
    expect(Object.keys(EXPECTED_FAILURES).sort()).toEqual(['nginx-nonroot', 'nginx-readonly']);
  });

  test("dev's host-name: its environment, the image's user, ECS Exec's volumes, the awslogs driver noted", () => {
    const { def, volumes } = dev['host-name'];
    const { body, notes } = createRequest(def, volumes, IMAGE);
    expect(body.Env).toEqual(def.environment.map((e: any) => `${e.name}=${e.value}`));
    expect(body.Env.some((e: string) => e.startsWith('JAVA_TOOL_OPTIONS='))).toBe(true);
    expect(body).not.toHaveProperty('User');
    expect(body.HostConfig).not.toHaveProperty('Tmpfs');
    expect(body.HostConfig.Mounts.map((m: any) => m.Target)).toEqual(['/tmp', '/var/lib/amazon', '/var/log/amazon']);
    expect(body.HostConfig.MemoryReservation).toBe(def.memoryReservation * MIB);
    expect(notes).toEqual(["logs go to Docker's json-file, not awslogs"]);
  });

  test('secrets become named placeholders, and say so', () => {
    const { def, volumes } = fixture.nginx;
    const { body, notes } = createRequest(
      { ...def, secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:ssm:us-east-1:1:parameter/p' }] },
      volumes,
      IMAGE,
    );
    expect(body.Env).toEqual(['DB_PASSWORD=placeholder-for-arn:aws:ssm:us-east-1:1:parameter/p']);
    expect(notes).toContain('secret DB_PASSWORD is a placeholder (its value lives in arn:aws:ssm:us-east-1:1:parameter/p)');
  });

  test.each([
    ['a key the harness does not model', { dockerLabels: { a: 'b' } }, 'container nginx: dockerLabels not modelled by the harness'],
    [
      'another Linux parameter',
      { linuxParameters: { capabilities: { drop: ['ALL'] } } },
      'container nginx: linuxParameters.capabilities not modelled by the harness',
    ],
    ['a fixed host port', { portMappings: [{ containerPort: 8080, hostPort: 80, protocol: 'tcp' }] }, 'container nginx: port mapping'],
    ['a mount point on no volume', { mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] }, 'which is no volume of the task'],
  ])('refuses %s', (_, patch, message) => {
    const { def, volumes } = fixture.nginx;
    expect(() => createRequest({ ...def, ...patch }, volumes, IMAGE)).toThrow(DefinitionError);
    expect(() => createRequest({ ...def, ...patch }, volumes, IMAGE)).toThrow(message);
  });

  test('refuses a host path volume', () => {
    const { def } = fixture.nginx;
    expect(() => createRequest(def, [{ name: 'tmp', host_path: '/var/tmp' }], IMAGE)).toThrow('volume tmp has a host path');
  });
});
