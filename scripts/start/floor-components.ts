import { join } from 'node:path';
import type { MachineIdentity } from '@croupier/contracts';
import type { BrokerConnection, ComponentLaunch } from './component-process.js';
import type { FloorPki } from './floor-pki.js';

/** Where the components' brokers and the simulated shufflers listen. */
export interface FloorWiring {
  readonly repositoryRoot: string;
  readonly core: string;
  readonly property: string;
  readonly localBroker: { readonly host: string; readonly port: number };
  readonly iotCore: { readonly host: string; readonly port: number };
  /** The shuffler fleet's Modbus TCP gateway and its unit ids. */
  readonly shufflers: {
    readonly host: string;
    readonly port: number;
    readonly units: readonly { readonly unitId: number; readonly deviceId: string }[];
  };
  /** Folder holding the FailureModel artifacts (`failure-model.onnx`, `model-card.json`). */
  readonly failureModelDir: string;
  /** FailurePredictor deployment configuration merged over its recipe's (the time-scaled cadence). */
  readonly predictorConfiguration?: Readonly<Record<string, unknown>>;
  /** The slot floor SlotGateway serves, when one runs: its machines and the player-token key (hex). */
  readonly slots?: { readonly machines: readonly MachineIdentity[]; readonly playerTokenKeyHex: string };
}

/**
 * The components the local nucleus runs on the floor core, in start order (consumers before
 * producers, so nothing published at start is missed), each with the deployment configuration
 * this floor merges over its recipe's DefaultConfiguration and a certificate of its own.
 */
export async function floorComponents(wiring: FloorWiring, pki: FloorPki): Promise<ComponentLaunch[]> {
  const component = (folder: string) => ({
    entryPoint: join(wiring.repositoryRoot, 'components', folder, 'src', 'main.ts'),
    recipePath: join(wiring.repositoryRoot, 'components', folder, 'recipe.yaml'),
  });
  const local = async (shortName: string): Promise<BrokerConnection> => ({
    ...wiring.localBroker,
    identity: await pki.client(`${wiring.core}-${shortName}`),
  });
  return [
    {
      name: 'com.croupier.Uplink',
      ...component('uplink'),
      configuration: { property: wiring.property },
      local: await local('Uplink'),
      // IoT Core knows the core by its thing name: the certificate CN and the MQTT client id.
      upstream: { ...wiring.iotCore, identity: await pki.client(wiring.core) },
    },
    {
      name: 'com.croupier.FailurePredictor',
      ...component('failure-predictor'),
      configuration: wiring.predictorConfiguration ?? {},
      local: await local('FailurePredictor'),
      env: { FAILURE_MODEL_DIR: wiring.failureModelDir },
    },
    ...(wiring.slots
      ? [
          {
            name: 'com.croupier.SlotGateway',
            ...component('slot-gateway'),
            // The deployment renders both from the property's secret store and site data; here they
            // come from the slot scenario the SMIBs play.
            configuration: { playerTokenKeyHex: wiring.slots.playerTokenKeyHex, machines: wiring.slots.machines },
            local: await local('SlotGateway'),
          },
        ]
      : []),
    {
      name: 'com.croupier.ShufflerMonitor',
      ...component('shuffler-monitor'),
      configuration: {
        buses: { floor: { kind: 'tcp', host: wiring.shufflers.host, port: wiring.shufflers.port } },
        devices: wiring.shufflers.units.map(({ unitId, deviceId }) => ({
          deviceId,
          bus: 'floor',
          unitId,
          registerMap: 'croupier-shuffler-v1',
        })),
      },
      local: await local('ShufflerMonitor'),
    },
  ];
}
