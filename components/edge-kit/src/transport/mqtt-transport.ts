import { mqtt } from 'aws-iot-device-sdk-v2';
import type { LocalConfigurationSource } from '../configuration/local-configuration-source.js';
import type { Logger } from '../logger.js';
import type { MqttEndpointSettings } from './local-floor-settings.js';
import { MessageRouter } from './message-router.js';
import { createMqttConnection, type MqttConnectionTuning } from './mqtt-connection.js';
import { toBuffer } from './payload.js';
import { SessionSubscriptions } from './session-subscriptions.js';
import type {
  ComponentUpdateHandler,
  ConfigurationListener,
  MessageHandler,
  Qos,
  ReportedState,
  Subscription,
  Transport,
} from './transport.js';

/**
 * Topics between a component and the local-floor nucleus, standing in for the IPC lifecycle calls:
 * the component publishes its state, the nucleus announces pending deployments and the component
 * answers go-ahead or defer.
 */
export const LOCAL_NUCLEUS_TOPICS = {
  /** Component → nucleus: `{"state":"RUNNING"|"ERRORED"}`. */
  state: (component: string) => `croupier/local/nucleus/${component}/state`,
  /** Nucleus → component: `{"deploymentId":string,"nucleusRestarting":boolean}`. */
  update: (component: string) => `croupier/local/nucleus/${component}/update`,
  /** Component → nucleus: `{"deploymentId":string,"recheckAfterMs":number,"message"?:string}`; 0 means go ahead. */
  updateAnswer: (component: string) => `croupier/local/nucleus/${component}/update/answer`,
} as const;

export interface MqttTransportOptions {
  readonly componentName: string;
  readonly thingName: string;
  readonly local: MqttEndpointSettings;
  readonly upstream?: MqttEndpointSettings;
  readonly configuration: LocalConfigurationSource;
  readonly logger: Logger;
  readonly tuning?: MqttConnectionTuning;
}

/**
 * A connection with the subscriptions it restores when the broker loses its session, and the router
 * its messages go through.
 */
interface Link {
  readonly connection: mqtt.MqttClientConnection;
  readonly subscriptions: SessionSubscriptions;
  readonly router: MessageRouter;
}

/**
 * Payload bytes a link holds for topic filters the component has not subscribed to yet: a resumed
 * session's backlog. 64 MiB is over 200,000 SMIB events, hours of a large floor's traffic.
 */
const MAX_HELD_BYTES = 64 * 1024 * 1024;

const QOS = { 0: mqtt.QoS.AtMostOnce, 1: mqtt.QoS.AtLeastOnce } as const;

/** Unsubscribe and disconnect wait for the broker; with the link down they would wait forever. */
const TEARDOWN_TIMEOUT_MS = 2_000;

