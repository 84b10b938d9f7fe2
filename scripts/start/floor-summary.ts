import type { LocalCloudEndpoints } from '@croupier/cloud/local/local-cloud';

/** What runs on the local floor and where; written to `<state>/floor.json` and printed at start. */
export interface FloorSummary {
  readonly stateDir: string;
  readonly property: string;
  readonly core: string;
  readonly cloud: LocalCloudEndpoints;
  /** The floor API and the file holding the local operator's bearer token. */
  readonly floorApi: { readonly url: string; readonly tokenPath: string };
  readonly localPubSub: string;
  readonly shufflers: { readonly endpoint: string; readonly count: number };
  /** SMIBs of the slot floor simulator on the device broker; 0 when it does not run. */
  readonly slots: { readonly machines: number };
  readonly components: readonly { readonly name: string; readonly pid: number | undefined; readonly log: string }[];
  readonly processors: readonly { readonly id: string; readonly stream: string; readonly skipped?: string }[];
}

/** The line the start command prints once everything runs; tests wait for it. */
export const READY_LINE = 'Croupier local floor is running.';

/** The endpoints block printed when the floor is up. */
export function renderFloorSummary(summary: FloorSummary): string {
  const { cloud } = summary;
  const rows: [string, string][] = [
    ['IoT Core (MQTT/TLS)', cloud.iot ?? 'not running'],
    ['Device broker (MQTT/TLS)', cloud.deviceBroker ?? 'not running'],
    ['IoT data plane (HTTP)', cloud.iotDataPlane ?? 'not running'],
    ['Kinesis (kinesalite)', cloud.kinesis],
    ['DynamoDB (dynalite)', cloud.dynamodb],
    ['SNS', cloud.sns],
    ['Timestream (DuckDB)', 'in process'],
    ['Lake', cloud.lakeDir],
    ['Floor API (HTTP)', summary.floorApi.url],
    ['Dashboard', `${summary.floorApi.url}/dashboard/ (sign in with the operator token or the one-time link below)`],
    ['Core local pub/sub (MQTT/TLS)', summary.localPubSub],
    ['Shuffler fleet (Modbus TCP)', `${summary.shufflers.endpoint} (${summary.shufflers.count} shufflers)`],
    [
      'Slot floor (SMIBs)',
      summary.slots.machines > 0 ? `${summary.slots.machines} machines on the device broker` : 'not running',
    ],
    ['State folder', summary.stateDir],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const processors = summary.processors.map(
    (p) => `  ${p.id} ← ${p.stream}${p.skipped ? `: not attached (${p.skipped})` : ''}`,
  );
  const components = summary.components.map((c) => `  ${c.name} (pid ${c.pid ?? '?'}) log ${c.log}`);
  return [
    '',
    READY_LINE,
    `Property ${summary.property}, core ${summary.core}.`,
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    '',
    'Edge components:',
    ...components,
    'Stream processors:',
    ...processors,
    '',
    `AWS SDK settings for the stand-ins: ${cloud.stateDir}/cloud/endpoints.env`,
    `Floor API: curl -H "Authorization: Bearer $(cat ${summary.floorApi.tokenPath})" ${summary.floorApi.url}/v1/devices`,
    'Ctrl-C stops the floor (components first, then the cloud); state is kept for the next start.',
    '',
  ].join('\n');
}
