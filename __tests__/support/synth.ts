import { Testing } from 'cdktf';
import { Construct } from 'constructs';

/** Synthesized Terraform JSON of whatever `build` adds to a fresh stack scope. */
export interface SynthJson {
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
  provider?: Record<string, any[]>;
  terraform?: Record<string, any>;
}

export function synthJson(build: (scope: Construct) => void): { text: string; json: SynthJson } {
  const text = Testing.synthScope(build);
  return { text, json: JSON.parse(text) };
}

/** All resources of one Terraform type, by logical id. */
export function resourcesOf(json: SynthJson, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

/** The one resource of a type; fails the test when there is not exactly one. */
export function onlyResource(json: SynthJson, type: string): any {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}
