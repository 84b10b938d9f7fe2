import type { Aedes, AuthenticateError, Client } from 'aedes';
import { peerSerialNumber, peerThingName } from './peer-identity.js';
import { type DevicePolicy, isAllowed, type PolicyAction } from './policy.js';

/** One request the policy refused: kept for the operator and counted. */
export interface AuthorizationDenial {
  /** Which broker refused it (`iot` or `devices`). */
  readonly broker: string;
  readonly clientId: string;
  /** The certificate CN, if the peer presented a usable one. */
  readonly thingName: string | undefined;
  readonly action: PolicyAction;
  readonly resource: string;
  readonly reason: string;
}

export interface AuthorizerOptions {
  readonly broker: string;
  /**
   * The policy that governs a principal, chosen by its thing name (certificate CN); undefined when
   * the principal is not registered with this broker, which refuses its CONNECT.
   */
  readonly policyFor: (thingName: string) => DevicePolicy | undefined;
  readonly onDenied: (denial: AuthorizationDenial) => void;
}

interface Principal {
  readonly thingName: string;
  readonly policy: DevicePolicy;
  readonly serialNumber: string | undefined;
}

/** What the caller keeps to act on connected principals later. */
export interface Authorizer {
  /**
   * Closes every session whose certificate serial is in `revoked`, as IoT Core drops the sessions
   * of a revoked certificate; returns how many were closed.
   */
  disconnectRevoked(revoked: ReadonlySet<string>): number;
}

/** MQTT 3.1.1 CONNACK return code 5, "not authorized": what IoT Core answers a refused CONNECT with. */
const NOT_AUTHORIZED = 5;

/**
 * Installs authentication and authorization on an aedes broker the way IoT Core applies them:
 * the peer's identity is its verified certificate CN and must equal the MQTT client id; every
 * CONNECT, PUBLISH, SUBSCRIBE and delivery is checked against the principal's policy, default deny.
 * A refused PUBLISH closes the connection (as IoT Core does); a refused SUBSCRIBE is answered with
 * SUBACK failure 0x80; a refused delivery is dropped.
 */
export function installAuthorizer(broker: Aedes, options: AuthorizerOptions): Authorizer {
  const principals = new WeakMap<Client, Principal>();
  // Sessions that completed CONNECT, kept only to find a revoked certificate's live sessions.
  const sessions = new Set<Client>();
  broker.on('clientReady', (client) => sessions.add(client));
  broker.on('clientDisconnect', (client) => sessions.delete(client));
  const deny = (
    client: Client,
    thingName: string | undefined,
    action: PolicyAction,
    resource: string,
    reason: string,
  ) => options.onDenied({ broker: options.broker, clientId: client.id, thingName, action, resource, reason });

  broker.authenticate = (client, _username, _password, done) => {
    const thingName = peerThingName(client.conn);
    const refuse = (reason: string) => {
      deny(client, thingName, 'connect', client.id, reason);
      const error = new Error(reason) as AuthenticateError;
      error.returnCode = NOT_AUTHORIZED;
      done(error, false);
    };
    if (thingName === undefined) return refuse('no verified client certificate with a single valid CN');
    if (thingName !== client.id) return refuse(`client id differs from certificate CN "${thingName}"`);
    const policy = options.policyFor(thingName);
    if (policy === undefined) return refuse(`certificate CN "${thingName}" is not a thing registered with this broker`);
    if (!isAllowed(policy, thingName, { action: 'connect', resource: client.id })) {
      return refuse(`${policy.name} does not allow connect`);
    }
    principals.set(client, { thingName, policy, serialNumber: peerSerialNumber(client.conn) });
    done(null, true);
  };

  broker.authorizePublish = (client, packet, callback) => {
    const principal = client ? principals.get(client) : undefined;
    if (!client || !principal) return callback(new Error('publish from an unauthenticated client'));
    if (isAllowed(principal.policy, principal.thingName, { action: 'publish', resource: packet.topic })) {
      return callback(null);
    }
    deny(client, principal.thingName, 'publish', packet.topic, `${principal.policy.name} does not allow publish`);
    callback(new Error(`not authorized to publish to ${packet.topic}`));
  };

  broker.authorizeSubscribe = (client, subscription, callback) => {
    const principal = principals.get(client);
    if (
      principal &&
      isAllowed(principal.policy, principal.thingName, { action: 'subscribe', resource: subscription.topic })
    ) {
      return callback(null, subscription);
    }
    deny(client, principal?.thingName, 'subscribe', subscription.topic, 'policy does not allow subscribe');
    callback(null, null);
  };

  broker.authorizeForward = (client, packet) => {
    const principal = principals.get(client);
    if (principal && isAllowed(principal.policy, principal.thingName, { action: 'receive', resource: packet.topic })) {
      return packet;
    }
    deny(client, principal?.thingName, 'receive', packet.topic, 'policy does not allow receive');
    return null;
  };

  return {
    disconnectRevoked(revoked) {
      let closed = 0;
      for (const client of sessions) {
        const serialNumber = principals.get(client)?.serialNumber;
        if (serialNumber === undefined || !revoked.has(serialNumber)) continue;
        sessions.delete(client);
        client.close();
        closed += 1;
      }
      return closed;
    },
  };
}
