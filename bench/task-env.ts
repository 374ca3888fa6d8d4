// Prints one environment's ECS task settings as shell assignments for bench/run.sh, so the benchmark
// runs the JVM exactly as the task definition would (same config resolution, same jvmOptions()):
//   eval "$(node_modules/.bin/tsx bench/task-env.ts dev)"
import { exitOnConfigError } from '../src/environment/resolve';
import { HOST_NAME_SERVICE, selectEnvironments } from '../src/environment/select';
import { jvmOptions } from '../src/services/runtime-profiles';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

exitOnConfigError(() => {
  const [env] = selectEnvironments([process.argv[2] ?? 'dev']);
  const { container } = env.services.find((s) => s.name === HOST_NAME_SERVICE)!;
  const settings: Record<string, string | number> = {
    TASK_ENV: env.name,
    TASK_MEMORY_MIB: container.memoryMiB,
    TASK_CPU: container.cpu,
    TASK_JAVA_OPTS: jvmOptions(container.memoryMiB, container.cpu),
  };
  for (const [key, value] of Object.entries(settings)) console.log(`${key}=${quote(String(value))}`);
});
