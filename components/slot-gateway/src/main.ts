import { runComponent } from '@croupier/edge-kit';
import { SlotGatewayConfiguration } from './configuration.js';
import { SlotGateway } from './slot-gateway.js';
import { COMPONENT_VERSION } from './version.js';

await runComponent({
  name: 'com.croupier.SlotGateway',
  version: COMPONENT_VERSION,
  configuration: SlotGatewayConfiguration,
  shutdownTimeoutMs: 10_000,
  async start(context) {
    const gateway = await SlotGateway.start({
      transport: context.transport,
      logger: context.logger,
      thingName: context.thingName,
      version: context.version,
      configuration: context.configuration,
    });
    return { reconfigure: (next) => gateway.reconfigure(next), stop: () => gateway.stop() };
  },
});
