import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../config/load.js';
import type { EnvironmentConfig } from '../config/schema.js';
import { EdgeStack } from '../stacks/edge-stack.js';
import { cdkJsonContext } from './reference-app.js';

/** Two properties with different floors: each must get its own group, key, template and deployment. */
const dev = loadEnvironmentConfig('dev');
const [riverside] = dev.properties;
const config: EnvironmentConfig = {
  ...dev,
  properties: [
    riverside!,
    {
      id: 'harbour',
      name: 'Harbour Casino',
      site: {
        machines: [{ ...riverside!.site.machines[0]!, machineId: 'slot-9001' }],
        shufflers: { buses: {}, devices: [] },
      },
    },
  ],
};

let t: Template;
beforeAll(() => {
  const app = new App({ context: cdkJsonContext() });
  const logs = new Stack(app, 'Logs', { env: { region: 'us-east-1' } });
  const stack = new EdgeStack(app, 'Edge', {
    env: { region: 'us-east-1' },
    config,
    accessLogsBucket: new s3.Bucket(logs, 'AccessLogs'),
  });
  t = Template.fromStack(stack);
});

describe('EdgeStack with several properties', () => {
  const deployments = () =>
    Object.entries(t.findResources('AWS::GreengrassV2::Deployment')).map(([id, r]) => ({
      id,
      properties: (
        r as {
          Properties: { TargetArn: unknown; Components: Record<string, { ConfigurationUpdate?: { Merge: unknown } }> };
        }
      ).Properties,
    }));

  it('GIVEN two properties WHEN synthesized THEN each has its own thing group, key, provisioning template and deployment', () => {
    for (const type of [
      'AWS::IoT::ProvisioningTemplate',
      'AWS::SecretsManager::Secret',
      'AWS::GreengrassV2::Deployment',
    ]) {
      t.resourceCountIs(type, 2);
    }
    // Two property groups plus the model group.
    t.resourceCountIs('AWS::IoT::ThingGroup', 3);
    for (const property of config.properties) {
      t.hasResourceProperties('AWS::GreengrassV2::Deployment', {
        DeploymentName: `croupier-floor-cores-${property.id}`,
        TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^ThingGroup${property.id}`), 'Arn'] },
      });
    }
  });

  it("GIVEN two properties WHEN synthesized THEN each deployment carries only its own floor and its own key's reference", () => {
    const [first, second] = config.properties.map((property) => {
      const found = deployments().find((d) => d.id.startsWith(`FleetDeployment${property.id}`));
      return JSON.stringify(found?.properties.Components['com.croupier.SlotGateway']?.ConfigurationUpdate?.Merge);
    });
    expect(first).toContain('slot-0001');
    expect(first).not.toContain('slot-9001');
    expect(second).toContain('slot-9001');
    expect(second).not.toContain('slot-0001');
    expect(first).toMatch(/\{"Ref":"PlayerTokenKeyriverside[0-9A-F]+"\}/);
    expect(second).toMatch(/\{"Ref":"PlayerTokenKeyharbour[0-9A-F]+"\}/);
  });

  it('GIVEN two properties WHEN synthesized THEN the provisioning role may add things to exactly the property groups and the model group', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy')) as {
      Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
    }[];
    const statement = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .find((s) => [s.Action].flat().includes('iot:AddThingToThingGroup'));
    const groups = JSON.stringify(statement?.Resource);
    for (const id of ['ThingGroupriverside', 'ThingGroupharbour', 'ModelThingGroup']) expect(groups).toContain(id);
    expect(groups.match(/ThingGroup/g)).toHaveLength(3);
  });
});
