import { io, mqtt } from 'aws-iot-device-sdk-v2';
import type { MqttEndpointSettings } from './local-floor-settings.js';

/** Reconnect and keep-alive tuning of a local-floor MQTT connection. */
export interface MqttConnectionTuning {
  readonly keepAliveSec?: number;
  readonly reconnectMinSec?: number;
  readonly reconnectMaxSec?: number;
}

/**
 * Opens an MQTT 3.1.1 connection over mutual TLS with the CRT client of aws-iot-device-sdk-v2 (the
 * same client Greengrass devices use; aedes speaks 3.1.1 only). Persistent session (clean session off),
 * so the broker keeps subscriptions and queued QoS 1 messages across a link loss; the CRT reconnects
 * with backoff and re-sends unacknowledged QoS 1 publishes.
 */
export function createMqttConnection(
  endpoint: MqttEndpointSettings,
  clientId: string,
  tuning: MqttConnectionTuning = {},
): mqtt.MqttClientConnection {
  const tlsOptions = io.TlsContextOptions.create_client_with_mtls_from_path(endpoint.certPath, endpoint.keyPath);
  tlsOptions.override_default_trust_store_from_path(undefined, endpoint.caPath);
  const client = new mqtt.MqttClient(new io.ClientBootstrap());
  return client.new_connection({
    client_id: endpoint.clientId ?? clientId,
    host_name: endpoint.host,
    port: endpoint.port,
    socket_options: new io.SocketOptions(io.SocketType.STREAM, io.SocketDomain.IPV4, 5_000),
    tls_ctx: new io.ClientTlsContext(tlsOptions),
    clean_session: false,
    keep_alive: tuning.keepAliveSec ?? 30,
    reconnect_min_sec: tuning.reconnectMinSec ?? 1,
    reconnect_max_sec: tuning.reconnectMaxSec ?? 30,
  });
}
