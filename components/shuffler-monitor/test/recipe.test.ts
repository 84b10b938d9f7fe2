import { LOCAL_TOPICS } from '@croupier/contracts';
import { type ProfilePoint, SHUFFLER_PROFILE } from '@croupier/simulators';
import { describe, expect, it } from 'vitest';
import { MonitorConfig } from '../src/config.js';
import { pointWidth } from '../src/register-map.js';
import { defaultConfiguration, readRecipe } from './support/recipe.js';

const TABLES = {
  input_register: 'input',
  holding_register: 'holding',
  coil: 'coil',
  discrete_input: 'discrete',
} as const;

describe('ShufflerMonitor recipe', () => {
  it('has a DefaultConfiguration that passes the configuration schema', () => {
    expect(MonitorConfig.safeParse(defaultConfiguration()).success).toBe(true);
  });

  it('grants only publishing to the telemetry and health topics', () => {
    const acl = defaultConfiguration().accessControl as Record<
      string,
      Record<string, { operations: string[]; resources: string[] }>
    >;
    expect(Object.keys(acl)).toEqual(['aws.greengrass.ipc.pubsub']);
    const policies = Object.values(acl['aws.greengrass.ipc.pubsub']!);
    expect(policies.flatMap((p) => p.operations)).toEqual(['aws.greengrass#PublishToTopic']);
    expect(policies.flatMap((p) => p.resources).sort()).toEqual(
      [LOCAL_TOPICS.health, LOCAL_TOPICS.shufflerTelemetry].sort(),
    );
  });

  it('runs unprivileged from the bundled artifact', () => {
    const recipe = readRecipe() as {
      Manifests: { Lifecycle: { Run: { RequiresPrivilege: boolean; Script: string } } }[];
    };
    expect(recipe.Manifests[0]!.Lifecycle.Run.RequiresPrivilege).toBe(false);
    expect(recipe.Manifests[0]!.Lifecycle.Run.Script).toContain(
      '{artifacts:decompressedPath}/shuffler-monitor/main.mjs',
    );
  });

  it("GIVEN the simulator's documented profile THEN every point of the default map matches it", () => {
    const map = MonitorConfig.parse(defaultConfiguration()).registerMaps['croupier-shuffler-v1']!;
    const byName = new Map((SHUFFLER_PROFILE as readonly ProfilePoint[]).map((p) => [p.name, p]));
    const sensorWord = byName.get('sensorStatus')!;
    for (const point of map.points) {
      const sensorBit = sensorWord.kind === 'bitfield' ? sensorWord.bits.find((b) => b.name === point.name) : undefined;
      if (sensorBit) {
        expect([point.table, point.address, point.type, point.bit], point.name).toEqual([
          TABLES[sensorWord.table],
          sensorWord.address,
          'bit',
          sensorBit.bit,
        ]);
        continue;
      }
      const doc = byName.get(point.name);
      expect(doc, point.name).toBeDefined();
      expect(TABLES[doc!.table], point.name).toBe(point.table);
      expect(doc!.address, point.name).toBe(point.address);
      switch (doc!.kind) {
        case 'number':
          expect([point.type, point.scale], point.name).toEqual([doc!.type, doc!.scale]);
          break;
        case 'enum':
          expect([point.type, point.values], point.name).toEqual(['uint16', [...doc!.values]]);
          break;
        case 'ascii':
          expect([point.type, pointWidth(point)], point.name).toEqual(['string', Math.ceil(doc!.length / 2)]);
          break;
        default:
          throw new Error(`${point.name}: unexpected profile kind ${doc!.kind}`);
      }
      expect(point.wordOrder).toBe('big');
      expect(point.byteOrder).toBe('big');
    }
  });
});
