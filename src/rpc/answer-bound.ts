// The per-message answer bound. A batch's answer line is built element by element, each
// serialized on its own, so no batch ever builds one giant string: an element that would carry
// the line past the bound is replaced by a short error answer for its id.
import { AgentError } from '../errors/index.ts';
import { answerJson } from './answer-json.ts';
import { errorResponse, type RequestId, type RpcResponse } from './envelope.ts';

/** Whether `text` takes at most `budget` UTF-8 bytes; counted only when it could matter (a UTF-16 unit is at most 3 bytes). */
function fits(text: string, budget: number): boolean {
  return text.length * 3 <= budget || (text.length <= budget && Buffer.byteLength(text) <= budget);
}

/** The serialization of one answer, or null when it cannot be built (V8's string length limit). */
function serialize(answer: RpcResponse): string | null {
  try {
    return answerJson(answer);
  } catch (err) {
    if (err instanceof RangeError) return null;
    throw err;
  }
}

function tooLarge(id: RequestId, limit: number): string {
  const e = new AgentError('AGENT_E_ANSWER_TOO_LARGE', `the answer exceeds rpc.maxAnswerBytes (${limit} bytes)`, { data: { limit } });
  return JSON.stringify(errorResponse(id, e.rpcCode, e.message, e.toData()));
}

/**
 * The answer as one line: a single answer of at most `maxBytes` UTF-8 bytes (else its error), or
 * a batch whose answers fill at most `maxBytes`, each one that does not fit replaced by a short
 * error answer for its id (those are always sent: a batch is bounded in length, so are they).
 */
export function boundedAnswerJson(answer: RpcResponse | RpcResponse[], maxBytes: number): string {
  if (!Array.isArray(answer)) {
    const text = serialize(answer);
    return text !== null && fits(text, maxBytes) ? text : tooLarge(answer.id, maxBytes);
  }
  const parts: string[] = [];
  let used = 2; // the brackets
  for (const element of answer) {
    const budget = maxBytes - used - (parts.length ? 1 : 0);
    // Once the bound is reached nothing more is serialized, only answered with its error.
    const text = budget > 0 ? serialize(element) : null;
    if (text !== null && fits(text, budget)) {
      used += Buffer.byteLength(text) + (parts.length ? 1 : 0);
      parts.push(text);
    } else {
      parts.push(tooLarge(element.id, maxBytes));
    }
  }
  return `[${parts.join(',')}]`;
}
