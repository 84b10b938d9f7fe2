import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type FailureModel,
  FailureModelSession,
  FEATURE_WINDOW,
  MODEL_CARD_FILE,
  MODEL_FILE,
  ModelCard,
} from '@croupier/failure-predictor';
import { readChannel } from '../dataset/channel-format.js';
import { labelFor } from '../dataset/feature-rows.js';
import { type AlertScore, scoreMetrics } from './alert-scoring.js';
import {
  DEFAULT_EVALUATION,
  type EvaluationFleet,
  type EvaluationSettings,
  evaluateOnFleet,
  type FleetEvaluation,
  formatEvaluation,
} from './evaluate-fleet.js';
import { DEFAULT_GATE_POLICY, type GateDecision, type GatePolicy, gateCandidate } from './gate.js';
import { fitThresholdRule, type ThresholdRule, thresholdRuleModel } from './threshold-rule.js';

export interface CandidateEvaluationInput {
  /** Folder with the candidate's failure-model.onnx and model-card.json (the training job's model/). */
  readonly candidateDir: string;
  /** The dataset's channel folders: `train` sets the baseline rule, the manifest names the test split. */
  readonly channelsDir: string;
  /** Fleet to evaluate on; default: the dataset's test devices over its test period, from its lake. */
  readonly fleet?: EvaluationFleet;
  /** Folder of the model running now, to compare against on the same fleet. */
  readonly deployedDir?: string;
  readonly settings?: EvaluationSettings;
  readonly gatePolicy?: GatePolicy;
}

export interface CandidateEvaluation {
  readonly evaluation: FleetEvaluation;
  readonly rule: ThresholdRule;
  readonly gate: GateDecision;
  /** The candidate's card, with the evaluation's metrics written into it. */
  readonly card: ModelCard;
  readonly report: string;
}

const CANDIDATE = 'candidate';
const BASELINE = 'threshold rule';
const DEPLOYED = 'deployed';

/**
 * Evaluates a trained candidate on a held-out fleet next to the threshold-rule baseline (and the
 * deployed model, when it can run this feature set), records the figures in the candidate's model card
 * (`test*` and `baseline*` metrics, the data window under `training.evaluation`) and applies the gate.
 */
export async function evaluateCandidate(
  input: CandidateEvaluationInput,
  log: (line: string) => void = () => {},
): Promise<CandidateEvaluation> {
  const settings = input.settings ?? DEFAULT_EVALUATION;
  const candidate = await FailureModelSession.load(join(input.candidateDir, MODEL_FILE), FEATURE_WINDOW);
  const sessions: FailureModelSession[] = [candidate];
  try {
    const train = await readChannel(join(input.channelsDir, 'train'));
    const healthy = train.rows
      .filter((r) => !r.down && labelFor(r, candidate.horizonHours) === 0)
      .map((r) => r.features);
    const rule = fitThresholdRule(healthy);
    log(`baseline rule (99.9th percentile of healthy training windows): ${JSON.stringify(rule)}`);
    const models: Record<string, FailureModel> = {
      [CANDIDATE]: candidate,
      [BASELINE]: thresholdRuleModel(rule, candidate.horizonHours),
    };
    let deployedCardMetrics: Record<string, number> | undefined;
    if (input.deployedDir) {
      try {
        const deployed = await FailureModelSession.load(join(input.deployedDir, MODEL_FILE), FEATURE_WINDOW);
        sessions.push(deployed);
        models[DEPLOYED] = deployed;
      } catch (error) {
        // A deployed model of another feature set cannot be replayed here; its card's figures are all there is.
        log(`deployed model not replayed (${(error as Error).message}); comparing with its card`);
        const raw = JSON.parse(await readFile(join(input.deployedDir, MODEL_CARD_FILE), 'utf8')) as {
          metrics?: unknown;
        };
        const metrics = ModelCard.shape.metrics.safeParse(raw.metrics);
        deployedCardMetrics = metrics.success ? metrics.data : undefined;
      }
    }
    const split = train.manifest.split.test;
    const fleet: EvaluationFleet = input.fleet ?? {
      lakeDir: train.manifest.source.lake,
      deviceIds: split.deviceIds,
      fromMs: split.fromMs,
      toMs: split.toMs,
    };
    const evaluation = await evaluateOnFleet(fleet, models, settings, log);
    const scoreOf = (name: string): AlertScore => evaluation.scores[name]!;
    const candidateMetrics = scoreMetrics('test', scoreOf(CANDIDATE));
    const deployedMetrics = models[DEPLOYED] ? scoreMetrics('test', scoreOf(DEPLOYED)) : deployedCardMetrics;
    const gate = gateCandidate(candidateMetrics, deployedMetrics, input.gatePolicy ?? DEFAULT_GATE_POLICY);

    const cardPath = join(input.candidateDir, MODEL_CARD_FILE);
    const card = ModelCard.parse(JSON.parse(await readFile(cardPath, 'utf8')));
    const updated: ModelCard = ModelCard.parse({
      ...card,
      training: {
        ...card.training,
        evaluation: {
          fleet: fleet.lakeDir,
          devices: evaluation.devices,
          from: new Date(evaluation.fromMs).toISOString(),
          to: new Date(evaluation.toMs).toISOString(),
          readings: evaluation.readings,
          minLeadHours: settings.minLeadHours,
          creditHours: settings.creditHours,
          baselineRule: rule,
          alertPolicy: 'FailurePredictor default configuration',
          gate: { accepted: gate.accepted, reasons: gate.reasons },
        },
      },
      metrics: { ...card.metrics, ...candidateMetrics, ...scoreMetrics('baseline', scoreOf(BASELINE)) },
    });
    await writeFile(cardPath, `${JSON.stringify(updated, null, 2)}\n`);
    const report = formatEvaluation(evaluation, settings.minLeadHours);
    return { evaluation, rule, gate, card: updated, report };
  } finally {
    for (const s of sessions) await s.release();
  }
}
