// Clerk's official Node backend SDK (@clerk/backend, pinned in package.json and package-lock.json)
// against the clerk-claims dev issuer, unmodified: users, organizations, memberships, sessions,
// session and template tokens, JWT templates, and verifyToken / authenticateRequest on the issuer's
// tokens with its JWKS and with a networkless PEM key.
//
// Run by tests/tests/node_sdk.rs, which starts the issuer and sets CLERK_API_URL,
// CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, CLERK_JWT_KEY and CLERK_ISSUER.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClerkClient, verifyToken } from '@clerk/backend';

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this through \`cargo test --test node_sdk\``);
  return value;
};
const apiUrl = env('CLERK_API_URL');
const secretKey = env('CLERK_SECRET_KEY');
const publishableKey = env('CLERK_PUBLISHABLE_KEY');
const jwtKey = env('CLERK_JWT_KEY');
const issuer = env('CLERK_ISSUER');

const clerk = createClerkClient({ apiUrl, secretKey, publishableKey });

const decode = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

test('users: create, get, list with a total count, update metadata', async () => {
  const user = await clerk.users.createUser({
    emailAddress: ['ada@example.com'],
    firstName: 'Ada',
    lastName: 'Lovelace',
    publicMetadata: { role: 'admin' },
  });
  assert.match(user.id, /^user_/);
  assert.equal(user.firstName, 'Ada');
  assert.equal(user.primaryEmailAddress?.emailAddress, 'ada@example.com');
  assert.deepEqual(user.publicMetadata, { role: 'admin' });

  const again = await clerk.users.getUser(user.id);
  assert.equal(again.id, user.id);
  assert.equal(again.fullName, 'Ada Lovelace');

  await clerk.users.createUser({ emailAddress: ['grace@example.com'], firstName: 'Grace' });
  const list = await clerk.users.getUserList({ emailAddress: ['ada@example.com'] });
  assert.equal(list.totalCount, 1);
  assert.equal(list.data[0].id, user.id);
  const page = await clerk.users.getUserList({ limit: 1, orderBy: '+created_at' });
  assert.equal(page.data.length, 1);
  assert.ok(page.totalCount >= 2);
  assert.ok((await clerk.users.getCount()) >= 2);

  const updated = await clerk.users.updateUserMetadata(user.id, { publicMetadata: { plan: 'pro' } });
  assert.deepEqual(updated.publicMetadata, { role: 'admin', plan: 'pro' });

  await assert.rejects(clerk.users.getUser('user_missing'), (error) => {
    assert.equal(error.status, 404);
    assert.equal(error.errors[0].code, 'resource_not_found');
    return true;
  });
});

test('organizations and memberships: create, get, list', async () => {
  const owner = await clerk.users.createUser({ emailAddress: ['owner@example.com'], firstName: 'Owner' });
  const member = await clerk.users.createUser({ emailAddress: ['member@example.com'], firstName: 'Member' });
  const org = await clerk.organizations.createOrganization({
    name: 'Analytical Engines',
    createdBy: owner.id,
    publicMetadata: { plan: 'pro' },
  });
  assert.match(org.id, /^org_/);
  assert.equal(org.slug, 'analytical-engines');
  assert.deepEqual(org.publicMetadata, { plan: 'pro' });
  assert.equal((await clerk.organizations.getOrganization({ organizationId: org.id })).name, org.name);
  assert.equal((await clerk.organizations.getOrganization({ slug: org.slug })).id, org.id);

  const membership = await clerk.organizations.createOrganizationMembership({
    organizationId: org.id,
    userId: member.id,
    role: 'org:member',
  });
  assert.equal(membership.role, 'org:member');
  assert.equal(membership.organization.id, org.id);
  assert.equal(membership.publicUserData?.userId, member.id);

  const memberships = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
  assert.equal(memberships.totalCount, 2, 'the creator is the first admin');
  assert.deepEqual(memberships.data.map((m) => m.role).sort(), ['org:admin', 'org:member']);

  const orgs = await clerk.organizations.getOrganizationList({ userId: [member.id] });
  assert.equal(orgs.totalCount, 1);
  assert.equal(orgs.data[0].id, org.id);
});

