import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Identifier } from '@croupier/contracts';
import { z } from 'zod';

/** What `npm start -- --help` prints. */
export const USAGE = `usage: npm start -- [options]

Starts the local floor: certificates, the local cloud (IoT Core, Kinesis, DynamoDB, Timestream,
SNS, lake), the stream processors, the shuffler fleet and slot floor simulators, the MQTT bridge
and the edge components.

  --shufflers N        shufflers on the floor (default: the scenario's fleet size)
  --scenario PATH      shuffler scenario JSON (default simulators/scenarios/shuffler-floor-demo.json)
  --machines N         slot machines on the floor, 0 for none (default: the slot scenario's floor)
  --slot-scenario PATH slot scenario JSON with a "live" section (default simulators/scenarios/slot-demo-live.json)
  --seed N|TEXT        simulation seed of both simulators (default: each scenario's seed)
  --time-scale X       simulated seconds per real second of both simulators (default: each scenario's)
  --state-dir PATH     state folder (default .croupier/ at the repository root, or CROUPIER_STATE_DIR)
  --property ID        property (casino) id, the {property} topic segment (default: the dev environment's)
  --core NAME          thing name of the floor core (default floor-core-1)
  --ephemeral-ports    let every listener pick a free port (tests, several floors on one machine)
  -h, --help           print this help`;

const positiveNumber = (name: string) =>
  z.coerce.number({ error: `${name} must be a number` }).positive(`${name} must be above 0`);

const StartOptionsSchema = z.object({
  help: z.boolean().default(false),
  shufflers: positiveNumber('--shufflers').int('--shufflers must be a whole number').max(247).optional(),
  scenario: z.string().min(1),
  machines: z.coerce
    .number({ error: '--machines must be a number' })
    .int('--machines must be a whole number')
    .min(0, '--machines must be 0 or more')
    .max(2_000)
    .optional(),
  slotScenario: z.string().min(1),
  seed: z
    .string()
    .min(1)
    .max(128)
    .transform((s) => (/^-?\d+$/.test(s) ? Number(s) : s))
    .optional(),
  timeScale: positiveNumber('--time-scale').max(1_000_000).optional(),
  stateDir: z.string().min(1),
  property: Identifier.optional(),
  core: Identifier,
  ephemeralPorts: z.boolean().default(false),
});

/** The validated options of the start command. */
export type StartOptions = z.output<typeof StartOptionsSchema>;

/**
 * Parses the command line once into typed options; relative paths are taken from where the user
 * stood (`INIT_CWD`, which npm sets), not from the repository root npm runs scripts in.
 * Throws one error naming every bad option.
 */
export function parseStartOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  defaults: { readonly repositoryRoot: string; readonly stateDir: string },
): StartOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      shufflers: { type: 'string' },
      scenario: { type: 'string' },
      machines: { type: 'string' },
      'slot-scenario': { type: 'string' },
      seed: { type: 'string' },
      'time-scale': { type: 'string' },
      'state-dir': { type: 'string' },
      property: { type: 'string' },
      core: { type: 'string' },
      'ephemeral-ports': { type: 'boolean' },
    },
  });
  const base = env.INIT_CWD ?? process.cwd();
  const parsed = StartOptionsSchema.safeParse({
    help: values.help,
    shufflers: values.shufflers,
    scenario: values.scenario
      ? resolve(base, values.scenario)
      : resolve(defaults.repositoryRoot, 'simulators/scenarios/shuffler-floor-demo.json'),
    machines: values.machines,
    slotScenario: values['slot-scenario']
      ? resolve(base, values['slot-scenario'])
      : resolve(defaults.repositoryRoot, 'simulators/scenarios/slot-demo-live.json'),
    seed: values.seed,
    timeScale: values['time-scale'],
    stateDir: values['state-dir'] ? resolve(base, values['state-dir']) : (env.CROUPIER_STATE_DIR ?? defaults.stateDir),
    property: values.property,
    core: values.core ?? 'floor-core-1',
    ephemeralPorts: values['ephemeral-ports'],
  });
  if (!parsed.success) throw new Error(`invalid options:\n${z.prettifyError(parsed.error)}\n\n${USAGE}`);
  return parsed.data;
}
