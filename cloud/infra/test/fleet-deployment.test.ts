import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadEnvironmentConfig } from '../config/load.js';
import { readRecipeVersions } from '../constructs/component-recipes.js';
import {
  type FleetDeploymentParameters,
  readFleetDeploymentTemplate,
  renderFleetDeployment,
} from '../constructs/fleet-deployment.js';

const template = readFleetDeploymentTemplate();
const versions = readRecipeVersions();
const site = loadEnvironmentConfig('dev').properties[0]!.site;
const DYNAMIC_REFERENCE = '{{resolve:secretsmanager:croupier/dev/riverside/player-token-key:SecretString:::}}';
const parameters: FleetDeploymentParameters = {
  property: 'riverside',
  machines: site.machines,
  shufflerBuses: site.shufflers.buses,
  shufflerDevices: site.shufflers.devices,
  playerTokenKeyHex: DYNAMIC_REFERENCE,
};
/** The template with one edit applied to its parsed document. */
interface EditableTemplate {
  components: Record<string, Record<string, unknown>>;
  deploymentPolicies: Record<string, unknown>;
}
const edited = (edit: (doc: EditableTemplate) => void) => {
  const doc = parseYaml(template) as EditableTemplate;
  edit(doc);
  return stringifyYaml(doc);
};
const merge = (rendered: ReturnType<typeof renderFleetDeployment>, name: string) =>
  JSON.parse(rendered.components[name]?.configurationUpdate?.merge ?? '{}');

