import { EventEmitter } from 'node:events';
import { greengrasscoreipc } from 'aws-iot-device-sdk-v2';
import { describe, expect, it } from 'vitest';
import { createLogger, type GreengrassIpcClient, GreengrassIpcTransport } from '../src/index.js';

/**
 * A fake of the Greengrass IPC client (the nucleus is the Greengrass control plane: there is none off
 * a core). It records every operation with its exact input and lets the test push stream events.
 */
class FakeStream extends EventEmitter {
  activated = false;
  closed = false;
  async activate() {
    this.activated = true;
    return {};
  }
  async close() {
    this.closed = true;
  }
}

function fakeIpc(configuration: unknown) {
  const calls: { operation: string; input: unknown }[] = [];
  const streams = new Map<string, FakeStream>();
  const stream = (operation: string) => (input: unknown) => {
    calls.push({ operation, input });
    const s = new FakeStream();
    streams.set(operation, s);
    return s;
  };
  const unary =
    (operation: string, response: unknown = {}) =>
    async (input: unknown) => {
      calls.push({ operation, input });
      return typeof response === 'function' ? (response as () => unknown)() : response;
    };
  const client = {
    connect: async () => {
      calls.push({ operation: 'connect', input: undefined });
    },
    close: async () => {
      calls.push({ operation: 'close', input: undefined });
    },
    publishToIoTCore: unary('PublishToIoTCore'),
    subscribeToIoTCore: stream('SubscribeToIoTCore'),
    publishToTopic: unary('PublishToTopic'),
    subscribeToTopic: stream('SubscribeToTopic'),
    getConfiguration: unary('GetConfiguration', () => ({
      componentName: 'com.croupier.Example',
      value: configuration,
    })),
    subscribeToConfigurationUpdate: stream('SubscribeToConfigurationUpdate'),
    updateState: unary('UpdateState'),
    subscribeToComponentUpdates: stream('SubscribeToComponentUpdates'),
    deferComponentUpdate: unary('DeferComponentUpdate'),
    subscribeToValidateConfigurationUpdates: stream('SubscribeToValidateConfigurationUpdates'),
    sendConfigurationValidityReport: unary('SendConfigurationValidityReport'),
  };
  return { client: client as unknown as GreengrassIpcClient, calls, streams };
}

