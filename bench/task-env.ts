// Prints one environment's ECS task settings as shell assignments for bench/run.sh, so the benchmark
// runs the JVM exactly as the task definition would (same config resolution, same jvmOptions()):
//   eval "$(node_modules/.bin/tsx bench/task-env.ts dev)"
import { exitOnConfigError } from '../constructs/config-validation';
import { selectEnvironments } from '../constructs/environments';
import { jvmOptions } from '../constructs/load-balanced-service';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

exitOnConfigError(() => {
  const [env] = selectEnvironments([process.argv[2] ?? 'dev']);
  const settings: Record<string, string | number> = {
    TASK_ENV: env.name,
    TASK_MEMORY_MIB: env.task.memoryMiB,
    TASK_CPU: env.task.cpu,
    TASK_JAVA_OPTS: jvmOptions(env.task.memoryMiB, env.task.cpu),
  };
  for (const [key, value] of Object.entries(settings)) console.log(`${key}=${quote(String(value))}`);
});
