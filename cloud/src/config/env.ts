import { z } from 'zod';

/** Raised when the function's environment does not parse: the function refuses to start. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Parses the environment with a schema once, naming every bad variable in one error. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigurationError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** An integer from an environment string. */
export const envInt = (fallback: number) => z.coerce.number().int().default(fallback);
/** A number from an environment string. */
export const envNumber = (fallback: number) => z.coerce.number().default(fallback);