const tmp = mkdtempSync(join(tmpdir(), 'croupier-recipes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('component recipes', () => {
  it('GIVEN the repository WHEN recipe versions are read THEN every Croupier component is there with its recipe version', () => {
    expect([...versions.keys()].sort()).toEqual([
      'com.croupier.FailureModel',
      'com.croupier.FailurePredictor',
      'com.croupier.ShufflerMonitor',
      'com.croupier.SlotGateway',
      'com.croupier.Uplink',
    ]);
    for (const version of versions.values()) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('GIVEN two recipes declaring one component WHEN read THEN it refuses, naming the second file', () => {
    for (const dir of ['a', 'b', 'library']) mkdirSync(join(tmp, dir));
    const recipe = stringifyYaml({ ComponentName: 'com.croupier.Uplink', ComponentVersion: '1.2.3' });
    writeFileSync(join(tmp, 'a', 'recipe.yaml'), recipe);
    writeFileSync(join(tmp, 'b', 'recipe.yaml'), recipe);
    expect(() => readRecipeVersions(tmp)).toThrow(/com\.croupier\.Uplink is declared by two recipes.*b\/recipe\.yaml/);
    writeFileSync(
      join(tmp, 'b', 'recipe.yaml'),
      stringifyYaml({ ComponentName: 'com.croupier.X', ComponentVersion: 'v2' }),
    );
    expect(() => readRecipeVersions(tmp)).toThrow(/semantic version/);
  });
});

describe('fleet deployment rendered from recipes/floor-core.deployment.yaml', () => {
  const rendered = renderFleetDeployment(template, parameters, versions);

  it('GIVEN the template WHEN rendered THEN Croupier components take their recipe versions, AWS components stay pinned, FailureModel is absent', () => {
    const pinned = (parseYaml(template) as { components: Record<string, { componentVersion?: string }> }).components;
    expect(Object.keys(rendered.components).sort()).toEqual([
      'aws.greengrass.Nucleus',
      'aws.greengrass.clientdevices.Auth',
      'aws.greengrass.clientdevices.IPDetector',
      'aws.greengrass.clientdevices.mqtt.Bridge',
      'aws.greengrass.clientdevices.mqtt.Moquette',
      'com.croupier.FailurePredictor',
      'com.croupier.ShufflerMonitor',
      'com.croupier.SlotGateway',
      'com.croupier.Uplink',
    ]);
    for (const [name, component] of Object.entries(rendered.components)) {
      expect(component.componentVersion, name).toBe(
        name.startsWith('com.croupier.') ? versions.get(name) : pinned[name]?.componentVersion,
      );
    }
    expect(rendered.deploymentName).toBe('croupier-floor-cores-riverside');
  });

  it('GIVEN site data and the key reference WHEN rendered THEN they land in the component merges as values, not strings', () => {
    expect(merge(rendered, 'com.croupier.SlotGateway')).toEqual({
      playerTokenKeyHex: DYNAMIC_REFERENCE,
      machines: site.machines,
    });
    expect(merge(rendered, 'com.croupier.ShufflerMonitor')).toEqual({
      buses: site.shufflers.buses,
      devices: site.shufflers.devices,
    });
    expect(merge(rendered, 'com.croupier.Uplink').property).toBe('riverside');
    expect(rendered.components['com.croupier.FailurePredictor']?.configurationUpdate).toBeUndefined();
  });

  it('GIVEN the rollout settings WHEN rendered THEN the one nested key CloudFormation wants in PascalCase is converted', () => {
    expect(rendered.iotJobConfiguration).toMatchObject({
      jobExecutionsRolloutConfig: {
        maximumPerMinute: 10,
        exponentialRate: { rateIncreaseCriteria: { NumberOfSucceededThings: 5 } },
      },
      timeoutConfig: { inProgressTimeoutInMinutes: 60 },
    });
    expect(rendered.deploymentPolicies.failureHandlingPolicy).toBe('ROLLBACK');
  });

  it('GIVEN FailureModel added to the template WHEN rendered THEN it is refused: the training pipeline owns it', () => {
    const withModel = edited((doc) => {
      doc.components['com.croupier.FailureModel'] = { merge: {} };
    });
    expect(() => renderFleetDeployment(withModel, parameters, versions)).toThrow(/deployed by the training pipeline/);
  });

  it('GIVEN a Croupier component with a version in the template WHEN rendered THEN it is refused: the recipe is the one source', () => {
    const pinnedHere = edited((doc) => {
      doc.components['com.croupier.Uplink']!.componentVersion = '9.9.9';
    });
    expect(() => renderFleetDeployment(pinnedHere, parameters, versions)).toThrow(/comes from the component's recipe/);
  });

  it('GIVEN an unpinned AWS component, a misspelt key and an unknown parameter WHEN rendered THEN each is refused by name', () => {
    const unpinned = edited((doc) => {
      delete doc.components['aws.greengrass.Nucleus']!.componentVersion;
    });
    expect(() => renderFleetDeployment(unpinned, parameters, versions)).toThrow(/aws\.greengrass\.Nucleus.*pinned/);
    const misspelt = edited((doc) => {
      doc.deploymentPolicies.failureHandlingPolcy = 'ROLLBACK';
    });
    expect(() => renderFleetDeployment(misspelt, parameters, versions)).toThrow(/failureHandlingPolcy/);
    const unknown = edited((doc) => {
      doc.components['com.croupier.Uplink']!.merge = { property: '{{propertyId}}' };
    });
    expect(() => renderFleetDeployment(unknown, parameters, versions)).toThrow(/unknown parameter \{\{propertyId\}\}/);
  });

  it('GIVEN a Croupier component without a recipe WHEN rendered THEN it is refused', () => {
    const noRecipe = new Map([...versions].filter(([name]) => name !== 'com.croupier.SlotGateway'));
    expect(() => renderFleetDeployment(template, parameters, noRecipe)).toThrow(
      /com\.croupier\.SlotGateway, but no components\/\*\/recipe\.yaml declares it/,
    );
  });

  it('GIVEN a literal key instead of a secret reference WHEN rendered THEN it is refused before anything is produced', () => {
    expect(() =>
      renderFleetDeployment(template, { ...parameters, playerTokenKeyHex: 'ab'.repeat(32) }, versions),
    ).toThrow(/dynamic reference, never a literal key/);
  });
});
