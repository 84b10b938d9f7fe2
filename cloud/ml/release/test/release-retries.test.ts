import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type CloudComponentState,
  type ComponentDeploymentSpecification,
  CreateComponentVersionCommand,
  CreateDeploymentCommand,
  DescribeComponentCommand,
  GetComponentCommand,
  GetDeploymentCommand,
  GreengrassV2Client,
  ListComponentVersionsCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-greengrassv2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ReleaseResult, releaseFailureModel } from '../greengrass-release.js';
import { type ModelPackage, packageModel } from '../model-package.js';
import { ReleaseTarget } from '../release-target.js';
import { modelFiles } from './model-files.js';

const recipePath = fileURLToPath(new URL('../../../../components/failure-model/recipe.yaml', import.meta.url));
const COMPONENT_ARN = 'arn:aws:greengrass:eu-west-1:123456789012:components:com.croupier.FailureModel';
const MODEL_GROUP = 'arn:aws:iot:eu-west-1:123456789012:thinggroup/croupier-prod-cores-model';
const OTHER_GROUP = 'arn:aws:iot:eu-west-1:123456789012:thinggroup/croupier-prod-cores';
const BUCKET = 'croupier-prod-components-eu-west-1-123456789012';
const versionArn = (version: string) => `${COMPONENT_ARN}:versions:${version}`;

const greengrass = mockClient(GreengrassV2Client);
const s3 = mockClient(S3Client);
const target = ReleaseTarget.parse({
  componentArn: COMPONENT_ARN,
  artifactsBucket: BUCKET,
  modelThingGroupArn: MODEL_GROUP,
  deploymentName: 'croupier-prod-cores-model-failure-model',
  majorVersion: 1,
  deployablePollMs: 5_000,
  deployableTimeoutMs: 10_000,
});

/**
 * Greengrass's control plane as far as a release sees it, kept in memory behind the mocked client:
 * versions keep the recipe they were created with, deployments are revisions per target, lists are
 * paginated (two per page, in no particular order). Faults are injected per command, once each.
 */
class GreengrassState {
  readonly versions = new Map<string, { recipe: Uint8Array; states: CloudComponentState[] }>();
  readonly deployments: {
    deploymentId: string;
    targetArn: string;
    components: Record<string, ComponentDeploymentSpecification>;
  }[] = [];
  /** States a newly created version goes through, one per DescribeComponent; the last one stays. */
  nextVersionStates: CloudComponentState[] = ['DEPLOYABLE'];
  readonly faults = new Map<string, Error>();

