/** Severity of a log line, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Extra structured fields on a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger writing one JSON object per line. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  readonly component: string;
  readonly level?: LogLevel;
  /** Where lines go; defaults to stdout, which Greengrass captures into the component log. */
  readonly sink?: (line: string) => void;
  /** Clock, for tests. */
  readonly now?: () => number;
}

export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are never printed, at any depth: keys, secrets, passwords, private keys,
 * PEM material, card numbers and tokens. Matching is on the name, so a secret nested in a
 * configuration object is caught too.
 */
const SECRET_FIELD = /(secret|password|passphrase|private|pem|card.?number|credential|token|key$)/i;
/** Values that look like secrets whatever their field name. */
const SECRET_VALUE = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Returns a copy of `value` with secret fields and PEM private keys replaced by `[REDACTED]`. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return SECRET_VALUE.test(value) ? REDACTED : value;
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message), stack: value.stack && redactString(value.stack) };
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELD.test(k) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  return value;
}

function redactString(text: string): string {
  return SECRET_VALUE.test(text) ? REDACTED : text;
}

/** Creates a JSON-lines logger that redacts secrets (see {@link redact}) before anything is written. */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const make = (bound: LogFields): Logger => {
    const write = (level: LogLevel, message: string, fields?: LogFields) => {
      if (LEVELS[level] < threshold) return;
      const record = {
        time: new Date(now()).toISOString(),
        level,
        component: options.component,
        message: redactString(message),
        ...(redact({ ...bound, ...fields }) as Record<string, unknown>),
      };
      sink(JSON.stringify(record));
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make({});
}
