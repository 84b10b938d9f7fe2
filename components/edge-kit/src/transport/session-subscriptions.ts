import type { mqtt } from 'aws-iot-device-sdk-v2';
import type { Logger } from '../logger.js';

/**
 * The subscriptions of one MQTT 3.1.1 connection, kept so they outlive the broker's session.
 *
 * A persistent session keeps subscriptions on the broker only while the broker keeps the session: a
 * broker that restarts without it (aedes with in-memory persistence, IoT Core after its session
 * expiry) resumes the link with `sessionPresent` false, and the CRT client does not subscribe again by
 * itself. The component would then stay connected but receive nothing, so every reconnection without
 * a session subscribes again to each topic filter that has a handler, with the same QoS.
 *
 * Subscriptions carry no callback of their own: the connection hands every message to a
 * `MessageRouter`, which also serves the messages a resumed session delivers before the
 * component has subscribed again.
 */
export class SessionSubscriptions {
  readonly #connection: mqtt.MqttClientConnection;
  readonly #link: string;
  readonly #logger: Logger;
  readonly #held = new Map<string, mqtt.QoS>();

  constructor(connection: mqtt.MqttClientConnection, link: string, logger: Logger) {
    this.#connection = connection;
    this.#link = link;
    this.#logger = logger;
    connection.on('resume', (_returnCode, sessionPresent) => {
      if (!sessionPresent) void this.#restore();
    });
  }

  /** Subscribes and holds the subscription for restoring; a refused subscription is not held. */
  async subscribe(topicFilter: string, qos: mqtt.QoS): Promise<void> {
    // Held before the SUBACK arrives: a session lost while it is pending must still be restored.
    this.#held.set(topicFilter, qos);
    try {
      await this.#connection.subscribe(topicFilter, qos);
    } catch (error) {
      this.#held.delete(topicFilter);
      throw error;
    }
  }

  /** Unsubscribes and stops holding the topic filter. */
  unsubscribe(topicFilter: string): Promise<unknown> {
    this.#held.delete(topicFilter);
    return this.#connection.unsubscribe(topicFilter);
  }

  async #restore(): Promise<void> {
    if (this.#held.size === 0) return;
    const topicFilters = [...this.#held.keys()];
    this.#logger.warn('MQTT session lost by the broker: subscribing again', {
      link: this.#link,
      topicFilters,
    });
    // Not retried here: a refused filter would be refused again, and a link that drops meanwhile
    // resumes without a session once more, which restores everything anew.
    await Promise.all(
      [...this.#held].map(([topicFilter, qos]) =>
        this.#connection.subscribe(topicFilter, qos).catch((error) =>
          this.#logger.error('MQTT subscription not restored', {
            link: this.#link,
            topicFilter,
            error: String(error),
          }),
        ),
      ),
    );
  }
}