  install(): void {
    greengrass.on(ListComponentVersionsCommand).callsFake((input: { arn: string; nextToken?: string }) => {
      expect(input.arn).toBe(COMPONENT_ARN);
      const all = [...this.versions.keys()].reverse().map((v) => ({
        componentName: 'com.croupier.FailureModel',
        componentVersion: v,
        arn: versionArn(v),
      }));
      const start = Number(input.nextToken ?? 0);
      const next = start + 2 < all.length ? String(start + 2) : undefined;
      return { componentVersions: all.slice(start, start + 2), ...(next ? { nextToken: next } : {}) };
    });
    greengrass.on(GetComponentCommand).callsFake((input: { arn: string }) => ({
      recipeOutputFormat: 'JSON',
      recipe: this.version(input.arn).recipe,
    }));
    greengrass.on(DescribeComponentCommand).callsFake((input: { arn: string }) => {
      const { states } = this.version(input.arn);
      const state = states.length > 1 ? states.shift()! : states[0]!;
      return { arn: input.arn, status: { componentState: state } };
    });
    greengrass.on(CreateComponentVersionCommand).callsFake((input: { inlineRecipe: Uint8Array }) => {
      this.fault('CreateComponentVersion');
      const version = JSON.parse(new TextDecoder().decode(input.inlineRecipe)).ComponentVersion as string;
      if (this.versions.has(version))
        throw Object.assign(new Error(`${version} exists`), { name: 'ConflictException' });
      this.versions.set(version, { recipe: input.inlineRecipe, states: [...this.nextVersionStates] });
      return { arn: versionArn(version), componentVersion: version };
    });
    greengrass
      .on(ListDeploymentsCommand)
      .callsFake((input: { targetArn: string; historyFilter: string; nextToken?: string }) => {
        expect(input.historyFilter).toBe('LATEST_ONLY');
        // A first page with nothing on it and a token is legal; the release must follow the token.
        if (!input.nextToken) return { deployments: [], nextToken: 'more' };
        const latest = this.deployments.filter((d) => d.targetArn === input.targetArn).at(-1);
        return {
          deployments: latest
            ? [{ targetArn: latest.targetArn, deploymentId: latest.deploymentId, isLatestForTarget: true }]
            : [],
        };
      });
    greengrass.on(GetDeploymentCommand).callsFake((input: { deploymentId: string }) => {
      const deployment = this.deployments.find((d) => d.deploymentId === input.deploymentId);
      if (!deployment) throw Object.assign(new Error('no such deployment'), { name: 'ResourceNotFoundException' });
      return {
        ...deployment,
        deploymentStatus: 'ACTIVE',
        iotJobArn: `arn:aws:iot:eu-west-1:123456789012:job/${deployment.deploymentId}`,
      };
    });
    greengrass
      .on(CreateDeploymentCommand)
      .callsFake((input: { targetArn: string; components: Record<string, ComponentDeploymentSpecification> }) => {
        this.fault('CreateDeployment');
        const deploymentId = `deployment-${this.deployments.length + 1}`;
        this.deployments.push({ deploymentId, targetArn: input.targetArn, components: input.components });
        return { deploymentId, iotJobArn: `arn:aws:iot:eu-west-1:123456789012:job/${deploymentId}` };
      });
    s3.on(PutObjectCommand).resolves({});
  }

  private version(arn: string) {
    const version = this.versions.get(arn.split(':versions:')[1] ?? '');
    if (!version) throw Object.assign(new Error(`no ${arn}`), { name: 'ResourceNotFoundException' });
    return version;
  }

  private fault(command: string): void {
    const error = this.faults.get(command);
    this.faults.delete(command);
    if (error) throw error;
  }
}

/** Every request to either service since the last history reset, in order, as [command, input]. */
const sent = () =>
  [...greengrass.calls(), ...s3.calls()]
    .sort((a, b) => (a.calledBefore(b as never) ? -1 : 1))
    .map(
      (call) =>
        [call.args[0].constructor.name.replace(/Command$/, ''), call.args[0].input as Record<string, unknown>] as const,
    );
const names = () => sent().map(([name]) => name);
const creates = () => names().filter((name) => name.startsWith('Create') || name === 'PutObject');

