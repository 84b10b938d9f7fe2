import { readFileSync } from 'node:fs';
import { LOCAL_TOPICS } from '@croupier/contracts';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PredictorConfig, resolveModelPath } from '../src/config.js';

const recipe = parse(readFileSync(new URL('../recipe.yaml', import.meta.url), 'utf8')) as {
  ComponentDependencies: Record<string, { DependencyType: string }>;
  ComponentConfiguration: { DefaultConfiguration: Record<string, unknown> & { accessControl: unknown } };
  Manifests: { Lifecycle: { Run: { RequiresPrivilege: boolean; Setenv: Record<string, string> } } }[];
};

describe('FailurePredictor recipe', () => {
  const defaults = recipe.ComponentConfiguration.DefaultConfiguration;

  it('has a DefaultConfiguration that passes the configuration schema and states every default', () => {
    expect(PredictorConfig.safeParse(defaults).success).toBe(true);
    const { accessControl: _, ...stated } = defaults;
    expect(PredictorConfig.parse(stated)).toEqual(PredictorConfig.parse({}));
  });

  it("subscribes to telemetry and Uplink's acknowledgements only, and publishes to predictions, alerts and health only", () => {
    const acl = defaults.accessControl as Record<string, Record<string, { operations: string[]; resources: string[] }>>;
    expect(Object.keys(acl)).toEqual(['aws.greengrass.ipc.pubsub']);
    const grants = Object.values(acl['aws.greengrass.ipc.pubsub']!).flatMap((p) =>
      p.operations.flatMap((o) => p.resources.map((r) => `${o} ${r}`)),
    );
    expect(grants.sort()).toEqual(
      [
        `aws.greengrass#SubscribeToTopic ${LOCAL_TOPICS.shufflerTelemetry}`,
        `aws.greengrass#SubscribeToTopic ${LOCAL_TOPICS.intakeAcks}`,
        `aws.greengrass#PublishToTopic ${LOCAL_TOPICS.predictions}`,
        `aws.greengrass#PublishToTopic ${LOCAL_TOPICS.alerts}`,
        `aws.greengrass#PublishToTopic ${LOCAL_TOPICS.health}`,
      ].sort(),
    );
  });

  it('depends softly on FailureModel and finds the model in its artifacts by default', () => {
    expect(recipe.ComponentDependencies['com.croupier.FailureModel']!.DependencyType).toBe('SOFT');
    const run = recipe.Manifests[0]!.Lifecycle.Run;
    expect(run.RequiresPrivilege).toBe(false);
    expect(run.Setenv.FAILURE_MODEL_DIR).toBe('{com.croupier.FailureModel:artifacts:path}');
    const config = PredictorConfig.parse(defaults);
    expect(resolveModelPath(config, { FAILURE_MODEL_DIR: '/gg/artifacts/m/1.0.0' })).toBe(
      '/gg/artifacts/m/1.0.0/failure-model.onnx',
    );
    expect(resolveModelPath({ ...config, modelPath: '/x/y.onnx' }, {})).toBe('/x/y.onnx');
  });

  it('refuses thresholds that would leave no hysteresis', () => {
    expect(PredictorConfig.safeParse({ alerts: { raiseAt: 0.5, clearAt: 0.5 } }).success).toBe(false);
  });
});
