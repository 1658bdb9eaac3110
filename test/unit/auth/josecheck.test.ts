import { SignJWT, jwtVerify } from 'jose';
test('jose works', async () => {
  const key = new TextEncoder().encode('x'.repeat(32));
  const jwt = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('a').setExpirationTime('1h').sign(key);
  const { payload } = await jwtVerify(jwt, key);
  expect(payload.sub).toBe('a');
});
