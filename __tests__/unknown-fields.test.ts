/** A misspelled or unknown field at any depth stops synth with one line, instead of its default applying silently. */
import { EnvironmentSettings, ServiceSettings } from '../src/environment/config';
import { ConfigError, resolveEnvironment } from '../src/environment/resolve';
import { checkKnownFields, Fields, nearest } from '../src/shared/known-fields';
import { Validator } from '../src/shared/validator';

const SERVICE: ServiceSettings = { image: { uri: 'public.ecr.aws/nginx/nginx:1.27' }, routing: { pathPatterns: ['/api/*'] } };
/** A fixture of its own: one generic service, everything else defaulted. */
const settings = (extra: object): EnvironmentSettings => ({ services: { api: SERVICE }, ...extra }) as EnvironmentSettings;
const service = (extra: object) => settings({ services: { api: { ...SERVICE, ...extra } } });

function message(s: EnvironmentSettings): string {
  try {
    resolveEnvironment('team', s);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('unknown fields stop synth', () => {
  test('the fixture itself resolves', () => {
    expect(resolveEnvironment('team', settings({})).services.map((s) => s.name)).toEqual(['api']);
  });

  test.each([
    [
      'environment',
      settings({ natMod: 'single' }),
      'environment "team": natMod = "single" is not allowed; expected a known field; did you mean natMode?',
    ],
    [
      'service',
      service({ scalling: { maxTasks: 3 } }),
      'environment "team": services.api.scalling = {"maxTasks":3} is not allowed; expected a known field; did you mean services.api.scaling?',
    ],
    [
      'container',
      service({ container: { memroyReservationMiB: 128 } }),
      'environment "team": services.api.container.memroyReservationMiB = 128 is not allowed; expected a known field; did you mean services.api.container.memoryReservationMiB?',
    ],
    [
      'alarm override of one service',
      settings({ operations: { alarms: { services: { api: { cpuPercen: 80 } } } } }),
      'environment "team": operations.alarms.services.api.cpuPercen = 80 is not allowed; expected a known field; did you mean operations.alarms.services.api.cpuPercent?',
    ],
  ])('at the %s level, one line with the nearest known name', (_, s, expected) => {
    expect(message(s)).toBe(expected);
  });

  test('a field at the wrong level is named with what that level allows', () => {
    expect(message(service({ replicas: 3 }))).toBe(
      'environment "team": services.api.replicas = 3 is not allowed; expected a known field: one of runsOn, image, profile, routing, container, targetGroup, scaling, deployment',
    );
  });

  test('free-form maps (variables, tags) take any key', () => {
    const s = service({ container: { environment: { ANY_NAME: 'x' } } });
    expect(() => resolveEnvironment('team', { ...s, tags: { 'cost-center': '42' } })).not.toThrow();
  });
});

describe('the walker', () => {
  const fields: Fields<{ a?: { b?: number }; c?: string }> = { a: { b: true }, c: true };
  const v = new Validator('x');

  test('known fields pass at every depth; an unknown one is named by its path', () => {
    expect(() => checkKnownFields(v, fields, { a: { b: 1 }, c: 'y' })).not.toThrow();
    expect(() => checkKnownFields(v, fields, { a: { bb: 1 } })).toThrow(
      'a.bb = 1 is not allowed; expected a known field; did you mean a.b?',
    );
  });

  test('the nearest name is offered only when it is close', () => {
    expect(nearest('memroyMiB', ['memoryMiB', 'cpu'])).toBe('memoryMiB');
    expect(nearest('zzzzzzzz', ['memoryMiB', 'cpu'])).toBeUndefined();
  });
});
