import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** One MQTT broker reached over mutual TLS. */
export const MqttEndpointSettings = z.object({
  host: z.string().min(1),
  port: z.int().min(1).max(65_535),
  caPath: z.string().min(1).describe('PEM file of the CA that signed the broker certificate'),
  certPath: z.string().min(1).describe('PEM file of this client certificate'),
  keyPath: z.string().min(1).describe('PEM file of this client private key'),
  clientId: z.string().min(1).max(128).optional(),
});
export type MqttEndpointSettings = z.infer<typeof MqttEndpointSettings>;

/**
 * How a component reaches its runtime on the local floor, written by the local nucleus to the JSON
 * file named by `CROUPIER_LOCAL_FLOOR_SETTINGS`.
 */
export const LocalFloorSettings = z.object({
  /** The local pub/sub broker that stands in for Greengrass IPC pub/sub and the client-device broker. */
  local: MqttEndpointSettings,
  /** The IoT Core stand-in; omitted for components that never talk upstream. */
  upstream: MqttEndpointSettings.optional(),
  /** The component's recipe: name, version and DefaultConfiguration. */
  recipePath: z.string().min(1),
  /** Deployment configuration merged over DefaultConfiguration; watched for live updates. */
  configurationPath: z.string().min(1).optional(),
});
export type LocalFloorSettings = z.infer<typeof LocalFloorSettings>;

/** Reads and validates the settings file. */
export function readLocalFloorSettings(path: string): LocalFloorSettings {
  const parsed = LocalFloorSettings.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`invalid local floor settings in ${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
