import { type IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { type OfferDownlink, offersTopic } from '@croupier/contracts';

/** Sends an offer down to the core that serves the machine. */
export interface OfferPublisher {
  publish(property: string, core: string, offer: OfferDownlink): Promise<void>;
}

/**
 * Publishes offers on `croupier/{property}/{core}/offers` through the IoT data plane, QoS 1 so the
 * core's persistent session receives it after a short disconnect. The payload carries no player
 * identity: the machine id says where to show it.
 */
export class IotOfferPublisher implements OfferPublisher {
  constructor(private readonly client: IoTDataPlaneClient) {}

  async publish(property: string, core: string, offer: OfferDownlink): Promise<void> {
    await this.client.send(
      new PublishCommand({
        topic: offersTopic(property, core),
        qos: 1,
        contentType: 'application/json',
        payload: Buffer.from(JSON.stringify(offer), 'utf8'),
      }),
    );
  }
}
