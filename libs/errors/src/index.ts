export {
  HeraldError,
  InvalidArgumentError,
  NotFoundError,
  UnauthenticatedError,
  FailedPreconditionError,
  UnavailableError,
  isHeraldError,
} from './errors.js';
export type { ErrorCode } from './errors.js';
export { boundedString, fieldOfPath, parseInput, preview } from './input.js';
export { classify, isTransient } from './transient.js';
