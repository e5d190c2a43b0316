/**
 * What the LLM drafter does after each answer, as a pure decision: send again (with the article
 * halved, a repair turn, or a larger answer cap), give up with the failure, or keep a story.
 * Each kind of second chance is given at most once, so a draft makes at most a few requests and
 * never loops.
 */
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Failure } from '../core/failure.ts';
import { repairRequest, type CheckedStory } from './story.ts';

/** The ceiling for the answer cap when a cut-off answer is asked for again with a doubled one. */
export const MAX_OUTPUT_TOKENS_CEILING = 32_000;

/** What the drafter has spent of its second chances, and the answer cap of its next request. */
export interface AttemptState {
  /** The article was halved once for a context too small: it is not halved again. */
  halved: boolean;
  /** The one repair attempt (a repair turn, a larger cap, or the question asked again) was made. */
  repaired: boolean;
  /** A valid story whose checks failed, kept while its repair is asked for: it wins over a repair that breaks the schema. */
  beforeRepair: CheckedStory | null;
  /** max_tokens of the next request. */
  maxTokens: number;
}

/** What one request came back with, as the decision needs it. */
export type AttemptAnswer =
  /** No usable answer: the request failed, or the server cut the prompt silently. */
  | { type: 'unanswered'; failure: Failure }
  /** An answer, but cut off, refused, or not a valid draft (llm.truncated, llm.refused, llm.invalid_output). */
  | { type: 'rejected'; failure: Failure }
  /** A valid draft, checked against the article (`story.failures` lists what the checks found); `content` is the model's text. */
  | { type: 'story'; story: CheckedStory; content: string };

export type NextAttempt =
  /** Render the article at half the tokens it had and send that, with no repair turn. */
  | { action: 'halve'; state: AttemptState }
  /** Send the rendered prompt again, followed by `turn` (empty: asked again as is), with `state.maxTokens`. */
  | { action: 'send'; state: AttemptState; turn: ChatCompletionMessageParam[] }
  | { action: 'fail'; failure: Failure }
  /** Keep this story (its remaining check failures flag it for an editor). */
  | { action: 'done'; story: CheckedStory };

export const firstAttempt = (maxTokens: number): AttemptState => ({ halved: false, repaired: false, beforeRepair: null, maxTokens });

/** The decision after one answer. */
export function nextAttempt(state: AttemptState, answer: AttemptAnswer): NextAttempt {
  if (answer.type === 'unanswered') {
    const { kind } = answer.failure;
    // The context is too small for this article, said or shown by a cut: halve what was sent, once, never loop.
    if ((kind === 'llm.context_length' || kind === 'llm.input_truncated_by_server') && !state.halved) {
      return { action: 'halve', state: { ...state, halved: true } };
    }
    return { action: 'fail', failure: answer.failure };
  }
  if (answer.type === 'story') {
    const { story } = answer;
    if (story.failures.length === 0 || state.repaired) return { action: 'done', story };
    return {
      action: 'send',
      state: { ...state, repaired: true, beforeRepair: story },
      turn: [
        { role: 'assistant', content: answer.content },
        { role: 'user', content: repairRequest(story.failures) },
      ],
    };
  }
  // A repair answer that breaks the schema loses to the valid, marked answer before it.
  if (state.beforeRepair) return { action: 'done', story: state.beforeRepair };
  if (state.repaired) return { action: 'fail', failure: answer.failure };
  // Exactly one repair attempt, whatever went wrong.
  const repaired = { ...state, repaired: true };
  const { kind, message, raw } = answer.failure;
  if (kind === 'llm.truncated') return { action: 'send', state: { ...repaired, maxTokens: Math.min(MAX_OUTPUT_TOKENS_CEILING, state.maxTokens * 2) }, turn: [] };
  if (kind === 'llm.invalid_output') {
    return {
      action: 'send',
      state: repaired,
      turn: [
        { role: 'assistant', content: raw ?? '' },
        { role: 'user', content: `That answer was rejected because ${message}\nReply with the corrected JSON object only, following the schema and the rules above.` },
      ],
    };
  }
  // llm.refused: asked once more as is; a second refusal is final.
  return { action: 'send', state: repaired, turn: [] };
}
