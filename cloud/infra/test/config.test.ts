import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnvironmentConfig, parseEnvironmentConfig } from '../config/load.js';

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

describe('site data per property', () => {
  const dev = loadEnvironmentConfig('dev');
  const withSite = (edit: (site: (typeof dev.properties)[number]['site']) => void) => {
    const site = structuredClone(dev.properties[0]!.site);
    edit(site);
    return { ...dev, properties: [{ ...dev.properties[0]!, site }] };
  };

  it('GIVEN the dev floor WHEN loaded THEN machines and shufflers are typed, with the Modbus defaults applied', () => {
    const site = dev.properties[0]!.site;
    expect(site.machines.map((m) => m.machineId)).toEqual(['slot-0001', 'slot-0002']);
    expect(site.shufflers.devices[0]).toMatchObject({ bus: 'pit-1-gateway', unitId: 1, enabled: true });
  });

  it('GIVEN a shuffler on an unknown bus and a duplicate machine WHEN parsed THEN both are named', () => {
    const bad = withSite((site) => {
      site.shufflers.devices[0]!.bus = 'nowhere';
      site.machines.push(site.machines[0]!);
    });
    let message = '';
    try {
      parseEnvironmentConfig(bad, 'test');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('unknown bus "nowhere"');
    expect(message).toContain('duplicate machine "slot-0001"');
  });

  it('GIVEN a machine that breaks the MachineIdentity contract WHEN parsed THEN it is rejected', () => {
    const bad = withSite((site) => {
      site.machines[0]!.paytable.theoreticalHold = 1.5;
    });
    expect(() => parseEnvironmentConfig(bad, 'test')).toThrow(/theoreticalHold/);
  });

  it('GIVEN property ids WHEN they cannot name a thing group or make the provisioning template too long THEN they are rejected', () => {
    expect(() =>
      parseEnvironmentConfig({ ...dev, properties: [{ ...dev.properties[0]!, id: 'has.dot' }] }, 'test'),
    ).toThrow(/properties/);
    expect(() =>
      parseEnvironmentConfig(
        { ...dev, properties: [{ ...dev.properties[0]!, id: 'a-very-long-property-id' }] },
        'test',
      ),
    ).toThrow(/longer than the 36 characters/);
    expect(() =>
      parseEnvironmentConfig({ ...dev, properties: [dev.properties[0], dev.properties[0]] }, 'test'),
    ).toThrow(/unique/);
  });
});
