import { runComponent } from '@croupier/edge-kit';
import { UplinkConfiguration } from './configuration.js';
import { Uplink } from './uplink.js';
import { COMPONENT_VERSION } from './version.js';

await runComponent({
  name: 'com.croupier.Uplink',
  version: COMPONENT_VERSION,
  configuration: UplinkConfiguration,
  shutdownTimeoutMs: 20_000,
  async start(context) {
    const uplink = await Uplink.start({
      transport: context.transport,
      logger: context.logger,
      thingName: context.thingName,
      version: context.version,
      configuration: context.configuration,
    });
    return {
      reconfigure: (next) => uplink.reconfigure(next),
      onComponentUpdate: uplink.onComponentUpdate,
      stop: () => uplink.stop(),
    };
  },
});
