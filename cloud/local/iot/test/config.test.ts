import { describe, expect, it } from 'vitest';
import { topicRules } from '../../../definitions/topic-rules.js';
import { parseLocalIotCoreConfig } from '../config.js';

const tls = {
  caPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----',
  certPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----',
  keyPem: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
};

describe('local IoT Core configuration', () => {
  it('GIVEN only TLS material and a lake WHEN parsed THEN loopback, ephemeral ports, the floor API principal and the deployed rules apply', () => {
    const config = parseLocalIotCoreConfig({ tls, lakeDir: '/tmp/lake' });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      iot: { port: 0, servicePrincipals: ['croupier-floor-api'], corePrincipals: [] },
      deviceBroker: { port: 0, gatewayPrincipals: [] },
      dataPlane: { port: 0 },
      kinesis: { region: 'us-east-1' },
      lakeDir: '/tmp/lake',
    });
    expect(config.kinesis.endpoint).toBeUndefined();
    expect(config.rules).toEqual(topicRules);
  });

  it('GIVEN wrong input WHEN parsed THEN every problem is named with its path', () => {
    const parse = () =>
      parseLocalIotCoreConfig({
        tls: { ...tls, keyPem: 'not a key' },
        iot: { port: 70_000, servicePrincipals: ['bad/cn'], corePrincipals: ['core/#'] },
        kinesis: { endpoint: 'not a url' },
      });
    expect(parse).toThrow(/^invalid local IoT Core configuration/);
    for (const path of [
      'at lakeDir',
      'at tls.keyPem',
      'at iot.port',
      'at kinesis.endpoint',
      'at iot.servicePrincipals[0]',
      'at iot.corePrincipals[0]',
    ]) {
      expect(parse).toThrow(path);
    }
  });
});
