import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EnvironmentConfig } from './schema.js';

/** Raised when an environment's configuration file is missing or invalid; the message names every bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const ENV_NAME = /^[a-z][a-z0-9-]{1,15}$/;

/** Parses and validates an environment configuration object. */
export function parseEnvironmentConfig(input: unknown, source: string): EnvironmentConfig {
  const parsed = EnvironmentConfig.safeParse(input);
  if (!parsed.success) throw new ConfigError(`invalid configuration in ${source}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Loads `cloud/infra/config/{envName}.json`. The environment is chosen with CDK context
 * (`cdk synth -c env=prod`), so a deploy never depends on the caller's shell.
 */
export function loadEnvironmentConfig(envName: string): EnvironmentConfig {
  if (!ENV_NAME.test(envName)) throw new ConfigError(`invalid environment name "${envName}"`);
  const file = fileURLToPath(new URL(`./${envName}.json`, import.meta.url));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`no configuration for environment "${envName}": expected ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const config = parseEnvironmentConfig(json, file);
  if (config.name !== envName) throw new ConfigError(`${file} declares name "${config.name}", expected "${envName}"`);
  return config;
}
