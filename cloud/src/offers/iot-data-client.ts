import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * IoT data-plane client. The endpoint is the account's `iot:Data-ATS` endpoint (or the local
 * floor's bridge), always from configuration: the SDK cannot discover it.
 */
export function createIotDataClient(endpoint: string): IoTDataPlaneClient {
  return new IoTDataPlaneClient({
    endpoint,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 5_000 }),
  });
}
