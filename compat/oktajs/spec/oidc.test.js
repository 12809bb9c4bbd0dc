'use strict';
// @okta/okta-auth-js 8.0.1, unchanged, finishing a sign-in with OpenID
// Connect: an app with its own sign-in page signs the user in through the
// Authn API (password + SMS), then trades the sessionToken for tokens at
// /oauth2/default/v1/authorize, as token.getWithRedirect({ sessionToken })
// and token.getWithoutPrompt({ sessionToken }) do in a browser.
//
// What Node can drive: auth-js builds the authorize request itself
// (prepareTokenParams: PKCE S256, state, nonce; getOAuthUrls and
// buildAuthorizeParams, as getWithRedirect does), the test follows the
// redirects a browser would follow (fetch, redirect: 'manual'), and
// auth-js exchanges the code and verifies the ID token (signature from the
// JWKS with WebCrypto, iss, aud, nonce), reads userinfo, refreshes and
// revokes. What it cannot: getWithRedirect's window.location and
// getWithoutPrompt's hidden iframe with response_mode=okta_post_message
// (no DOM in Node; smsmfa answers in the query or fragment, not with
// okta_post_message).

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { OktaAuth, buildAuthorizeParams, getOAuthUrls } = require('@okta/okta-auth-js');
const h = require('../lib/harness');
const f = require('../lib/flows');

const track = f.tracker();
after(async () => { await h.stopAll({ printLogs: track.failed() }); });

const redirectUri = 'http://localhost:8080/login/callback';

// signedIn signs a new user in with the Authn API through SMS enrollment
// and returns the SUCCESS sessionToken.
async function sessionToken(srv) {
  const user = await srv.createUser('oidc');
  const { auth } = srv.auth();
  const phone = h.phoneNumber();
  const tx = await auth.signInWithCredentials(user);
  assert.equal(tx.status, 'MFA_ENROLL');
  const mark = await srv.mark();
  const act = await f.smsFactorOf(tx).enroll({ profile: { phoneNumber: phone, updatePhone: true } });
  const { code } = await srv.waitSMS(phone, mark);
  const done = await act.activate({ passCode: code });
  f.assertSuccess(done);
  return { token: done.sessionToken, user: done.user };
}

// authorize sends the authorize request auth-js builds and follows the
// redirects on the server, as a browser would; it returns the URL the
// browser lands on at the app.
async function authorize(srv, auth, options) {
  const params = await auth.token.prepareTokenParams(options);
  const url = getOAuthUrls(auth).authorizeUrl + buildAuthorizeParams(params);
  let next = url;
  let cookie = '';
  for (let i = 0; i < 5; i++) {
    const res = await fetch(next, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    await res.arrayBuffer();
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    const loc = res.headers.get('location');
    assert.ok(res.status === 302 || res.status === 303, `GET ${next}: HTTP ${res.status}, want a redirect`);
    next = new URL(loc, next).toString();
    if (!next.startsWith(srv.url)) return { landed: new URL(next), params, cookie };
  }
  throw new Error('too many redirects');
}

describe('auth-js OpenID Connect with a sessionToken', () => {
  it('getWithRedirect({ sessionToken }) semantics: code with PKCE, ID token with amr sms verified by auth-js, userinfo, refresh rotation, revoke', track(async () => {
    const srv = await h.server('fast');
    const out = await srv.cli('app', 'create', '--name', 'SPA', '--redirect-uri', redirectUri, '--public');
    const clientId = /client_id=(\S+)/.exec(out)[1];
    const auth = new OktaAuth({ issuer: `${srv.url}/oauth2/default`, clientId, redirectUri, scopes: ['openid', 'email', 'profile', 'offline_access'] });

    const { token, user } = await sessionToken(srv);
    const { landed, params, cookie } = await authorize(srv, auth, { sessionToken: token });
    assert.equal(landed.origin + landed.pathname, redirectUri);
    assert.equal(landed.searchParams.get('state'), params.state, 'state comes back');
    assert.equal(params.codeChallengeMethod, 'S256');
    assert.ok(cookie, 'the browser gets a session, as Okta sets sid');
    const code = landed.searchParams.get('code');
    assert.ok(code, `a code in ${landed}`);

    const res = await auth.token.exchangeCodeForTokens({ ...params, authorizationCode: code });
    const { idToken, accessToken, refreshToken } = res.tokens;
    assert.ok(idToken && accessToken && refreshToken, 'ID, access and refresh tokens');
    assert.equal(idToken.claims.sub, user.id);
    assert.equal(idToken.claims.nonce, params.nonce);
    assert.deepEqual([...idToken.claims.amr].sort(), ['mfa', 'pwd', 'sms']);
    assert.equal(idToken.claims.iss, `${srv.url}/oauth2/default`);
    assert.ok(idToken.claims.auth_time > 0, 'auth_time');

    const info = await auth.token.getUserInfo(accessToken, idToken);
    assert.equal(info.sub, user.id);
    assert.equal(info.email, user.profile.login);

    // Refresh rotates the refresh token; revoking it (Basic with the bare
    // client id, as auth-js sends for a public client) kills the family.
    const renewed = await auth.token.renewTokensWithRefresh({ scopes: ['openid', 'email', 'profile', 'offline_access'] }, refreshToken);
    assert.ok(renewed.refreshToken && renewed.refreshToken.refreshToken !== refreshToken.refreshToken, 'a new refresh token');
    await auth.token.revoke(renewed.refreshToken);
    await assert.rejects(auth.token.getUserInfo(renewed.accessToken, renewed.idToken), 'the access token of a revoked family is refused at userinfo');

    // The code works once.
    await assert.rejects(auth.token.exchangeCodeForTokens({ ...params, authorizationCode: code }), (e) => e.errorCode === 'invalid_grant');
  }));

  it('getWithoutPrompt semantics (prompt=none): a used sessionToken gives login_required, with the state', track(async () => {
    const srv = await h.server('fast');
    const out = await srv.cli('app', 'create', '--name', 'SPA2', '--redirect-uri', redirectUri, '--public');
    const clientId = /client_id=(\S+)/.exec(out)[1];
    const auth = new OktaAuth({ issuer: `${srv.url}/oauth2/default`, clientId, redirectUri });
    const { token } = await sessionToken(srv);
    const first = await authorize(srv, auth, { sessionToken: token, prompt: 'none', responseMode: 'query' });
    assert.ok(first.landed.searchParams.get('code'), 'prompt=none with a fresh sessionToken gives a code');
    const again = await authorize(srv, auth, { sessionToken: token, prompt: 'none', responseMode: 'query' });
    assert.equal(again.landed.searchParams.get('error'), 'login_required');
    assert.equal(again.landed.searchParams.get('state'), again.params.state);
  }));
});
