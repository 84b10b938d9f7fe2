import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnvironmentConfig, parseEnvironmentConfig } from '../config/load.js';
import { fleetDeploymentFromConfig } from '../constructs/fleet-deployment.js';

describe('environment configuration', () => {
  it('GIVEN the shipped dev and prod files WHEN loaded THEN both parse and name themselves', () => {
    expect(loadEnvironmentConfig('dev').name).toBe('dev');
    expect(loadEnvironmentConfig('prod').name).toBe('prod');
  });

  it('GIVEN an unknown environment WHEN loaded THEN the error names the expected file', () => {
    expect(() => loadEnvironmentConfig('staging')).toThrow(/no configuration for environment "staging".*staging\.json/);
  });

  it('GIVEN an environment name with path characters WHEN loaded THEN it is refused before touching the disk', () => {
    expect(() => loadEnvironmentConfig('../etc')).toThrow(ConfigError);
  });

  it('GIVEN bad fields WHEN parsed THEN one error names every bad field', () => {
    const dev = loadEnvironmentConfig('dev');
    const bad = {
      ...dev,
      properties: [{ id: 'has/slash', name: 'x' }],
      retention: { ...dev.retention, logDays: 17, dlqDays: 30 },
      alerts: { maintenance: [{ protocol: 'email', endpoint: 'not-an-email' }], operations: [] },
      floor: { timeZone: 'Mars/Olympus', gamingDayStartHour: 6 },
    };
    let message = '';
    try {
      parseEnvironmentConfig(bad, 'test');
    } catch (error) {
      message = (error as Error).message;
    }
    for (const field of ['properties', 'logDays', 'dlqDays', 'endpoint', 'timeZone']) expect(message).toContain(field);
  });

  it('GIVEN an unknown top-level key WHEN parsed THEN it is rejected rather than silently ignored', () => {
    expect(() => parseEnvironmentConfig({ ...loadEnvironmentConfig('dev'), timestreem: {} }, 'test')).toThrow(
      /timestreem/,
    );
  });

  it('GIVEN Timestream enabled without a database name WHEN parsed THEN it is rejected', () => {
    const dev = loadEnvironmentConfig('dev');
    expect(() => parseEnvironmentConfig({ ...dev, timestream: { enabled: true } }, 'test')).toThrow(/databaseName/);
  });
});

describe('fleet deployment from configuration', () => {
  it('GIVEN the dev components WHEN built THEN versions and merges are in Greengrass API shape', () => {
    const deployment = fleetDeploymentFromConfig(loadEnvironmentConfig('dev'));
    expect(deployment.components['com.croupier.Uplink']).toEqual({ componentVersion: '1.0.0' });
    const nucleus = deployment.components['aws.greengrass.Nucleus'];
    expect(JSON.parse(nucleus?.configurationUpdate?.merge ?? '{}')).toMatchObject({
      interpolateComponentConfiguration: true,
      mqtt: { spooler: { storageType: 'Memory' } },
    });
    expect(deployment.components['aws.greengrass.clientdevices.Auth']?.configurationUpdate).toBeUndefined();
  });

  it('GIVEN FailureModel in the fleet list WHEN built THEN it is refused: the pipeline owns it', () => {
    const dev = loadEnvironmentConfig('dev');
    const withModel = {
      ...dev,
      edge: { ...dev.edge, deployment: { ...dev.edge.deployment, 'com.croupier.FailureModel': { version: '1.0.0' } } },
    };
    expect(() => fleetDeploymentFromConfig(withModel)).toThrow(/training pipeline/);
  });
});
