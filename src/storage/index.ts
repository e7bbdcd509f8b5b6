export { createDestination, openDestination, type DestinationSpec } from './registry.ts';
export { destinationSettings, DESTINATION_TYPES, isDestinationType, validateSettings, publicSettings, type DestinationType } from './settings.ts';
export { testDestination, type ProbeResult, type ProbeStep } from './test-destination.ts';
export { RetryingDestination, withRetries, DEFAULT_RETRY, type RetryPolicy } from './wrappers/retry.ts';
export { VerifyingDestination } from './wrappers/verify.ts';
export { ObservedDestination, type DestinationFailureObserver } from './wrappers/observe.ts';
export { destError, classify } from './errors.ts';
export { isPartialName, isPartialOf } from './partial-name.ts';
