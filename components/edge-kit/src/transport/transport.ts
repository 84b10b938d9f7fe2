/** MQTT quality of service a Croupier publisher may ask for: IoT Core and Greengrass support 0 and 1. */
export type Qos = 0 | 1;

/** A message delivered to a subscription handler. */
export interface InboundMessage {
  readonly topic: string;
  readonly payload: Buffer;
}

/**
 * Receives messages for a subscription. A handler that throws or rejects is logged by the transport
 * and never tears the subscription down: one bad message must not stop the next.
 */
export type MessageHandler = (message: InboundMessage) => void | Promise<void>;

/** An active subscription; `close` stops delivery and releases the stream. */
export interface Subscription {
  close(): Promise<void>;
}

/** The states a component reports to its nucleus (Greengrass `UpdateState` accepts these two). */
export type ReportedState = 'RUNNING' | 'ERRORED';

/** A deployment is about to update or restart this component. */
export interface ComponentUpdateNotice {
  readonly deploymentId: string;
  /** True when the nucleus itself restarts to apply the deployment. */
  readonly nucleusRestarting: boolean;
}

/**
 * What a component answers to {@link ComponentUpdateNotice}: go ahead now, or ask the nucleus to
 * wait `recheckAfterMs` and ask again (Greengrass `DeferComponentUpdate`).
 */
export type ComponentUpdateDecision =
  | { readonly defer: false }
  | { readonly defer: true; readonly recheckAfterMs: number; readonly reason: string };

export type ComponentUpdateHandler = (
  notice: ComponentUpdateNotice,
) => ComponentUpdateDecision | Promise<ComponentUpdateDecision>;

/** Says whether a proposed configuration is acceptable: `undefined` when it is, else the reason. */
export type ConfigurationValidator = (configuration: unknown) => string | undefined;

/** Called with the component's whole configuration each time the nucleus reports a change. */
export type ConfigurationListener = (configuration: unknown) => void;

/**
 * Everything a Croupier component needs from its runtime, with one implementation per runtime:
 * Greengrass IPC on a core ({@link GreengrassIpcTransport}) and MQTT over mutual TLS on the local
 * floor ({@link MqttTransport}). Components never know which one they hold.
 */
export interface Transport {
  /** `greengrass-ipc` on a real core, `mqtt` on the local floor. */
  readonly kind: 'greengrass-ipc' | 'mqtt';

  /** Connects to the runtime. Called once, before any other method. */
  connect(): Promise<void>;

  /**
   * Publishes to a component-to-component topic on the core (Greengrass local pub/sub, topics under
   * `croupier/local/...` and the bridged `smib/...` topics).
   */
  publishLocal(topic: string, payload: Uint8Array): Promise<void>;

  /** Subscribes to a local topic filter (`+` and `#` wildcards allowed). */
  subscribeLocal(topicFilter: string, handler: MessageHandler): Promise<Subscription>;

  /**
   * Publishes to AWS IoT Core (IoT Core stand-in on the local floor). With QoS 1 the promise resolves
   * once the message is acknowledged by the broker (PUBACK) or accepted by the nucleus' MQTT spooler,
   * and rejects when it is refused; it may stay pending while the link is down.
   */
  publishUpstream(topic: string, payload: Uint8Array, qos: Qos): Promise<void>;

  /** Subscribes to an IoT Core topic filter (downlink). */
  subscribeUpstream(topicFilter: string, handler: MessageHandler, qos: Qos): Promise<Subscription>;

  /** The component's whole configuration (Greengrass `GetConfiguration` with an empty key path). */
  getConfiguration(): Promise<unknown>;

  /**
   * Calls `listener` with the whole new configuration whenever it changes. Validation is the
   * caller's job: see {@link ConfigurationStore}.
   */
  subscribeToConfigurationUpdate(listener: ConfigurationListener): Promise<Subscription>;

  /**
   * Lets the component veto a deployment's configuration before the nucleus applies it (Greengrass
   * SubscribeToValidateConfigurationUpdates / SendConfigurationValidityReport: a rejected update fails
   * the deployment). On the local floor there is no deployment to fail; updates are validated when
   * they arrive instead.
   */
  validateConfigurationUpdates(validator: ConfigurationValidator): Promise<Subscription>;

  /** Reports the component's lifecycle state to the nucleus. */
  updateState(state: ReportedState): Promise<void>;

  /**
   * Lets the component defer a deployment that would restart it, e.g. until its spool is drained.
   * Only one handler is kept; a second call replaces it.
   */
  onComponentUpdate(handler: ComponentUpdateHandler): Promise<Subscription>;

  /** Closes every subscription and the connection. Idempotent. */
  close(): Promise<void>;
}
