import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeFeatures,
  deviceHoursAxis,
  FEATURE_NAMES,
  FEATURE_WINDOW,
  FEATURES,
  SlidingWindow,
  toWindowReading,
} from '../src/features.js';
import { reading, T0 } from './support/telemetry.js';

const window = { durationMs: 60 * 60_000, minReadings: 3 };

describe('feature definition', () => {
  it('names every feature once, in vector order, with a unit', () => {
    expect(new Set(FEATURE_NAMES).size).toBe(FEATURES.length);
    expect(FEATURES.every((f) => f.unit.length > 0 && f.description.length > 0)).toBe(true);
    expect(FEATURE_WINDOW.minReadings).toBeGreaterThan(1);
  });

  it('GIVEN a window THEN each feature has the documented value', () => {
    const readings = [
      reading(0, { shuffles: 100, misfeeds: 10, jams: 1, cardCountErrors: 0, temp: 30, current: 1.2, cycle: 60 }),
      reading(30, {
        shuffles: 110,
        misfeeds: 12,
        jams: 2,
        cardCountErrors: 1,
        temp: 31,
        current: 1.5,
        cycle: 66,
        inputOptical: false,
      }),
      reading(60, {
        shuffles: 120,
        misfeeds: 15,
        jams: 2,
        cardCountErrors: 1,
        temp: 32,
        current: 1.8,
        cycle: 72,
        state: 'fault',
      }),
    ].map(toWindowReading);
    const f = computeFeatures(readings, window)!;
    const named = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, f[i]]));
    expect(named.misfeedsPerShuffle).toBeCloseTo(5 / 20, 12);
    expect(named.jamsPerShuffle).toBeCloseTo(1 / 20, 12);
    expect(named.cardCountErrorsPerShuffle).toBeCloseTo(1 / 20, 12);
    expect(named.cycleTimeRatio).toBeCloseTo(66 / 60, 12);
    expect(named.motorCurrentRatio).toBeCloseTo(1.5 / 1.2, 12);
    expect(named.temperatureMeanCelsius).toBeCloseTo(31, 12);
    expect(named.temperatureSlopeCelsiusPerHour).toBeCloseTo(2, 12);
    expect(named.sensorFaultShare).toBeCloseTo(1 / 3, 12);
    expect(named.faultShare).toBeCloseTo(1 / 3, 12);
    expect(named.hoursSinceService).toBeCloseTo(101, 12);
  });

  it('GIVEN a counter reset inside the window THEN rates never go negative', () => {
    const readings = [
      reading(0, { shuffles: 5_000, misfeeds: 500 }),
      reading(10, { shuffles: 10, misfeeds: 1 }),
      reading(20, { shuffles: 20, misfeeds: 2 }),
    ].map(toWindowReading);
    const [misfeeds] = computeFeatures(readings, window)!;
    expect(misfeeds).toBeCloseTo(2 / 20, 12);
  });

  it('GIVEN too few online readings THEN there is no vector; offline readings do not count', () => {
    const readings = [reading(0), reading(10, { state: 'offline' }), reading(20)].map(toWindowReading);
    expect(computeFeatures(readings, window)).toBeUndefined();
  });

  it('GIVEN a sliding window THEN old readings leave it and late or repeated ones are ignored', () => {
    const w = new SlidingWindow(window);
    expect(w.add(toWindowReading(reading(0)))).toBe(true);
    expect(w.add(toWindowReading(reading(30)))).toBe(true);
    expect(w.add(toWindowReading(reading(30)))).toBe(false);
    expect(w.add(toWindowReading(reading(20)))).toBe(false);
    expect(w.add(toWindowReading(reading(90)))).toBe(true);
    expect(w.contents.map((r) => (r.time - w.contents[0]!.time) / 60_000)).toEqual([0, 60]);
  });

  it('GIVEN the collector observing a device running 60× faster THEN the features are those of device time', () => {
    // The same device history (an hour, warming 2 °C), once observed in real time and once in a minute.
    const history = [0, 15, 30, 45, 60].map((minutes) => reading(minutes, { temp: 30 + minutes / 30 }));
    const squeezed = history.map((t, i) => ({ ...t, eventTime: T0 + i * 15_000 }));
    const real = computeFeatures(history.map(toWindowReading), window)!;
    const fast = computeFeatures(squeezed.map(toWindowReading), window)!;
    expect(fast).toEqual(real);
    expect(real[FEATURE_NAMES.indexOf('temperatureSlopeCelsiusPerHour')]).toBeCloseTo(2, 12);
  });

  it('GIVEN a service inside the window THEN device hours run on from the restarted clock', () => {
    const readings = [reading(0), reading(60), reading(120)].map(toWindowReading);
    const serviced = readings.map((r, i) => (i === 2 ? { ...r, hoursSinceService: 0.25 } : r));
    expect(deviceHoursAxis(readings)).toEqual([0, 1, 2]);
    expect(deviceHoursAxis(serviced)).toEqual([0, 1, 1.25]);
  });

  it('GIVEN a device whose clock runs faster than eventTime THEN the window keeps its duration in device hours', () => {
    const w = new SlidingWindow(window);
    // One reading per real minute of a device at ×60: each is a device hour after the one before.
    for (let i = 0; i < 5; i += 1) {
      const t = reading(i * 60);
      w.add(toWindowReading({ ...t, eventTime: T0 + i * 60_000 }));
    }
    expect(w.contents.map((r) => r.hoursSinceService - 100)).toEqual([3, 4]);
  });

  it('PROPERTY: identical windows give bit-identical features, through the window or directly', () => {
    const arb = fc.array(
      fc.record({
        step: fc.integer({ min: 1, max: 20 }),
        shuffles: fc.integer({ min: 0, max: 5 }),
        misfeeds: fc.integer({ min: 0, max: 2 }),
        temp: fc.double({ min: 20, max: 70, noNaN: true }),
        current: fc.double({ min: 0.5, max: 3, noNaN: true }),
        optical: fc.boolean(),
      }),
      { minLength: 3, maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        let minute = 0;
        let shuffles = 0;
        let misfeeds = 0;
        const telemetry = rows.map((r) => {
          minute += r.step;
          shuffles += r.shuffles;
          misfeeds += r.misfeeds;
          return reading(minute, { shuffles, misfeeds, temp: r.temp, current: r.current, inputOptical: r.optical });
        });
        const a = new SlidingWindow(window);
        const b = new SlidingWindow(window);
        for (const t of telemetry) a.add(toWindowReading(t));
        // The same events, re-serialised as they would arrive over MQTT.
        for (const t of telemetry) b.add(toWindowReading(JSON.parse(JSON.stringify(t))));
        const direct = computeFeatures(a.contents, window);
        expect(a.features()).toEqual(b.features());
        expect(a.features()).toEqual(direct);
        if (direct) expect(Float32Array.from(a.features()!)).toEqual(Float32Array.from(b.features()!));
      }),
      { numRuns: 200 },
    );
  });
});
