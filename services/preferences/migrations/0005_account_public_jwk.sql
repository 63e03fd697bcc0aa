-- Up Migration

-- The CRM's public key (a JWK, as JSON): verifies the tokens its private key signs (RS256, PS256, ES256, EdDSA).
ALTER TABLE accounts ADD COLUMN public_jwk text;

-- Down Migration

ALTER TABLE accounts DROP COLUMN public_jwk;
