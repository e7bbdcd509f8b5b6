// Answers as the text that goes on the wire. A handler that gives many callers the very same
// answer (agent.status, polled by every panel) can mark it as a frozen result: it is then checked
// for secrets and serialized once, not on every call.
import { needsRedaction, redact } from '../core/index.ts';
import type { RpcResponse } from './envelope.ts';

interface Memo {
  /** The result as it may leave the daemon: itself, or its redacted (and equally frozen) copy. */
  safe: object;
  json?: string;
}

const memos = new WeakMap<object, Memo>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Freezes `value` deeply and marks it as a result that never changes; returns it. */
export function frozenResult<T extends object>(value: T): T {
  deepFreeze(value);
  if (!memos.has(value)) {
    const safe = needsRedaction(value) ? deepFreeze(redact(value)) : value;
    memos.set(value, { safe });
    if (safe !== value) memos.set(safe, { safe });
  }
  return value;
}

/**
 * Freezes `value` deeply and marks it as a result built from code alone (no caller input, state
 * or configuration), sent exactly as it is: rpc.discover's document, where keys such as `session`
 * or `passwordHash` are schema names, not secrets, and must reach the reader whole.
 */
export function codeBuiltResult<T extends object>(value: T): T {
  deepFreeze(value);
  memos.set(value, { safe: value });
  return value;
}

/** A handler's result as it may leave the daemon: secrets redacted (once, for a frozen result). */
export function safeResult(result: unknown): unknown {
  if (result !== null && typeof result === 'object') {
    const memo = memos.get(result);
    if (memo) return memo.safe;
  }
  return needsRedaction(result) ? redact(result) : result;
}

/** JSON.stringify(answer), reusing the serialization of a frozen result. */
export function answerJson(answer: RpcResponse | RpcResponse[]): string {
  if (!Array.isArray(answer) && 'result' in answer && answer.result !== null && typeof answer.result === 'object') {
    const memo = memos.get(answer.result);
    // Success answers are built as { jsonrpc, id, result }, in that order, by the dispatcher and the library alike.
    if (memo) return `{"jsonrpc":"2.0","id":${JSON.stringify(answer.id)},"result":${(memo.json ??= JSON.stringify(answer.result))}}`;
  }
  return JSON.stringify(answer);
}
