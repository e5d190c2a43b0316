import type { Failure } from '../core/failure.ts';

const DAY_MS = 24 * 3600_000;

/** The start (ms epoch) of the UTC day holding `ms`: the day llm.maxTokensPerDay counts in. */
export const utcDayStart = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;

/** The caps of llm.maxTokensPerRun and llm.maxTokensPerDay; unset caps never refuse. */
export interface TokenCaps {
  maxTokensPerRun?: number;
  maxTokensPerDay?: number;
}

/**
 * The token budget of one run (or redraft). Each LLM request reserves its estimate before it is
 * sent and is refused when the tokens spent, the reservations of requests in flight and its own
 * estimate would pass a cap; when it comes back, its reservation is replaced by what the server
 * says it used. So a run overshoots a cap only by how far the server's count exceeds our estimate.
 */
export interface TokenBudget {
  /** Tokens the day's earlier runs spent (from their stored drafts); set once the run holds its lease. */
  begin(spentEarlierToday: number): void;
  /** Reserves `estimatedTokens` for a request about to be sent, or says why it must wait. */
  reserve(estimatedTokens: number): Failure | null;
  /** A reserved request came back having used `usedTokens` (0 when it failed before an answer). */
  settle(estimatedTokens: number, usedTokens: number): void;
  /**
   * Why no request of at least `minTokens()` fits any more (the item waits without fetching); null
   * while one may. `minTokens` is called only when a cap is set: counting may load the tokenizer.
   */
  exhausted(minTokens: () => number): Failure | null;
  /** Tokens this run's answered requests used. */
  readonly spent: number;
  /** Tokens spent in the current UTC day: the earlier runs' drafts and this run. */
  readonly spentToday: number;
  readonly caps: Readonly<TokenCaps>;
}

export function createTokenBudget(caps: TokenCaps, clock: () => number): TokenBudget {
  let earlier = 0;
  let spent = 0;
  let reserved = 0;

  const refusal = (tokens: number): Failure | null => {
    const day = caps.maxTokensPerDay;
    // The day's cap first: when both are reached, the item must wait for the later of the two.
    if (day !== undefined && earlier + spent + reserved + tokens > day) {
      const now = clock();
      const tomorrow = utcDayStart(now) + DAY_MS;
      return {
        kind: 'llm.budget',
        message:
          `llm.maxTokensPerDay (${day}) reached: ${earlier + spent} tokens spent today (UTC)${reserved ? `, ${reserved} in flight` : ''}, ` +
          `and a request needs about ${tokens}${tokens > day ? ' (more than the whole cap: raise it, or lower llm.maxInputTokens)' : ''}; ` +
          `the item waits until ${new Date(tomorrow).toISOString()} (no attempt spent)`,
        retryAfterMs: tomorrow - now,
      };
    }
    const run = caps.maxTokensPerRun;
    if (run !== undefined && spent + reserved + tokens > run) {
      return {
        kind: 'llm.budget',
        message:
          `llm.maxTokensPerRun (${run}) reached: this run spent ${spent} tokens${reserved ? `, ${reserved} in flight` : ''}, ` +
          `and a request needs about ${tokens}${tokens > run ? ' (more than the whole cap: raise it, or lower llm.maxInputTokens)' : ''}; ` +
          'the item waits for the next run (no attempt spent)',
        retryAfterMs: 0,
      };
    }
    return null;
  };

  return {
    begin(spentEarlierToday) {
      earlier = spentEarlierToday;
    },
    reserve(estimatedTokens) {
      const refused = refusal(estimatedTokens);
      if (!refused) reserved += estimatedTokens;
      return refused;
    },
    settle(estimatedTokens, usedTokens) {
      reserved -= estimatedTokens;
      spent += usedTokens;
    },
    exhausted: (minTokens) =>
      caps.maxTokensPerRun === undefined && caps.maxTokensPerDay === undefined ? null : refusal(Math.max(1, minTokens())),
    get spent() {
      return spent;
    },
    get spentToday() {
      return earlier + spent;
    },
    caps,
  };
}