test('sessions and tokens: create, list, get, token, template token, revoke', async () => {
  const user = await clerk.users.createUser({ emailAddress: ['sessions@example.com'], firstName: 'Sam' });
  const org = await clerk.organizations.createOrganization({ name: 'Tokens Inc', createdBy: user.id });
  await clerk.jwtTemplates.create({
    name: 'node-sdk',
    claims: { aud: 'node', email: '{{user.primary_email_address}}', role: "{{user.public_metadata.role || 'member'}}" },
    lifetime: 120,
  });
  const session = await clerk.sessions.createSession({ userId: user.id, activeOrganizationId: org.id });
  assert.match(session.id, /^sess_/);
  assert.equal(session.status, 'active');
  assert.equal(session.lastActiveOrganizationId, org.id);

  const list = await clerk.sessions.getSessionList({ userId: user.id });
  assert.equal(list.totalCount, 1);
  assert.equal(list.data[0].id, session.id);
  assert.equal((await clerk.sessions.getSession(session.id)).userId, user.id);

  const token = await clerk.sessions.getToken(session.id);
  assert.equal(token.jwt.split('.').length, 3);
  const claims = decode(token.jwt);
  assert.equal(claims.sub, user.id);
  assert.equal(claims.sid, session.id);
  assert.equal(claims.iss, issuer);
  assert.equal(claims.o.id, org.id);

  const templateToken = await clerk.sessions.getToken(session.id, 'node-sdk');
  const templateClaims = decode(templateToken.jwt);
  assert.equal(templateClaims.aud, 'node');
  assert.equal(templateClaims.email, 'sessions@example.com');
  assert.equal(templateClaims.role, 'member');
  assert.equal(templateClaims.exp - templateClaims.iat, 120);

  const long = await clerk.sessions.getToken(session.id, undefined, 600);
  assert.equal(decode(long.jwt).exp - decode(long.jwt).iat, 600);

  const revoked = await clerk.sessions.revokeSession(session.id);
  assert.equal(revoked.status, 'revoked');
  assert.equal((await clerk.sessions.getSessionList({ userId: user.id, status: 'revoked' })).totalCount, 1);
  await assert.rejects(clerk.sessions.getToken(session.id), (error) => error.status === 404);
});

test('JWT templates: create, list, get, update, delete', async () => {
  const created = await clerk.jwtTemplates.create({ name: 'crud', claims: { aud: 'crud' }, lifetime: 60 });
  assert.match(created.id, /^jtmp_/);
  assert.equal(created.name, 'crud');
  const list = await clerk.jwtTemplates.list();
  assert.ok(list.totalCount >= 1);
  assert.ok(list.data.some((t) => t.id === created.id));
  assert.deepEqual((await clerk.jwtTemplates.get(created.id)).claims, { aud: 'crud' });
  const updated = await clerk.jwtTemplates.update({ templateId: created.id, name: 'crud', claims: { aud: 'crud2' }, lifetime: 300 });
  assert.equal(updated.lifetime, 300);
  assert.deepEqual(updated.claims, { aud: 'crud2' });
  await clerk.jwtTemplates.delete(created.id);
  await assert.rejects(clerk.jwtTemplates.get(created.id), (error) => error.status === 404);
});

test('verifyToken and authenticateRequest accept the issuer tokens, with its JWKS and with a PEM', async () => {
  const user = await clerk.users.createUser({ emailAddress: ['verify@example.com'] });
  const session = await clerk.sessions.createSession({ userId: user.id });
  const { jwt } = await clerk.sessions.getToken(session.id);

  // The instance key set from the Backend API (`GET /v1/jwks` with the secret key).
  const viaJwks = await verifyToken(jwt, { secretKey, apiUrl });
  assert.equal(viaJwks.sub, user.id);
  // Networkless: the PEM public key, as CLERK_JWT_KEY holds it.
  const viaPem = await verifyToken(jwt, { jwtKey });
  assert.equal(viaPem.sid, session.id);

  await clerk.jwtTemplates.create({ name: 'verify', claims: { aud: 'api' }, lifetime: 60 });
  const template = await clerk.sessions.getToken(session.id, 'verify');
  assert.equal((await verifyToken(template.jwt, { jwtKey, audience: 'api' })).aud, 'api');

  await assert.rejects(verifyToken(jwt.slice(0, -4) + 'AAAA', { jwtKey }));

  for (const options of [{ secretKey, apiUrl, publishableKey }, { jwtKey, secretKey, apiUrl, publishableKey }]) {
    const request = new Request('http://localhost:3000/api/me', { headers: { authorization: `Bearer ${jwt}` } });
    const state = await clerk.authenticateRequest(request, options);
    assert.equal(state.isSignedIn, true, `${state.reason}: ${state.message}`);
    const auth = state.toAuth();
    assert.equal(auth.userId, user.id);
    assert.equal(auth.sessionId, session.id);
  }
  const signedOut = await clerk.authenticateRequest(new Request('http://localhost:3000/api/me'), { jwtKey, publishableKey, secretKey, apiUrl });
  assert.equal(signedOut.isSignedIn, false);
});
