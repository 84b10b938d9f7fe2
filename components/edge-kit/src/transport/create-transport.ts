import { greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import { LocalConfigurationSource, readRecipe } from '../configuration/local-configuration-source.js';
import type { Logger } from '../logger.js';
import { GreengrassIpcTransport } from './greengrass-ipc-transport.js';
import { readLocalFloorSettings } from './local-floor-settings.js';
import { MqttTransport } from './mqtt-transport.js';
import type { Transport } from './transport.js';

/**
 * Picks the transport from the environment the component was started in: the Greengrass nucleus sets
 * `AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT` and `SVCUID` for every component; the
 * local-floor nucleus sets `CROUPIER_LOCAL_FLOOR_SETTINGS` to its settings file.
 */
export async function createTransportFromEnvironment(env: NodeJS.ProcessEnv, logger: Logger): Promise<Transport> {
  if (env.AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT && env.SVCUID) {
    return new GreengrassIpcTransport({ client: greengrasscoreipc.createClient(), logger });
  }
  const settingsPath = env.CROUPIER_LOCAL_FLOOR_SETTINGS;
  if (settingsPath) {
    const settings = readLocalFloorSettings(settingsPath);
    const recipe = await readRecipe(settings.recipePath);
    return new MqttTransport({
      componentName: recipe.componentName,
      thingName: env.AWS_IOT_THING_NAME ?? '',
      local: settings.local,
      ...(settings.upstream ? { upstream: settings.upstream } : {}),
      configuration: new LocalConfigurationSource(recipe.defaultConfiguration, settings.configurationPath, logger),
      logger,
    });
  }
  throw new Error(
    'no runtime found: neither the Greengrass IPC socket (AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT) nor CROUPIER_LOCAL_FLOOR_SETTINGS is set',
  );
}
