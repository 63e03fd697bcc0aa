export { PersonTokens, looksLikeJwt } from './person-token.js';
export type { Person, SigningSecretSource, VerifiedPerson, VerifyPersonToken } from './person-token.js';