const logger = createLogger({ component: 'test', sink: () => {} });
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('GreengrassIpcTransport requests', () => {
  it('GIVEN local and upstream traffic WHEN publishing and subscribing THEN the IPC operations carry the exact topics, QoS and payloads', async () => {
    const ipc = fakeIpc({});
    const transport = new GreengrassIpcTransport({ client: ipc.client, logger });
    await transport.connect();
    await transport.publishLocal('croupier/local/slot/events', Buffer.from('{"a":1}'));
    await transport.publishUpstream('croupier/vegas/core-1/slot', Buffer.from([1, 2]), 1);
    await transport.publishUpstream('croupier/vegas/core-1/health', Buffer.from([3]), 0);

    const local: { topic: string; text: string }[] = [];
    await transport.subscribeLocal('smib/+/events', ({ topic, payload }) => {
      local.push({ topic, text: payload.toString() });
    });
    const upstream: { topic: string; text: string }[] = [];
    const downlink = await transport.subscribeUpstream(
      'croupier/vegas/core-1/offers',
      ({ topic, payload }) => {
        upstream.push({ topic, text: payload.toString() });
      },
      1,
    );

    expect(ipc.calls.slice(0, 6)).toEqual([
      { operation: 'connect', input: undefined },
      {
        operation: 'PublishToTopic',
        input: {
          topic: 'croupier/local/slot/events',
          publishMessage: { binaryMessage: { message: Buffer.from('{"a":1}') } },
        },
      },
      {
        operation: 'PublishToIoTCore',
        input: { topicName: 'croupier/vegas/core-1/slot', qos: '1', payload: Buffer.from([1, 2]) },
      },
      {
        operation: 'PublishToIoTCore',
        input: { topicName: 'croupier/vegas/core-1/health', qos: '0', payload: Buffer.from([3]) },
      },
      { operation: 'SubscribeToTopic', input: { topic: 'smib/+/events', receiveMode: 'RECEIVE_ALL_MESSAGES' } },
      { operation: 'SubscribeToIoTCore', input: { topicName: 'croupier/vegas/core-1/offers', qos: '1' } },
    ]);
    expect(greengrasscoreipc.model.QOS.AT_LEAST_ONCE).toBe('1');

    ipc.streams.get('SubscribeToTopic')!.emit('message', {
      binaryMessage: { message: new TextEncoder().encode('hello'), context: { topic: 'smib/slot-1/events' } },
    });
    ipc.streams.get('SubscribeToTopic')!.emit('message', {
      jsonMessage: { message: { b: 2 }, context: { topic: 'smib/slot-2/events' } },
    });
    ipc.streams.get('SubscribeToIoTCore')!.emit('message', {
      message: { topicName: 'croupier/vegas/core-1/offers', payload: new TextEncoder().encode('offer').buffer },
    });
    await settle();
    expect(local).toEqual([
      { topic: 'smib/slot-1/events', text: 'hello' },
      { topic: 'smib/slot-2/events', text: '{"b":2}' },
    ]);
    expect(upstream).toEqual([{ topic: 'croupier/vegas/core-1/offers', text: 'offer' }]);

    await downlink.close();
    expect(ipc.streams.get('SubscribeToIoTCore')!.closed).toBe(true);
    await transport.close();
    expect(ipc.streams.get('SubscribeToTopic')!.closed).toBe(true);
    expect(ipc.calls.at(-1)).toEqual({ operation: 'close', input: undefined });
  });

  it('GIVEN configuration updates WHEN several keys change at once THEN one GetConfiguration with an empty key path follows, after the debounce', async () => {
    const ipc = fakeIpc({ property: 'vegas', batch: { maxEvents: 10 } });
    const transport = new GreengrassIpcTransport({ client: ipc.client, logger, configurationDebounceMs: 10 });
    expect(await transport.getConfiguration()).toEqual({ property: 'vegas', batch: { maxEvents: 10 } });
    const seen: unknown[] = [];
    await transport.subscribeToConfigurationUpdate((c) => seen.push(c));
    const updates = ipc.streams.get('SubscribeToConfigurationUpdate')!;
    updates.emit('message', {
      configurationUpdateEvent: { componentName: 'com.croupier.Example', keyPath: ['batch', 'maxEvents'] },
    });
    updates.emit('message', {
      configurationUpdateEvent: { componentName: 'com.croupier.Example', keyPath: ['property'] },
    });
    await settle();
    expect(seen).toHaveLength(1);
    expect(ipc.calls.filter((c) => c.operation.includes('Configuration'))).toEqual([
      { operation: 'GetConfiguration', input: { keyPath: [] } },
      { operation: 'SubscribeToConfigurationUpdate', input: { keyPath: [] } },
      { operation: 'GetConfiguration', input: { keyPath: [] } },
    ]);
  });

  it('GIVEN a pending deployment WHEN the component defers, then allows it THEN DeferComponentUpdate carries the deployment id, recheck time and reason, then 0', async () => {
    const ipc = fakeIpc({});
    const transport = new GreengrassIpcTransport({ client: ipc.client, logger });
    let backlog = 12;
    await transport.onComponentUpdate(({ deploymentId }) =>
      backlog > 0 && deploymentId === 'dep-1'
        ? { defer: true, recheckAfterMs: 5_000, reason: `draining ${backlog} envelopes` }
        : { defer: false },
    );
    const updates = ipc.streams.get('SubscribeToComponentUpdates')!;
    updates.emit('message', { preUpdateEvent: { deploymentId: 'dep-1', isGgcRestarting: false } });
    await settle();
    backlog = 0;
    updates.emit('message', { preUpdateEvent: { deploymentId: 'dep-1', isGgcRestarting: false } });
    updates.emit('message', { postUpdateEvent: { deploymentId: 'dep-1' } });
    await settle();
    await transport.updateState('RUNNING');
    await transport.updateState('ERRORED');
    expect(ipc.calls.filter((c) => c.operation !== 'connect')).toEqual([
      { operation: 'SubscribeToComponentUpdates', input: {} },
      {
        operation: 'DeferComponentUpdate',
        input: { deploymentId: 'dep-1', recheckAfterMs: 5_000, message: 'draining 12 envelopes' },
      },
      { operation: 'DeferComponentUpdate', input: { deploymentId: 'dep-1', recheckAfterMs: 0 } },
      { operation: 'UpdateState', input: { state: 'RUNNING' } },
      { operation: 'UpdateState', input: { state: 'ERRORED' } },
    ]);
  });

  it('GIVEN a deployment proposing configuration WHEN one proposal is invalid THEN the nucleus gets ACCEPTED for the valid one and REJECTED with the reason for the other', async () => {
    const ipc = fakeIpc({});
    const transport = new GreengrassIpcTransport({ client: ipc.client, logger });
    await transport.validateConfigurationUpdates((c) =>
      (c as { batch?: number }).batch === 0 ? 'batch: Too small: expected number to be >=1' : undefined,
    );
    const proposals = ipc.streams.get('SubscribeToValidateConfigurationUpdates')!;
    proposals.emit('message', {
      validateConfigurationUpdateEvent: { deploymentId: 'dep-ok', configuration: { batch: 5 } },
    });
    proposals.emit('message', {
      validateConfigurationUpdateEvent: { deploymentId: 'dep-bad', configuration: { batch: 0 } },
    });
    await settle();
    expect(ipc.calls.filter((c) => c.operation !== 'connect')).toEqual([
      { operation: 'SubscribeToValidateConfigurationUpdates', input: {} },
      {
        operation: 'SendConfigurationValidityReport',
        input: { configurationValidityReport: { status: 'ACCEPTED', deploymentId: 'dep-ok' } },
      },
      {
        operation: 'SendConfigurationValidityReport',
        input: {
          configurationValidityReport: {
            status: 'REJECTED',
            deploymentId: 'dep-bad',
            message: 'batch: Too small: expected number to be >=1',
          },
        },
      },
    ]);
  });
});
