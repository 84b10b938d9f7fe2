import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { NAMED_QUERIES } from './named-queries.js';

/** What `npm run query -- --help` prints. */
export const QUERY_USAGE = `usage: npm run query -- --list
       npm run query -- <name> [--from WHEN] [--to WHEN] [--limit N] [--lake DIR] [--json]
       npm run query -- --sql "SELECT ..." [--lake DIR] [--json]

SQL over the data lake with DuckDB (the local Athena). Named queries count each event once (by
eventId, as the refined zone does); --sql reads the raw views (raw_slot, raw_shuffler, raw_alert,
raw_health, raw_service, errors_...) as they are, duplicates included.

  --list               list the named queries
  --from WHEN          window start, inclusive: YYYY-MM-DD (UTC midnight), an ISO instant, or ms epoch
  --to WHEN            window end, exclusive (same forms)
  --limit N            rows at most, for ranked queries (default 20)
  --time-zone TZ       property time zone for gaming days and local hours (default: the dev environment's)
  --gaming-day-start H local hour a gaming day starts (default: the dev environment's)
  --lake DIR           lake folder (default: the local floor's, <state folder>/lake)
  --sql TEXT           run this statement instead of a named query
  --json               print rows as JSON instead of a table
  -h, --help           print this help`;

/** An instant on the command line: a UTC day, an ISO instant, or milliseconds since the epoch. */
const Instant = (flag: string) =>
  z
    .string()
    .transform((text, ctx) => {
      const ms = /^\d{10,}$/.test(text)
        ? Number(text)
        : /^\d{4}-\d{2}-\d{2}$/.test(text)
          ? Date.parse(`${text}T00:00:00Z`)
          : /^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:\d{2})$/.test(text)
            ? Date.parse(text)
            : Number.NaN;
      if (!Number.isSafeInteger(ms)) {
        ctx.addIssue({
          code: 'custom',
          message: `${flag} must be YYYY-MM-DD, an ISO instant with offset, or ms epoch`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .optional();

const Common = {
  lake: z.string().min(1),
  json: z.boolean(),
};

const QueryOptionsSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('help') }),
  z.object({ mode: z.literal('list') }),
  z.object({
    mode: z.literal('named'),
    name: z.enum(NAMED_QUERIES.map((q) => q.name) as [string, ...string[]], {
      error: (issue) =>
        `no query named "${String(issue.input)}"; one of: ${NAMED_QUERIES.map((q) => q.name).join(', ')}`,
    }),
    from: Instant('--from'),
    to: Instant('--to'),
    limit: z.coerce.number().int('--limit must be a whole number').min(1).max(100_000).optional(),
    timeZone: z.string().min(1),
    gamingDayStartHour: z.coerce
      .number({ error: '--gaming-day-start must be a number' })
      .int('--gaming-day-start must be a whole hour')
      .min(0)
      .max(23),
    ...Common,
  }),
  z.object({ mode: z.literal('sql'), sql: z.string().min(1, '--sql needs a statement'), ...Common }),
]);

/** The validated command line of `npm run query`. */
export type QueryOptions = z.output<typeof QueryOptionsSchema>;

/**
 * Parses the command line once. Relative paths are taken from where the user stood (`INIT_CWD`,
 * which npm sets). Throws one error naming what is wrong, followed by the usage.
 */
export function parseQueryOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaults: { readonly lake: string; readonly timeZone: string; readonly gamingDayStartHour: number },
): QueryOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      list: { type: 'boolean' },
      sql: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      'time-zone': { type: 'string' },
      'gaming-day-start': { type: 'string' },
      lake: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const base = env.INIT_CWD ?? process.cwd();
  const common = { lake: values.lake ? resolve(base, values.lake) : defaults.lake, json: values.json ?? false };
  const [name, ...extra] = positionals;
  const fail = (why: string): never => {
    throw new Error(`${why}\n\n${QUERY_USAGE}`);
  };
  if (extra.length > 0) fail(`one query at a time; unexpected ${extra.join(' ')}`);
  const input = values.help
    ? { mode: 'help' }
    : values.list
      ? { mode: 'list' }
      : values.sql !== undefined
        ? name === undefined
          ? { mode: 'sql', sql: values.sql, ...common }
          : fail('give either a query name or --sql, not both')
        : name === undefined
          ? fail('name a query (see --list) or give --sql')
          : {
              mode: 'named',
              name,
              from: values.from,
              to: values.to,
              limit: values.limit,
              timeZone: values['time-zone'] ?? defaults.timeZone,
              gamingDayStartHour: values['gaming-day-start'] ?? defaults.gamingDayStartHour,
              ...common,
            };
  const parsed = QueryOptionsSchema.safeParse(input);
  if (!parsed.success) fail(`invalid options:\n${z.prettifyError(parsed.error)}`);
  return parsed.data as QueryOptions;
}
