export { PersonTokens, looksLikeJwt } from './person-token.js';
export type { Person, SigningSecretSource, VerifiedPerson, VerifyPersonToken } from './person-token.js';
export {
  allEmail,
  devUnsubscribeKey,
  signUnsubscribe,
  unsubscribeKeyOf,
  unsubscribeUrl,
  verifyUnsubscribe,
} from './unsubscribe.js';
export type { UnsubscribeLink } from './unsubscribe.js';
