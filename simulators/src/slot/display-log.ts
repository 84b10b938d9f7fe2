import { DisplayMessage } from '@croupier/contracts';

/** One message received on a machine's display topic, with when it arrived. */
export interface DisplayRecord {
  readonly machineId: string;
  /** Wall-clock arrival, ms epoch. */
  readonly receivedAtMs: number;
  /** Arrival on the simulated clock, ms epoch: comparable with the events' eventTime. */
  readonly simulatedAtMs: number;
  /** The parsed message when it is a valid DisplayMessage for this machine. */
  readonly message?: DisplayMessage;
  /** Why it was refused otherwise; the raw payload is kept beside it (never more than 4 KB). */
  readonly rejected?: string;
  readonly raw?: string;
}

const MAX_RAW_CHARS = 4_096;

/**
 * Parses what arrived on `smib/{machineId}/display`. A message is refused, with the reason kept, when
 * it is not JSON, does not follow the contract, or is addressed to another machine.
 */
export function recordDisplay(
  machineId: string,
  payload: ArrayBuffer | Uint8Array,
  receivedAtMs: number,
  simulatedAtMs: number,
): DisplayRecord {
  const text = Buffer.from(payload instanceof Uint8Array ? payload : new Uint8Array(payload)).toString('utf8');
  const base = { machineId, receivedAtMs, simulatedAtMs };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ...base, rejected: 'payload is not JSON', raw: text.slice(0, MAX_RAW_CHARS) };
  }
  const parsed = DisplayMessage.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ...base, rejected: `not a DisplayMessage: ${reason}`, raw: text.slice(0, MAX_RAW_CHARS) };
  }
  if (parsed.data.machineId !== machineId) {
    return { ...base, rejected: `addressed to ${parsed.data.machineId}`, raw: text.slice(0, MAX_RAW_CHARS) };
  }
  return { ...base, message: parsed.data };
}
