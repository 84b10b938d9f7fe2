import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataPlaneServer, type DataPlanePublish } from '../data-plane-endpoint.js';

describe('IoT data-plane Publish endpoint', () => {
  const published: DataPlanePublish[] = [];
  const denied: string[] = [];
  const server = createDataPlaneServer({
    isAllowed: ({ resource }) => resource.endsWith('/offers'),
    onDenied: (topic) => denied.push(topic),
    publish: async (message) => {
      published.push(message);
    },
  });
  let base: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, body: Buffer | string = '') => fetch(`${base}${path}`, { method: 'POST', body });

  it('GIVEN an allowed topic WHEN published THEN the payload, qos and retain flag pass through', async () => {
    const response = await post('/topics/croupier%2Fvegas%2Fcore-a%2Foffers?qos=1&retain=false', Buffer.from([0, 255]));
    expect(response.status).toBe(200);
    expect(published).toEqual([
      { topic: 'croupier/vegas/core-a/offers', payload: Buffer.from([0, 255]), qos: 1, retain: false },
    ]);
  });

  it('GIVEN refused or malformed requests THEN each gets the restJson error the SDK maps', async () => {
    const cases: [string, number, string][] = [
      ['/topics/croupier%2Fvegas%2Fcore-a%2Fslot', 403, 'ForbiddenException'],
      ['/topics/croupier%2F%2B%2Foffers', 400, 'InvalidRequestException'],
      ['/topics/%E0%A4%A', 400, 'InvalidRequestException'],
      ['/topics/a%2Foffers?qos=2', 400, 'InvalidRequestException'],
      ['/things/x', 404, 'ResourceNotFoundException'],
    ];
    for (const [path, status, type] of cases) {
      const response = await post(path, 'x');
      expect([path, response.status, response.headers.get('x-amzn-errortype')]).toEqual([path, status, type]);
    }
    expect(denied).toEqual(['croupier/vegas/core-a/slot']);
    const tooLarge = await post('/topics/a%2Foffers', Buffer.alloc(128 * 1024 + 1));
    expect(tooLarge.status).toBe(413);
    expect(published).toHaveLength(1);
  });
});
