import type { z } from 'zod';

/** What went wrong, machine-readable. */
export type ContractErrorCode =
  | 'invalid_event'
  | 'unsupported_version'
  | 'invalid_json'
  | 'malformed_envelope'
  | 'decompression_failed'
  | 'too_large';

/** One reason an input was refused: where (a dotted path, `` for the root) and why. */
export interface ContractIssue {
  readonly path: string;
  readonly reason: string;
}

/**
 * The only error contract decoders return: never thrown, always a value, naming each offending field.
 */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(
    readonly code: ContractErrorCode,
    readonly issues: readonly ContractIssue[],
  ) {
    super(`${code}: ${issues.map((i) => (i.path ? `${i.path}: ${i.reason}` : i.reason)).join('; ')}`);
  }

  /** Builds a ContractError from zod issues; a version issue wins the code because its remedy differs. */
  static fromZod(error: z.ZodError): ContractError {
    const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.'), reason: i.message }));
    const code = issues.some((i) => i.path === 'schemaVersion' && i.reason.startsWith('unsupported'))
      ? 'unsupported_version'
      : 'invalid_event';
    return new ContractError(code, issues);
  }
}

export type Result<T, E = ContractError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });

/** Parses UTF-8 JSON `bytes` (a message payload) with a schema; bytes that are not JSON are `invalid_json`. */
export function parseJsonWith<S extends z.ZodType>(schema: S, bytes: Uint8Array | ArrayBuffer): Result<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes as Uint8Array).toString('utf8'));
  } catch {
    return err(new ContractError('invalid_json', [{ path: '', reason: 'payload is not JSON' }]));
  }
  return parseWith(schema, raw);
}

/** Parses `input` with a schema, returning a typed result instead of throwing. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Result<z.infer<S>> {
  const parsed = schema.safeParse(input);
  return parsed.success ? ok(parsed.data) : err(ContractError.fromZod(parsed.error));
}
