import type { ProcessorsBenchFigures } from '../../cloud/bench/processors.js';
import type { DataPlaneBenchFigures } from '../../cloud/local/bench/data-plane-throughput.js';
import type { RulesBenchFigures } from '../../cloud/local/iot/bench/rules-throughput.js';
import type { InferenceBenchFigures } from '../../components/failure-predictor/bench/inference.js';
import type { PollBenchFigures } from '../../components/shuffler-monitor/bench/poll.js';
import type { UplinkBenchFigures } from '../../components/uplink/bench/uplink.js';
import type { LatencyReport } from '../../test/bench/latency.js';

/** A benchmark's figures, or why this run has none. */
export type Measured<T> =
  | { readonly measured: true; readonly seconds: number; readonly figures: T }
  | { readonly measured: false; readonly reason: string };

/** One process of the running local floor. */
export interface ProcessFootprint {
  readonly name: string;
  readonly pid: number;
  /** VmRSS at the end of the sampling window, and VmHWM (peak RSS since start). */
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  /** CPU over the sampling window, percent of one core. */
  readonly cpuPercentOfOneCore: number;
}

/** Memory and CPU of every process of the local floor while it runs its default scenarios. */
export interface FloorFootprint {
  readonly sampleSeconds: number;
  readonly shufflers: number;
  readonly machines: number;
  readonly processes: readonly ProcessFootprint[];
}

/** The machine and moment of a run. */
export interface RunContext {
  readonly command: string;
  readonly quick: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly node: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started and when it finished. */
  readonly loadAtStart: readonly [number, number, number];
  readonly loadAtEnd: readonly [number, number, number];
}

/** Everything one `npm run bench` measures. */
export interface BenchFigures {
  readonly run: RunContext;
  readonly polling: Measured<PollBenchFigures>;
  readonly inference: Measured<InferenceBenchFigures>;
  readonly uplink: Measured<UplinkBenchFigures>;
  readonly rules: Measured<RulesBenchFigures>;
  readonly dataPlane: Measured<DataPlaneBenchFigures>;
  readonly processors: Measured<ProcessorsBenchFigures>;
  readonly latency: Measured<LatencyReport>;
  readonly floor: Measured<FloorFootprint>;
}