async function bounded(operation: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    operation.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, TEARDOWN_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * {@link Transport} for the local floor: local topics on the local broker, upstream on the IoT Core
 * stand-in, both MQTT 3.1.1 over mutual TLS; configuration from the recipe merged with a watched file.
 * The upstream connection opens on first use, so components that never go upstream hold none.
 */
export class MqttTransport implements Transport {
  readonly kind = 'mqtt' as const;
  readonly #options: MqttTransportOptions;
  readonly #local: Link;
  #upstream: Promise<Link> | undefined;
  #updateHandler: ComponentUpdateHandler | undefined;
  #updateSubscription: Promise<Subscription> | undefined;
  #closed = false;

  constructor(options: MqttTransportOptions) {
    this.#options = options;
    this.#local = this.#link(options.local, 'local');
  }

  async connect(): Promise<void> {
    await this.#local.connection.connect();
  }

  async publishLocal(topic: string, payload: Uint8Array): Promise<void> {
    await this.#local.connection.publish(topic, payload, mqtt.QoS.AtLeastOnce);
  }

  subscribeLocal(topicFilter: string, handler: MessageHandler): Promise<Subscription> {
    return this.#subscribe(this.#local, topicFilter, handler, 1);
  }

  async publishUpstream(topic: string, payload: Uint8Array, qos: Qos): Promise<void> {
    await (await this.#upstreamLink()).connection.publish(topic, payload, QOS[qos]);
  }

  async subscribeUpstream(topicFilter: string, handler: MessageHandler, qos: Qos): Promise<Subscription> {
    return this.#subscribe(await this.#upstreamLink(), topicFilter, handler, qos);
  }

  getConfiguration(): Promise<unknown> {
    return this.#options.configuration.read();
  }

  async subscribeToConfigurationUpdate(listener: ConfigurationListener): Promise<Subscription> {
    this.#options.configuration.watch(listener);
    return { close: async () => this.#options.configuration.close() };
  }

  /** The local floor has no deployments to fail: the ConfigurationStore validates each file change. */
  async validateConfigurationUpdates(): Promise<Subscription> {
    return { close: async () => {} };
  }

  async updateState(state: ReportedState): Promise<void> {
    await this.publishLocal(
      LOCAL_NUCLEUS_TOPICS.state(this.#options.componentName),
      Buffer.from(JSON.stringify({ state })),
    );
  }

  async onComponentUpdate(handler: ComponentUpdateHandler): Promise<Subscription> {
    this.#updateHandler = handler;
    const name = this.#options.componentName;
    this.#updateSubscription ??= this.subscribeLocal(LOCAL_NUCLEUS_TOPICS.update(name), async ({ payload }) => {
      const notice = JSON.parse(payload.toString('utf8')) as { deploymentId?: unknown; nucleusRestarting?: unknown };
      if (typeof notice.deploymentId !== 'string') return;
      const decision = (await this.#updateHandler?.({
        deploymentId: notice.deploymentId,
        nucleusRestarting: notice.nucleusRestarting === true,
      })) ?? { defer: false };
      const answer = decision.defer
        ? { deploymentId: notice.deploymentId, recheckAfterMs: decision.recheckAfterMs, message: decision.reason }
        : { deploymentId: notice.deploymentId, recheckAfterMs: 0 };
      await this.publishLocal(LOCAL_NUCLEUS_TOPICS.updateAnswer(name), Buffer.from(JSON.stringify(answer)));
    });
    await this.#updateSubscription;
    return {
      close: async () => {
        this.#updateHandler = undefined;
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.configuration.close();
    const upstream = this.#upstream;
    await Promise.all([
      bounded(this.#local.connection.disconnect()),
      bounded(upstream ? upstream.then((link) => link.connection.disconnect()) : Promise.resolve()),
    ]);
  }

  #upstreamLink(): Promise<Link> {
    const settings = this.#options.upstream;
    if (!settings) return Promise.reject(new Error('no upstream endpoint in the local floor settings'));
    this.#upstream ??= (async () => {
      const link = this.#link(settings, 'upstream');
      await link.connection.connect();
      return link;
    })();
    return this.#upstream;
  }

  async #subscribe(link: Link, topicFilter: string, handler: MessageHandler, qos: Qos): Promise<Subscription> {
    // Routed before the SUBSCRIBE goes out, so a message the broker sends on it at once has a route.
    link.router.add(topicFilter, (topic, payload) => {
      Promise.resolve()
        .then(() => handler({ topic, payload }))
        .catch((e) => this.#options.logger.error('message handler failed', { topic, error: e }));
    });
    try {
      await link.subscriptions.subscribe(topicFilter, QOS[qos]);
    } catch (error) {
      link.router.remove(topicFilter);
      throw error;
    }
    return {
      close: async () => {
        link.router.remove(topicFilter);
        if (!this.#closed) await bounded(link.subscriptions.unsubscribe(topicFilter));
      },
    };
  }

  /**
   * Creates a connection and routes its messages from the start: a persistent session's backlog
   * arrives right after CONNACK, before any subscribe call.
   */
  #link(settings: MqttEndpointSettings, name: string): Link {
    const { logger } = this.#options;
    const connection = createMqttConnection(
      settings,
      `${this.#options.thingName}-${shortName(this.#options.componentName)}`,
      this.#options.tuning,
    );
    connection.on('interrupt', (error) => logger.warn('MQTT link interrupted', { link: name, error: String(error) }));
    connection.on('resume', (returnCode, sessionPresent) =>
      logger.info('MQTT link resumed', { link: name, returnCode, sessionPresent }),
    );
    connection.on('error', (error) => logger.error('MQTT error', { link: name, error: String(error) }));
    const router = new MessageRouter({
      maxHeldBytes: MAX_HELD_BYTES,
      onDropped: (topic, payloadBytes) =>
        logger.error('message dropped: too much held for subscriptions not made yet', {
          link: name,
          topic,
          payloadBytes,
        }),
    });
    connection.on('message', (topic, payload) => {
      // The bytes are copied now, while the CRT's memory behind them is certainly valid; handlers run
      // on a later tick, and anything thrown in this callback would abort the process from native code.
      let bytes: Buffer;
      try {
        bytes = Buffer.from(toBuffer(payload));
      } catch (error) {
        logger.error('message payload unreadable', { link: name, topic, error });
        return;
      }
      router.route(topic, bytes);
    });
    return { connection, subscriptions: new SessionSubscriptions(connection, name, logger), router };
  }
}

function shortName(componentName: string): string {
  return componentName.replace(/^com\.croupier\./, '').toLowerCase();
}
