import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MonitorConfig, type MonitorConfigInput } from '../../src/config.js';

const RECIPE = new URL('../../recipe.yaml', import.meta.url);

/** The recipe document as Greengrass reads it. */
export function readRecipe(): Record<string, unknown> {
  return parse(readFileSync(RECIPE, 'utf8')) as Record<string, unknown>;
}

/** The recipe's DefaultConfiguration, untouched. */
export function defaultConfiguration(): MonitorConfigInput & { accessControl: unknown } {
  const recipe = readRecipe() as {
    ComponentConfiguration: { DefaultConfiguration: MonitorConfigInput & { accessControl: unknown } };
  };
  return recipe.ComponentConfiguration.DefaultConfiguration;
}

/** DefaultConfiguration with a deployment's buses and devices merged in, validated. */
export function configWith(overrides: Partial<MonitorConfigInput>): MonitorConfig {
  return MonitorConfig.parse({ ...defaultConfiguration(), ...overrides });
}
