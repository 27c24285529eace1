// Prints a JWKS (one RSA 2048 key, made here) and, on the next line, a token for `ada`
// signed with it: the identity issuer of bench/tokens-http.sh.
import { generateKeyPairSync, sign } from 'node:crypto';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' };
const b64 = (data) => Buffer.from(data).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const message = `${b64(JSON.stringify({ alg: 'RS256', kid: 'k1' }))}.${b64(JSON.stringify({
  iss: 'https://idp.bench/', aud: 'bench', sub: 'ada', iat: now - 5, exp: now + 3600,
}))}`;
console.log(JSON.stringify({ keys: [jwk] }));
console.log(`${message}.${b64(sign('RSA-SHA256', Buffer.from(message), privateKey))}`);
