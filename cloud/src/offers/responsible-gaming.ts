import { EpochMillis, PlayerToken } from '@croupier/contracts';
import { z } from 'zod';

/**
 * An entry of the responsible-gaming list. Self-exclusion is indefinite unless it names an end;
 * a cool-off always ends. Listed players never receive an offer while the entry is in force.
 */
export const ResponsibleGamingEntry = z
  .object({
    playerToken: PlayerToken,
    kind: z.enum(['self_excluded', 'cool_off']),
    since: EpochMillis,
    until: EpochMillis.optional(),
    note: z.string().max(512).optional(),
    updatedBy: z.string().min(1).max(128),
    updatedAt: EpochMillis,
  })
  .refine((entry) => entry.kind === 'self_excluded' || entry.until !== undefined, {
    message: 'a cool-off needs an end (until)',
    path: ['until'],
  })
  .refine((entry) => entry.until === undefined || entry.until > entry.since, {
    message: 'until must be after since',
    path: ['until'],
  });
export type ResponsibleGamingEntry = z.infer<typeof ResponsibleGamingEntry>;

/**
 * What the offer engine knows of a player's responsible-gaming status. `unknown` (the list could
 * not be read) is treated exactly like listed: the guardrail fails closed.
 */
export type ResponsibleGamingStatus =
  | { readonly kind: 'clear' }
  | { readonly kind: 'listed'; readonly entry: Pick<ResponsibleGamingEntry, 'kind' | 'until'> }
  | { readonly kind: 'unknown'; readonly why: string };

/**
 * Whether an entry is in force at `now`: until it ends. Its start is not consulted, so an entry
 * blocks from the moment it is stored, even for decisions about play that happened just before.
 */
export function inForce(entry: Pick<ResponsibleGamingEntry, 'until'>, now: number): boolean {
  return entry.until === undefined || now < entry.until;
}

/** The status an entry (or its absence) gives at `now`. */
export function statusOf(entry: ResponsibleGamingEntry | undefined, now: number): ResponsibleGamingStatus {
  return entry && inForce(entry, now) ? { kind: 'listed', entry } : { kind: 'clear' };
}
