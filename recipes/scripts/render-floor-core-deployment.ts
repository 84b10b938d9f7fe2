/**
 * Renders recipes/floor-core.deployment.yaml into the input of `aws greengrassv2 create-deployment`.
 *
 *   CROUPIER_PLAYER_TOKEN_KEY_HEX=$(aws secretsmanager get-secret-value ... ) \
 *     npx tsx recipes/scripts/render-floor-core-deployment.ts vegas us-east-1 123456789012 machines.json \
 *     | aws greengrassv2 create-deployment --cli-input-json file:///dev/stdin
 *
 * The key comes from the environment so it is never written to the repository or a shell history.
 */
import { readFile } from 'node:fs/promises';
import { MachineIdentity } from '@croupier/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const RenderParameters = z.object({
  property: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/),
  account: z.string().regex(/^\d{12}$/),
  playerTokenKeyHex: z.string().regex(/^([0-9a-fA-F]{2}){32,}$/, 'must be hex of at least 32 bytes'),
  machines: z.array(MachineIdentity),
});
export type RenderParameters = z.infer<typeof RenderParameters>;

interface TemplateComponent {
  componentVersion: string;
  merge: Record<string, unknown>;
}

/** The create-deployment input: each component's merge is a JSON string, as the API takes it. */
export interface CreateDeploymentInput {
  deploymentName: string;
  targetArn: string;
  deploymentPolicies: unknown;
  iotJobConfiguration: unknown;
  components: Record<string, { componentVersion: string; configurationUpdate?: { merge: string } }>;
}

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

function substitute(value: unknown, parameters: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{(\w+)\}\}$/.exec(value);
    if (whole) return lookup(parameters, whole[1]!);
    return value.replace(PLACEHOLDER, (_, name: string) => String(lookup(parameters, name)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, parameters));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [substitute(k, parameters), substitute(v, parameters)]),
    );
  }
  return value;
}

function lookup(parameters: Record<string, unknown>, name: string): unknown {
  if (!(name in parameters)) throw new Error(`deployment template uses unknown parameter {{${name}}}`);
  return parameters[name];
}

/** Renders the template text with validated parameters. */
export function renderFloorCoreDeployment(template: string, parameters: RenderParameters): CreateDeploymentInput {
  const valid = RenderParameters.parse(parameters);
  const doc = substitute(parseYaml(template), valid) as Omit<CreateDeploymentInput, 'components'> & {
    components: Record<string, TemplateComponent>;
  };
  const components: CreateDeploymentInput['components'] = {};
  for (const [name, component] of Object.entries(doc.components)) {
    const hasMerge = Object.keys(component.merge ?? {}).length > 0;
    components[name] = {
      componentVersion: component.componentVersion,
      ...(hasMerge ? { configurationUpdate: { merge: JSON.stringify(component.merge) } } : {}),
    };
  }
  return { ...doc, components };
}

export const TEMPLATE_PATH = new URL('../floor-core.deployment.yaml', import.meta.url);

if (import.meta.url === `file://${process.argv[1]}`) {
  const [property, region, account, machinesPath] = process.argv.slice(2);
  if (!property || !region || !account || !machinesPath) {
    throw new Error('usage: render-floor-core-deployment <property> <region> <account> <machines.json>');
  }
  const rendered = renderFloorCoreDeployment(await readFile(TEMPLATE_PATH, 'utf8'), {
    property,
    region,
    account,
    playerTokenKeyHex: process.env.CROUPIER_PLAYER_TOKEN_KEY_HEX ?? '',
    machines: JSON.parse(await readFile(machinesPath, 'utf8')),
  });
  process.stdout.write(`${JSON.stringify(rendered, null, 2)}\n`);
}
