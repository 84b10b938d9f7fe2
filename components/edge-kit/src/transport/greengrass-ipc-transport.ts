import { type eventstream_rpc, greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import type { Logger } from '../logger.js';
import { toBuffer } from './payload.js';
import type {
  ComponentUpdateHandler,
  ConfigurationListener,
  ConfigurationValidator,
  MessageHandler,
  Qos,
  ReportedState,
  Subscription,
  Transport,
} from './transport.js';

type Model = typeof greengrasscoreipc.model;
type Ipc = greengrasscoreipc.Client;

/**
 * The part of the Greengrass IPC client this transport uses. The SDK's `greengrasscoreipc.Client`
 * satisfies it; tests inject a fake of it, since there is no nucleus to talk to off a core.
 */
export type GreengrassIpcClient = Pick<
  Ipc,
  | 'connect'
  | 'close'
  | 'publishToIoTCore'
  | 'subscribeToIoTCore'
  | 'publishToTopic'
  | 'subscribeToTopic'
  | 'getConfiguration'
  | 'subscribeToConfigurationUpdate'
  | 'updateState'
  | 'subscribeToComponentUpdates'
  | 'deferComponentUpdate'
  | 'subscribeToValidateConfigurationUpdates'
  | 'sendConfigurationValidityReport'
>;

export interface GreengrassIpcTransportOptions {
  readonly client: GreengrassIpcClient;
  readonly logger: Logger;
  /** The SDK's model enums, injectable so tests need not load the native CRT. */
  readonly model?: Pick<Model, 'QOS' | 'ReceiveMode' | 'ReportedLifecycleState' | 'ConfigurationValidityStatus'>;
  /** Configuration update events arrive per changed key; this coalesces a deployment's burst. */
  readonly configurationDebounceMs?: number;
}

type StreamLike = eventstream_rpc.StreamingOperation<unknown, unknown, void, unknown>;

/**
 * {@link Transport} over Greengrass IPC (aws-iot-device-sdk-v2 `greengrasscoreipc`). Upstream goes
 * through the nucleus' MQTT connection (PublishToIoTCore / SubscribeToIoTCore, `aws.greengrass.ipc.mqttproxy`),
 * local topics through Greengrass pub/sub (`aws.greengrass.ipc.pubsub`); the recipe's accessControl must
 * grant each topic used.
 */
export class GreengrassIpcTransport implements Transport {
  readonly kind = 'greengrass-ipc' as const;
  readonly #client: GreengrassIpcClient;
  readonly #logger: Logger;
  readonly #model: Pick<Model, 'QOS' | 'ReceiveMode' | 'ReportedLifecycleState' | 'ConfigurationValidityStatus'>;
  readonly #debounceMs: number;
  readonly #streams = new Set<StreamLike>();
  #updateStream: StreamLike | undefined;
  #updateHandler: ComponentUpdateHandler | undefined;
  #closed = false;

  constructor(options: GreengrassIpcTransportOptions) {
    this.#client = options.client;
    this.#logger = options.logger;
    this.#model = options.model ?? greengrasscoreipc.model;
    this.#debounceMs = options.configurationDebounceMs ?? 250;
  }

  async connect(): Promise<void> {
    await this.#client.connect();
  }

  async publishLocal(topic: string, payload: Uint8Array): Promise<void> {
    await this.#client.publishToTopic({ topic, publishMessage: { binaryMessage: { message: Buffer.from(payload) } } });
  }

  subscribeLocal(topicFilter: string, handler: MessageHandler): Promise<Subscription> {
    const stream = this.#client.subscribeToTopic({
      topic: topicFilter,
      receiveMode: this.#model.ReceiveMode.RECEIVE_ALL_MESSAGES,
    });
    stream.on('message', (message) => {
      const topic = message.binaryMessage?.context?.topic ?? message.jsonMessage?.context?.topic ?? topicFilter;
      const payload = message.binaryMessage
        ? toBuffer(message.binaryMessage.message)
        : toBuffer(message.jsonMessage?.message);
      this.#dispatch(handler, topic, payload);
    });
    return this.#activate(stream, `local ${topicFilter}`);
  }

  async publishUpstream(topic: string, payload: Uint8Array, qos: Qos): Promise<void> {
    await this.#client.publishToIoTCore({ topicName: topic, qos: this.#qos(qos), payload: Buffer.from(payload) });
  }

  subscribeUpstream(topicFilter: string, handler: MessageHandler, qos: Qos): Promise<Subscription> {
    const stream = this.#client.subscribeToIoTCore({ topicName: topicFilter, qos: this.#qos(qos) });
    stream.on('message', (event) => {
      if (!event.message) return;
      this.#dispatch(handler, event.message.topicName, toBuffer(event.message.payload));
    });
    return this.#activate(stream, `upstream ${topicFilter}`);
  }

  async getConfiguration(): Promise<unknown> {
    const response = await this.#client.getConfiguration({ keyPath: [] });
    return response.value ?? {};
  }

  subscribeToConfigurationUpdate(listener: ConfigurationListener): Promise<Subscription> {
    const stream = this.#client.subscribeToConfigurationUpdate({ keyPath: [] });
    let timer: NodeJS.Timeout | undefined;
    stream.on('message', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.getConfiguration().then(listener, (e) =>
          this.#logger.error('could not read the updated configuration', { error: e }),
        );
      }, this.#debounceMs);
    });
    return this.#activate(stream, 'configuration updates').then((sub) => ({
      close: async () => {
        clearTimeout(timer);
        await sub.close();
      },
    }));
  }

  validateConfigurationUpdates(validator: ConfigurationValidator): Promise<Subscription> {
    const stream = this.#client.subscribeToValidateConfigurationUpdates({});
    stream.on('message', (event) => {
      const proposal = event.validateConfigurationUpdateEvent;
      if (!proposal) return;
      const reason = validator(proposal.configuration);
      const { ACCEPTED, REJECTED } = this.#model.ConfigurationValidityStatus;
      this.#client
        .sendConfigurationValidityReport({
          configurationValidityReport: reason
            ? { status: REJECTED, deploymentId: proposal.deploymentId, message: reason }
            : { status: ACCEPTED, deploymentId: proposal.deploymentId },
        })
        .catch((e) => this.#logger.error('could not report configuration validity', { error: e }));
      if (reason)
        this.#logger.warn('deployment configuration rejected', { deploymentId: proposal.deploymentId, reason });
    });
    return this.#activate(stream, 'configuration validation');
  }

  async updateState(state: ReportedState): Promise<void> {
    await this.#client.updateState({ state: this.#model.ReportedLifecycleState[state] });
  }

  async onComponentUpdate(handler: ComponentUpdateHandler): Promise<Subscription> {
    this.#updateHandler = handler;
    if (!this.#updateStream) {
      const stream = this.#client.subscribeToComponentUpdates({});
      stream.on('message', (event) => {
        const pre = event.preUpdateEvent;
        if (pre) void this.#answerUpdate(pre.deploymentId, pre.isGgcRestarting);
      });
      this.#updateStream = stream;
      await this.#activate(stream, 'component updates');
    }
    return {
      close: async () => {
        this.#updateHandler = undefined;
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#streams].map((s) => s.close()));
    this.#streams.clear();
    await this.#client.close();
  }

  async #answerUpdate(deploymentId: string, nucleusRestarting: boolean): Promise<void> {
    try {
      const decision = (await this.#updateHandler?.({ deploymentId, nucleusRestarting })) ?? { defer: false };
      await this.#client.deferComponentUpdate(
        decision.defer
          ? { deploymentId, recheckAfterMs: decision.recheckAfterMs, message: decision.reason }
          : { deploymentId, recheckAfterMs: 0 },
      );
      this.#logger.info('answered component update', { deploymentId, ...decision });
    } catch (e) {
      this.#logger.error('could not answer component update', { deploymentId, error: e });
    }
  }

  #qos(qos: Qos) {
    return qos === 1 ? this.#model.QOS.AT_LEAST_ONCE : this.#model.QOS.AT_MOST_ONCE;
  }

  #dispatch(handler: MessageHandler, topic: string, payload: Buffer): void {
    Promise.resolve()
      .then(() => handler({ topic, payload }))
      .catch((e) => this.#logger.error('message handler failed', { topic, error: e }));
  }

  async #activate(stream: StreamLike, what: string): Promise<Subscription> {
    stream.on('streamError', (e) => this.#logger.error('IPC stream error', { stream: what, error: e }));
    await stream.activate();
    this.#streams.add(stream);
    return {
      close: async () => {
        this.#streams.delete(stream);
        await stream.close();
      },
    };
  }
}