describe('a retried FailureModel release creates nothing twice', () => {
  let template: string;
  let state: GreengrassState;
  const modelA = packageModel(modelFiles('2026.11.22'));
  const modelB = packageModel(modelFiles('2026.11.29'));
  const deps = () => ({
    greengrass: new GreengrassV2Client({ region: 'eu-west-1' }),
    s3: new S3Client({ region: 'eu-west-1' }),
    sleep: async () => {},
  });
  const release = (model: ModelPackage) => releaseFailureModel(deps(), target, template, model);
  /** Forgets what was sent so far; Greengrass keeps its state, as between two Lambda invocations. */
  const nextAttempt = () => {
    greengrass.resetHistory();
    s3.resetHistory();
  };

  beforeAll(async () => {
    template = await readFile(recipePath, 'utf8');
  });
  beforeEach(() => {
    state = new GreengrassState();
    state.install();
    // Versions before the pipeline's first model, and a subdeployment that is not the group's own.
    for (const v of ['1.8.0', '1.9.0', '2.0.0']) {
      state.versions.set(v, { recipe: new TextEncoder().encode('{"ComponentName":"x"}'), states: ['DEPLOYABLE'] });
    }
    state.deployments.push({
      deploymentId: 'fleet-1',
      targetArn: OTHER_GROUP,
      components: { 'com.croupier.FailureModel': { componentVersion: '1.10.0' } },
    });
  });
  afterEach(() => {
    greengrass.reset();
    s3.reset();
  });

  it('GIVEN a new model WHEN released THEN the next minor version and one deployment are created', async () => {
    const result = await release(modelA);

    expect(names()).toEqual([
      'ListComponentVersions',
      'ListComponentVersions',
      'GetComponent',
      'PutObject',
      'PutObject',
      'CreateComponentVersion',
      'DescribeComponent',
      'ListDeployments',
      'ListDeployments',
      'CreateDeployment',
    ]);
    const requests = sent();
    expect(requests[1]![1]).toEqual({ arn: COMPONENT_ARN, maxResults: 100, nextToken: '2' });
    expect(requests[2]![1]).toEqual({ arn: versionArn('1.9.0'), recipeOutputFormat: 'JSON' });
    expect(requests.slice(3, 5).map(([, input]) => input.Key)).toEqual([
      'com.croupier.FailureModel/1.10.0/failure-model.onnx',
      'com.croupier.FailureModel/1.10.0/model-card.json',
    ]);
    expect(requests[6]![1]).toEqual({ arn: versionArn('1.10.0') });
    expect(requests.slice(7, 9).map(([, input]) => input)).toEqual([
      { targetArn: MODEL_GROUP, historyFilter: 'LATEST_ONLY', maxResults: 100 },
      { targetArn: MODEL_GROUP, historyFilter: 'LATEST_ONLY', maxResults: 100, nextToken: 'more' },
    ]);
    expect(requests[9]![1]).toMatchObject({
      targetArn: MODEL_GROUP,
      components: { 'com.croupier.FailureModel': { componentVersion: '1.10.0' } },
    });
    expect(result).toMatchObject({
      componentVersion: '1.10.0',
      deploymentId: 'deployment-2',
      createdComponentVersion: true,
      createdDeployment: true,
    });
  });

  it('GIVEN an attempt that created the version but not the deployment WHEN retried THEN only the deployment is created', async () => {
    state.faults.set('CreateDeployment', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(release(modelA)).rejects.toThrow(/Rate exceeded/);
    nextAttempt();

    const result = await release(modelA);

    expect(names()).toEqual([
      'ListComponentVersions',
      'ListComponentVersions',
      'GetComponent',
      'DescribeComponent',
      'ListDeployments',
      'ListDeployments',
      'CreateDeployment',
    ]);
    const requests = sent();
    expect(requests[2]![1]).toEqual({ arn: versionArn('1.10.0'), recipeOutputFormat: 'JSON' });
    expect(requests[3]![1]).toEqual({ arn: versionArn('1.10.0') });
    expect(requests[6]![1]).toMatchObject({
      targetArn: MODEL_GROUP,
      components: { 'com.croupier.FailureModel': { componentVersion: '1.10.0' } },
    });
    expect([...state.versions.keys()].filter((v) => v.startsWith('1.1'))).toEqual(['1.10.0']);
    expect(result).toMatchObject({
      componentVersion: '1.10.0',
      componentVersionArn: versionArn('1.10.0'),
      modelPath: '/greengrass/v2/packages/artifacts/com.croupier.FailureModel/1.10.0/failure-model.onnx',
      createdComponentVersion: false,
      createdDeployment: true,
    });
  });

  it('GIVEN an attempt that gave up waiting for DEPLOYABLE WHEN retried THEN it waits for the same version and deploys it', async () => {
    state.nextVersionStates = ['REQUESTED', 'INITIATED', 'INITIATED', 'INITIATED', 'DEPLOYABLE'];
    await expect(release(modelA)).rejects.toThrow(/still INITIATED after 10000 ms/);
    expect(state.deployments.filter((d) => d.targetArn === MODEL_GROUP)).toEqual([]);
    nextAttempt();

    const result = await release(modelA);

    expect(names()).toEqual([
      'ListComponentVersions',
      'ListComponentVersions',
      'GetComponent',
      'DescribeComponent',
      'DescribeComponent',
      'ListDeployments',
      'ListDeployments',
      'CreateDeployment',
    ]);
    expect(result).toMatchObject({
      componentVersion: '1.10.0',
      createdComponentVersion: false,
      createdDeployment: true,
    });
  });

  it('GIVEN an attempt that created both WHEN retried THEN nothing is created and the same release is returned', async () => {
    const first = await release(modelA);
    nextAttempt();

    const again = await release(modelA);

    expect(creates()).toEqual([]);
    expect(sent()).toEqual([
      ['ListComponentVersions', { arn: COMPONENT_ARN, maxResults: 100 }],
      ['ListComponentVersions', { arn: COMPONENT_ARN, maxResults: 100, nextToken: '2' }],
      ['GetComponent', { arn: versionArn('1.10.0'), recipeOutputFormat: 'JSON' }],
      ['DescribeComponent', { arn: versionArn('1.10.0') }],
      ['ListDeployments', { targetArn: MODEL_GROUP, historyFilter: 'LATEST_ONLY', maxResults: 100 }],
      ['ListDeployments', { targetArn: MODEL_GROUP, historyFilter: 'LATEST_ONLY', maxResults: 100, nextToken: 'more' }],
      ['GetDeployment', { deploymentId: first.deploymentId }],
    ]);
    expect(again).toEqual({ ...first, createdComponentVersion: false, createdDeployment: false });
    expect(state.deployments.filter((d) => d.targetArn === MODEL_GROUP)).toHaveLength(1);
  });

  it('GIVEN a released model WHEN a different model is released THEN it gets the next minor version and its own deployment', async () => {
    await release(modelA);
    nextAttempt();

    const result = await release(modelB);

    expect(names()).toEqual([
      'ListComponentVersions',
      'ListComponentVersions',
      'GetComponent',
      'PutObject',
      'PutObject',
      'CreateComponentVersion',
      'DescribeComponent',
      'ListDeployments',
      'ListDeployments',
      'GetDeployment',
      'CreateDeployment',
    ]);
    const requests = sent();
    expect(requests[2]![1]).toEqual({ arn: versionArn('1.10.0'), recipeOutputFormat: 'JSON' });
    expect(requests[9]![1]).toEqual({ deploymentId: 'deployment-2' });
    expect(requests[10]![1]).toMatchObject({
      components: { 'com.croupier.FailureModel': { componentVersion: '1.11.0' } },
    });
    expect(result).toMatchObject({
      componentVersion: '1.11.0',
      createdComponentVersion: true,
      createdDeployment: true,
    });
  });

  it('GIVEN model A then model B WHEN model A is released again (a rollback) THEN it ships as a new, higher version', async () => {
    await release(modelA);
    await release(modelB);
    nextAttempt();

    const result = await release(modelA);

    expect(creates()).toEqual(['PutObject', 'PutObject', 'CreateComponentVersion', 'CreateDeployment']);
    expect(result).toMatchObject({
      componentVersion: '1.12.0',
      createdComponentVersion: true,
      createdDeployment: true,
    });
  });

  it('GIVEN the model was refused by Greengrass (FAILED) WHEN the pipeline runs again THEN a fresh version is made', async () => {
    state.nextVersionStates = ['FAILED'];
    await expect(release(modelA)).rejects.toThrow(/refused .*versions:1\.10\.0 \(FAILED\)/);
    state.nextVersionStates = ['DEPLOYABLE'];
    nextAttempt();

    const result: ReleaseResult = await release(modelA);

    expect(creates()).toEqual(['PutObject', 'PutObject', 'CreateComponentVersion', 'CreateDeployment']);
    expect(result).toMatchObject({ componentVersion: '1.11.0', createdComponentVersion: true });
  });
});
