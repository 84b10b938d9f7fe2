/**
 * certs-tooling CLI: the local floor's CA and certificates, AWS IoT registration and fleet
 * provisioning. Prints one JSON object per run (paths, serials, ARNs); private keys go only to
 * 0600 files, never to the terminal.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { readKeyMaterial, writeKeyMaterial } from './key-material.js';
import { CA_NAME, initLocalCa, issueLocal, revokeLocal } from './local-pki.js';

const USAGE = `usage: certs-tooling <command> [options]   (all commands take --dir DIR, default .croupier/certs)
  init-ca [--cn NAME] [--days N] [--force]            create the local root CA, CRL and revoked list
  server [--name local-iot] [--dns H,..] [--ip A,..]   server certificate for the local IoT endpoint and device broker
  core <thingName> [--days N]                          core certificate, CN = thing name
  smib <machineId> [--days N]                          SMIB client-device certificate, CN = machine id
  revoke [<serial>...] [--cert PATH]...                revoke by serial or certificate file; reissue ca.crl.pem
  register-core <thingName> --policy NAME [--group NAME] [--attr k=v]... [--region R] [--create-keys]
                                                       register with AWS IoT (default: <dir>/<thingName>.cert.pem via RegisterCertificate)
  provision --endpoint HOST --template NAME --claim NAME [--ca PATH] [--port 8883] [--param k=v]...
            [--client-id ID] [--method csr|keys]         fleet provisioning by claim; writes <ThingName>.cert/key.pem`;

const options = {
  dir: { type: 'string' },
  cn: { type: 'string' },
  days: { type: 'string' },
  force: { type: 'boolean' },
  name: { type: 'string' },
  dns: { type: 'string' },
  ip: { type: 'string' },
  cert: { type: 'string', multiple: true },
  policy: { type: 'string' },
  group: { type: 'string' },
  attr: { type: 'string', multiple: true },
  region: { type: 'string' },
  'create-keys': { type: 'boolean' },
  endpoint: { type: 'string' },
  port: { type: 'string' },
  ca: { type: 'string' },
  claim: { type: 'string' },
  template: { type: 'string' },
  param: { type: 'string', multiple: true },
  'client-id': { type: 'string' },
  method: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const positiveInt = z.coerce.number().int().positive();
const list = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [];
const pairs = (values: string[] | undefined): Record<string, string> =>
  Object.fromEntries(
    (values ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`expected key=value, got "${pair}"`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} is required\n${USAGE}`);
  return value;
};

async function main(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, ...rest] = positionals;
  if (values.help || !command) return USAGE;
  // npm run sets INIT_CWD to where the user stood, so relative paths mean what they typed.
  const base = process.env.INIT_CWD ?? process.cwd();
  const dir = resolve(base, values.dir ?? '.croupier/certs');
  const days = values.days === undefined ? undefined : positiveInt.parse(values.days);
  switch (command) {
    case 'init-ca':
      return initLocalCa(dir, {
        commonName: values.cn ?? 'Croupier Local Floor Root CA',
        ...(days ? { validityDays: days } : {}),
        force: values.force ?? false,
      });
    case 'server':
      return issueLocal(dir, {
        name: values.name ?? 'local-iot',
        commonName: values.name ?? 'local-iot',
        usage: 'server',
        dnsNames: list(values.dns),
        ipAddresses: list(values.ip),
        ...(days ? { validityDays: days } : {}),
      });
    case 'core':
    case 'smib': {
      const id = need(rest[0], command === 'core' ? '<thingName>' : '<machineId>');
      return issueLocal(dir, { name: id, commonName: id, usage: 'client', ...(days ? { validityDays: days } : {}) });
    }
    case 'revoke':
      return revokeLocal(dir, { serialNumbers: rest, certPaths: (values.cert ?? []).map((p) => resolve(base, p)) });
    case 'register-core': {
      const thingName = need(rest[0], '<thingName>');
      // The AWS SDK and aws-crt load only for the commands that talk to AWS, keeping local commands fast.
      const [{ IoTClient }, { registerCore }] = await Promise.all([
        import('@aws-sdk/client-iot'),
        import('./register-core.js'),
      ]);
      const iot = new IoTClient(values.region ? { region: values.region } : {});
      const certificate = values['create-keys']
        ? ({ mode: 'create' } as const)
        : ({
            mode: 'register',
            certPem: await readFile(join(dir, `${thingName}.cert.pem`), 'utf8'),
            caCertPem: await readFile(join(dir, `${CA_NAME}.cert.pem`), 'utf8'),
          } as const);
      const { created, ...registered } = await registerCore(iot, {
        thingName,
        policyName: need(values.policy, '--policy'),
        ...(values.group ? { thingGroupName: values.group } : {}),
        attributes: pairs(values.attr),
        certificate,
      });
      const written = created ? await writeKeyMaterial(dir, thingName, created) : undefined;
      return { ...registered, ...(written ?? {}) };
    }
    case 'provision': {
      const { provisionByClaim } = await import('./fleet-provisioning.js');
      const parameters = pairs(values.param);
      const claim = await readKeyMaterial(dir, need(values.claim, '--claim'));
      const device = await provisionByClaim({
        endpoint: need(values.endpoint, '--endpoint'),
        ...(values.port ? { port: positiveInt.parse(values.port) } : {}),
        caPem: await readFile(values.ca ? resolve(base, values.ca) : join(dir, `${CA_NAME}.cert.pem`), 'utf8'),
        claim,
        clientId: values['client-id'] ?? `claim-${parameters.ThingName ?? process.pid}`,
        templateName: need(values.template, '--template'),
        parameters,
        ...(values.method ? { method: z.enum(['csr', 'keys']).parse(values.method) } : {}),
      });
      const written = await writeKeyMaterial(dir, device.thingName, device);
      return {
        thingName: device.thingName,
        certificateId: device.certificateId,
        deviceConfiguration: device.deviceConfiguration,
        ...written,
      };
    }
    default:
      throw new Error(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(typeof result === 'string' ? `${result}\n` : `${JSON.stringify(result, null, 2)}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`certs-tooling: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
