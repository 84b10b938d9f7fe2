import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';

/** Error body every endpoint uses: a stable code, a sentence, and the offending fields if any. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly issues?: { path: string; reason: string }[];
  };
}

/** An error with an HTTP status and a machine-readable code. */
export class ApiError extends HTTPException {
  constructor(
    status: 400 | 401 | 403 | 404 | 409 | 500 | 503,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; reason: string }[],
  ) {
    super(status, { message });
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

/** Parses input with a schema or answers 400 naming every bad field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ApiError(
    400,
    'invalid_request',
    `invalid ${where}`,
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), reason: issue.message })),
  );
}
