/**
 * The benchmark's broker, in its own process so its CPU is not charged to the simulator: reads the
 * CA as JSON on stdin, prints `{"port":N}` when listening, exits when stdin closes.
 */
import type { CertificateAuthority } from '@croupier/certs-tooling';
import { startTlsDeviceBroker } from '../test/slot/tls-device-broker.js';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) {
  input += chunk;
  if (input.includes('\n')) break;
}
const broker = await startTlsDeviceBroker(JSON.parse(input) as CertificateAuthority);
process.stdout.write(`${JSON.stringify({ port: broker.port })}\n`);
process.stdin.on('end', async () => {
  await broker.close();
  process.exit(0);
});
process.stdin.resume();
