export { defineMethod, type MethodDescriptor, type MethodExample, type Scope, type ParamsOf, type ResultOf } from './method.ts';
export { METHODS, METHOD_BY_NAME } from './registry.ts';
export { buildOpenRpcDocument } from './openrpc.ts';
export { ActorSchema, OptionalActor, EmptyParams, NAME_PATTERN, Timestamp } from './common.ts';
