export { ERROR_CODES, isErrorCode, type ErrorCode, type ErrorCodeInfo } from './codes.ts';
export { AgentError, isAgentError, toAgentError, type AgentErrorOptions } from './agent-error.ts';
