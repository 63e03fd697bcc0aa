export { PersonTokens, looksLikeJwt, parsePublicJwk } from './person-token.js';
export type {
  AccountKeySource,
  AccountKeys,
  Person,
  PublicAlgorithm,
  VerifiedPerson,
  VerifyPersonToken,
} from './person-token.js';
export {
  allEmail,
  devUnsubscribeKey,
  signUnsubscribe,
  unsubscribeKeyOf,
  unsubscribeUrl,
  verifyUnsubscribe,
} from './unsubscribe.js';
export type { UnsubscribeLink } from './unsubscribe.js';
