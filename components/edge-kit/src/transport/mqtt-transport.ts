import { mqtt } from 'aws-iot-device-sdk-v2';
import type { LocalConfigurationSource } from '../configuration/local-configuration-source.js';
import type { Logger } from '../logger.js';
import type { MqttEndpointSettings } from './local-floor-settings.js';
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

/** A connection with the subscriptions it restores when the broker loses its session. */
interface Link {
  readonly connection: mqtt.MqttClientConnection;
  readonly subscriptions: SessionSubscriptions;
}

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
  readonly #local: mqtt.MqttClientConnection;
  readonly #localSubscriptions: SessionSubscriptions;
  #upstream: Promise<Link> | undefined;
  #updateHandler: ComponentUpdateHandler | undefined;
  #updateSubscription: Promise<Subscription> | undefined;
  #closed = false;

  constructor(options: MqttTransportOptions) {
    this.#options = options;
    this.#local = this.#watchLink(
      createMqttConnection(options.local, `${options.thingName}-${shortName(options.componentName)}`, options.tuning),
      'local',
    );
    this.#localSubscriptions = new SessionSubscriptions(this.#local, 'local', options.logger);
  }

  async connect(): Promise<void> {
    await this.#local.connect();
  }

  async publishLocal(topic: string, payload: Uint8Array): Promise<void> {
    await this.#local.publish(topic, payload, mqtt.QoS.AtLeastOnce);
  }

  subscribeLocal(topicFilter: string, handler: MessageHandler): Promise<Subscription> {
    return this.#subscribe(this.#localSubscriptions, topicFilter, handler, 1);
  }

  async publishUpstream(topic: string, payload: Uint8Array, qos: Qos): Promise<void> {
    await (await this.#upstreamLink()).connection.publish(topic, payload, QOS[qos]);
  }

  async subscribeUpstream(topicFilter: string, handler: MessageHandler, qos: Qos): Promise<Subscription> {
    return this.#subscribe((await this.#upstreamLink()).subscriptions, topicFilter, handler, qos);
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
      bounded(this.#local.disconnect()),
      bounded(upstream ? upstream.then((link) => link.connection.disconnect()) : Promise.resolve()),
    ]);
  }

  #upstreamLink(): Promise<Link> {
    const settings = this.#options.upstream;
    if (!settings) return Promise.reject(new Error('no upstream endpoint in the local floor settings'));
    this.#upstream ??= (async () => {
      const connection = this.#watchLink(
        createMqttConnection(
          settings,
          `${this.#options.thingName}-${shortName(this.#options.componentName)}`,
          this.#options.tuning,
        ),
        'upstream',
      );
      const subscriptions = new SessionSubscriptions(connection, 'upstream', this.#options.logger);
      await connection.connect();
      return { connection, subscriptions };
    })();
    return this.#upstream;
  }

  async #subscribe(
    subscriptions: SessionSubscriptions,
    topicFilter: string,
    handler: MessageHandler,
    qos: Qos,
  ): Promise<Subscription> {
    await subscriptions.subscribe(topicFilter, QOS[qos], (topic, payload) => {
      // The bytes are copied now, while the CRT's memory behind them is certainly valid; the handler runs
      // on a later tick, and anything thrown in this callback would abort the process from native code.
      let bytes: Buffer;
      try {
        bytes = Buffer.from(toBuffer(payload));
      } catch (error) {
        this.#options.logger.error('message payload unreadable', { topic, error });
        return;
      }
      Promise.resolve()
        .then(() => handler({ topic, payload: bytes }))
        .catch((e) => this.#options.logger.error('message handler failed', { topic, error: e }));
    });
    return {
      close: async () => {
        if (!this.#closed) await bounded(subscriptions.unsubscribe(topicFilter));
      },
    };
  }

  #watchLink(connection: mqtt.MqttClientConnection, link: string): mqtt.MqttClientConnection {
    const { logger } = this.#options;
    connection.on('interrupt', (error) => logger.warn('MQTT link interrupted', { link, error: String(error) }));
    connection.on('resume', (returnCode, sessionPresent) =>
      logger.info('MQTT link resumed', { link, returnCode, sessionPresent }),
    );
    connection.on('error', (error) => logger.error('MQTT error', { link, error: String(error) }));
    return connection;
  }
}

function shortName(componentName: string): string {
  return componentName.replace(/^com\.croupier\./, '').toLowerCase();
}
