import type { Logger } from 'pino';
import type { Static } from '@sinclair/typebox';
import type { ActorSchema } from '../protocol/index.ts';

export type SocketKind = 'admin' | 'panel';
export type Actor = Static<typeof ActorSchema>;

/** What a handler knows about the call beyond its params. */
export interface CallContext {
  readonly socket: SocketKind;
  readonly requestId: string;
  readonly log: Logger;
  /** The connection the call came on, for event subscriptions. */
  readonly connection: {
    readonly id: number;
    push(method: string, params: unknown): void;
    onClose(fn: () => void): void;
    /** Keeps the connection from being closed as idle until the returned release is called. */
    holdOpen(): () => void;
  };
}
