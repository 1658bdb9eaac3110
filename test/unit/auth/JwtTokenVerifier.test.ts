import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { KeyLike } from 'jose';
import { JwtTokenVerifier, mintDevelopmentToken } from '../../../core/auth';

const SECRET = 'unit-test-secret-unit-test-secret-0123456';

describe('JwtTokenVerifier with an HS256 secret', () => {
  const verifier = new JwtTokenVerifier({ secret: SECRET });

  it('accepts a minted token and reads subject and roles', async () => {
    // given
    const token = await mintDevelopmentToken(SECRET, { subject: 'alice', roles: ['customer', 'auditor'] });
    // when
    const principal = await verifier.verify(token);
    // then
    expect(principal).toEqual({ id: 'alice', roles: ['customer', 'auditor'], clientId: 'alice' });
  });

  it('reads a single role claim and the client from azp', async () => {
    // given
    const token = await new SignJWT({ role: 'support', azp: 'back-office' }).setProtectedHeader({ alg: 'HS256' }).setSubject('sam').setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
    // when
    const principal = await verifier.verify(token);
    // then
    expect(principal).toEqual({ id: 'sam', roles: ['support'], clientId: 'back-office' });
  });

  it('reads the roles from the claim rolesClaim names, as Cognito user pools put groups in cognito:groups', async () => {
    // given a Cognito-shaped access token: groups, client_id, no roles claim
    const cognito = new JwtTokenVerifier({ secret: SECRET }, { rolesClaim: 'cognito:groups' });
    const token = await new SignJWT({ 'cognito:groups': ['admin', 'support'], client_id: 'web-app', roles: ['ignored'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('carol')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    // when
    const principal = await cognito.verify(token);
    // then
    expect(principal).toEqual({ id: 'carol', roles: ['admin', 'support'], clientId: 'web-app' });
  });

  it('refuses a token it accepted before once that token has expired', async () => {
    // given a token valid for 10 s, accepted once (and so remembered)
    const issuedAt = new Date(Date.now() - 1_000);
    const token = await mintDevelopmentToken(SECRET, { subject: 'eve', roles: ['customer'], ttl: 10 }, issuedAt);
    const remembering = new JwtTokenVerifier({ secret: SECRET }, { clockToleranceSeconds: 0 });
    await expect(remembering.verify(token)).resolves.toMatchObject({ id: 'eve' });
    // when it is presented again after its expiry
    jest.useFakeTimers({ now: issuedAt.getTime() + 11_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const again = remembering.verify(token);
      // then it is refused as expired, as on its first use
      await expect(again).rejects.toMatchObject({ code: 'UNAUTHENTICATED', reason: 'expired' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('returns a principal its caller may change without affecting later verifications', async () => {
    // given a remembered token whose first principal a caller altered
    const token = await mintDevelopmentToken(SECRET, { subject: 'carl', roles: ['customer'] });
    const first = await verifier.verify(token);
    first.roles.push('admin');
    // when it is verified again
    const second = await verifier.verify(token);
    // then the roles are the token's own
    expect(second.roles).toEqual(['customer']);
  });

  it.each([
    ['an expired token', async () => mintDevelopmentToken(SECRET, { subject: 'a', roles: [], ttl: 10 }, new Date(Date.now() - 60_000)), 'expired'],
    ['a token signed with another secret', async () => mintDevelopmentToken(`${SECRET}-other`, { subject: 'a', roles: [] }), 'invalid'],
    ['a token that is not a JWT', async () => 'abc.def.ghi', 'malformed'],
    ['a token without subject', async () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET)), 'invalid'],
  ])('refuses %s with UNAUTHENTICATED', async (_case, token, reason) => {
    // given
    const jwt = await token();
    // when
    const verified = verifier.verify(jwt);
    // then
    await expect(verified).rejects.toMatchObject({ code: 'UNAUTHENTICATED', reason });
  });

  it('refuses a secret shorter than 32 bytes', () => {
    // given a short secret
    // when
    const create = (): JwtTokenVerifier => new JwtTokenVerifier({ secret: 'short' });
    // then
    expect(create).toThrow(/at least 32 bytes/);
  });
});

describe('JwtTokenVerifier with a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;
  let privateKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
  });

  it('accepts a token signed by a key of the set, checking issuer and audience', async () => {
    // given
    const verifier = new JwtTokenVerifier({ jwksUrl }, { issuer: 'https://idp.example', audience: 'nexus' });
    const token = await new SignJWT({ roles: ['auditor'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setSubject('audrey')
      .setIssuer('https://idp.example')
      .setAudience('nexus')
      .setExpirationTime('5m')
      .sign(privateKey);
    // when
    const principal = await verifier.verify(token);
    // then
    expect(principal).toEqual({ id: 'audrey', roles: ['auditor'], clientId: 'audrey' });
  });

  it('refuses a token for another audience', async () => {
    // given
    const verifier = new JwtTokenVerifier({ jwksUrl }, { audience: 'nexus' });
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'key-1' }).setSubject('x').setAudience('other').setExpirationTime('5m').sign(privateKey);
    // when
    const verified = verifier.verify(token);
    // then
    await expect(verified).rejects.toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid' });
  });

  it('refuses an HS256 token, whatever its secret', async () => {
    // given a verifier on a JWKS, and a token signed with a shared secret
    const verifier = new JwtTokenVerifier({ jwksUrl });
    const token = await mintDevelopmentToken(SECRET, { subject: 'mallory', roles: ['admin'] });
    // when
    const verified = verifier.verify(token);
    // then
    await expect(verified).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('JwtTokenVerifier token rules', () => {
  const key = new TextEncoder().encode(SECRET);
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);

  /** A signed token with exactly these claims (jose adds nothing). */
  async function tokenWith(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key);
  }

  it.each([
    ['a token without exp', () => ({ sub: 'a', iat: nowSeconds() }), 'missing required "exp"'],
    ['a token living longer than the maximum, by iat', () => ({ sub: 'a', iat: nowSeconds(), exp: nowSeconds() + 86_400 + 60 }), 'lifetime'],
    ['a token living longer than the maximum, without iat', () => ({ sub: 'a', exp: nowSeconds() + 86_400 + 60 }), 'lifetime'],
    ['a token that never really expires', () => ({ sub: 'a', iat: nowSeconds(), exp: 1e308 }), 'lifetime'],
    ['a token issued in the future', () => ({ sub: 'a', iat: nowSeconds() + 600, exp: nowSeconds() + 1200 }), 'issued in the future'],
    ['a token not valid before a future time', () => ({ sub: 'a', nbf: nowSeconds() + 600, exp: nowSeconds() + 1200 }), '"nbf"'],
  ])('refuses %s with UNAUTHENTICATED, saying why', async (_case, claims, why) => {
    // given the default maximum lifetime (24 h) and clock tolerance (5 s)
    const verifier = new JwtTokenVerifier({ secret: SECRET });
    const token = await tokenWith(claims());
    // when
    const verified = verifier.verify(token);
    // then
    await expect(verified).rejects.toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid', message: expect.stringContaining(why) });
  });

  it('accepts iat and nbf a little ahead, within the clock tolerance', async () => {
    // given a token from an issuer whose clock runs 3 s ahead
    const verifier = new JwtTokenVerifier({ secret: SECRET }, { clockToleranceSeconds: 5 });
    const token = await tokenWith({ sub: 'a', iat: nowSeconds() + 3, nbf: nowSeconds() + 3, exp: nowSeconds() + 603 });
    // when
    const principal = await verifier.verify(token);
    // then
    expect(principal.id).toBe('a');
  });

  it('accepts a lifetime of exactly the configured maximum and refuses one second more', async () => {
    // given a maximum of one hour
    const verifier = new JwtTokenVerifier({ secret: SECRET }, { maxLifetimeSeconds: 3600 });
    const iat = nowSeconds();
    // when
    const atMaximum = verifier.verify(await tokenWith({ sub: 'a', iat, exp: iat + 3600 }));
    const overMaximum = verifier.verify(await tokenWith({ sub: 'b', iat, exp: iat + 3601 }));
    // then
    await expect(atMaximum).resolves.toMatchObject({ id: 'a' });
    await expect(overMaximum).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringContaining('3600 s') });
  });

  it.each([
    ['sub', { sub: '\ud800' }],
    ['roles[1]', { sub: 'a', roles: ['customer', 'x\udfff'] }],
    ['azp', { sub: 'a', azp: '\udbff' }],
  ])('refuses a token whose claim %s holds a lone surrogate as malformed', async (claim, claims) => {
    // given
    const verifier = new JwtTokenVerifier({ secret: SECRET });
    const token = await tokenWith({ ...claims, exp: nowSeconds() + 60 });
    // when
    const verified = verifier.verify(token);
    // then
    await expect(verified).rejects.toMatchObject({ code: 'UNAUTHENTICATED', reason: 'malformed', message: expect.stringContaining(claim) });
  });

  it('adds the configured hint to the refusal of a token signed with another secret', async () => {
    // given a verifier on the data dir's secret, and a token minted with another one
    const hint = "the server's secret lives in /data/jwt-secret; a token minted for another data dir will not verify";
    const verifier = new JwtTokenVerifier({ secret: SECRET }, { signatureHint: hint });
    const token = await mintDevelopmentToken(`${SECRET}-other`, { subject: 'a', roles: [] });
    // when
    const verified = verifier.verify(token);
    // then
    await expect(verified).rejects.toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid', message: expect.stringContaining(hint) });
  });

  it('gives no signature hint for other refusals', async () => {
    // given
    const verifier = new JwtTokenVerifier({ secret: SECRET }, { signatureHint: 'HINT' });
    const token = await mintDevelopmentToken(SECRET, { subject: 'a', roles: [], ttl: 10 }, new Date(Date.now() - 60_000));
    // when
    const verified = verifier.verify(token);
    // then
    await expect(verified).rejects.toMatchObject({ reason: 'expired', message: expect.not.stringContaining('HINT') });
  });
});

describe('mintDevelopmentToken', () => {
  it.each([0, -5, '0h', '-1m', 1.5, 'soon'])('refuses the ttl %p with INVALID_TOKEN_LIFETIME, saying what a ttl must be', async (ttl) => {
    // given
    const claims = { subject: 'a', roles: ['customer'], ttl };
    // when
    const minting = mintDevelopmentToken(SECRET, claims);
    // then
    await expect(minting).rejects.toMatchObject({ code: 'INVALID_TOKEN_LIFETIME', message: expect.stringContaining('positive lifetime') });
  });

  it.each([
    ['90s', 90],
    ['15m', 900],
    ['3600', 3600],
    [7200, 7200],
  ])('mints a ttl of %p as exp = iat + %i', async (ttl, seconds) => {
    // given
    const now = new Date();
    // when
    const token = await mintDevelopmentToken(SECRET, { subject: 'a', roles: [], ttl }, now);
    // then
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).toBe(seconds);
  });
});
