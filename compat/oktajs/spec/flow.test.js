'use strict';
// @okta/okta-auth-js 8.0.1, unchanged, through smsmfa's Authn API: the
// sign-in flows an application built on auth-js runs.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const f = require('../lib/flows');

const track = f.tracker();
after(async () => { await h.stopAll({ printLogs: track.failed() }); });

describe('auth-js sign-in flows', () => {
  it('enrolls SMS (updatePhone), resends, refuses a wrong code, activates, then signs in with MFA_REQUIRED → challenge → resend → verify(rememberDevice)', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const phone = '+14155550123';
    const { auth, requests } = srv.auth();

    const tx = await auth.signInWithCredentials(user);
    assert.equal(tx.status, 'MFA_ENROLL');
    assert.ok(tx.data.stateToken && tx.data.expiresAt, 'MFA_ENROLL carries stateToken and expiresAt');
    assert.ok(auth.tx.exists(), 'auth-js saved the state token');
    assert.equal(tx.user.profile.login, user.username);
    assert.equal(typeof tx.cancel, 'function', 'tx.cancel() exists');
    const sms = f.smsFactorOf(tx);
    assert.equal(sms.status, 'NOT_SETUP');
    assert.equal(typeof sms.enroll, 'function', 'factor.enroll() exists (an enroll link with one POST hint)');

    let mark = await srv.mark();
    const act = await sms.enroll({ profile: { phoneNumber: phone, updatePhone: true } });
    const enrollReq = h.lastRequest(requests, '/api/v1/authn/factors');
    assert.equal(enrollReq.method, 'POST');
    assert.equal(enrollReq.url, `${srv.url}/api/v1/authn/factors?updatePhone=true`);
    assert.deepEqual(enrollReq.args, { profile: { phoneNumber: phone }, stateToken: tx.data.stateToken, factorType: 'sms', provider: 'OKTA' });
    assert.equal(act.status, 'MFA_ENROLL_ACTIVATE');
    assert.ok(act.factor && act.factor.id, '_embedded.factor has an id');
    assert.equal(act.factor.factorType, 'sms');
    f.assertMasked(act.factor.profile.phoneNumber, phone);
    for (const fn of ['activate', 'resend', 'prev', 'cancel']) assert.equal(typeof act[fn], 'function', `tx.${fn}() exists`);
    await srv.waitSMS(phone, mark);

    mark = await srv.mark();
    const resent = await act.resend('sms');
    const resendReq = requests[requests.length - 1];
    assert.equal(resendReq.url, `${srv.url}/api/v1/authn/factors/${act.factor.id}/lifecycle/resend`);
    assert.deepEqual(resendReq.args, { stateToken: tx.data.stateToken });
    assert.equal(resent.status, 'MFA_ENROLL_ACTIVATE');
    const { code } = await srv.waitSMS(phone, mark);

    const err = await f.rejects(resent.activate({ passCode: h.wrongCode(code) }), { status: 403, code: 'E0000068', causes: 1 });
    assert.equal(err.errorSummary, 'Invalid Passcode/Answer');
    const still = await auth.tx.resume({ stateToken: tx.data.stateToken });
    assert.equal(still.status, 'MFA_ENROLL_ACTIVATE', 'the transaction is still in MFA_ENROLL_ACTIVATE after a wrong code');

    const done = await resent.activate({ passCode: code });
    const activateReq = requests[requests.length - 1];
    assert.equal(activateReq.url, `${srv.url}/api/v1/authn/factors/${act.factor.id}/lifecycle/activate`);
    assert.deepEqual(activateReq.args, { passCode: code, stateToken: tx.data.stateToken });
    f.assertSuccess(done);
    assert.ok(!auth.tx.exists(), 'auth-js dropped the state token on SUCCESS');

    // Second sign-in: MFA_REQUIRED → challenge → verify.
    const again = await f.signInRequired(srv, user);
    assert.equal(again.factor.id, act.factor.id, 'MFA_REQUIRED lists the factor just enrolled');
    f.assertMasked(again.factor.profile.phoneNumber, phone);
    mark = await srv.mark();
    const ch = await again.factor.verify();
    const challengeReq = again.requests[again.requests.length - 1];
    assert.equal(challengeReq.url, `${srv.url}/api/v1/authn/factors/${act.factor.id}/verify`);
    assert.deepEqual(challengeReq.args, { stateToken: again.tx.data.stateToken });
    assert.equal(ch.status, 'MFA_CHALLENGE');
    assert.equal(ch.factor.id, act.factor.id);
    for (const fn of ['verify', 'resend', 'cancel']) assert.equal(typeof ch[fn], 'function', `tx.${fn}() exists in MFA_CHALLENGE`);
    const first = await srv.waitSMS(phone, mark);

    // "Re-send code" in MFA_CHALLENGE: POST …/verify/resend {stateToken}.
    mark = await srv.mark();
    const again2 = await ch.resend('sms');
    const reReq = again.requests[again.requests.length - 1];
    assert.equal(reReq.url, `${srv.url}/api/v1/authn/factors/${act.factor.id}/verify/resend`);
    assert.deepEqual(reReq.args, { stateToken: again.tx.data.stateToken });
    assert.equal(again2.status, 'MFA_CHALLENGE');
    const sent = await srv.waitSMS(phone, mark);
    if (first.code !== sent.code) {
      await f.rejects(again2.verify({ passCode: first.code }), { status: 403, code: 'E0000068' });
    }

    const ok = await again2.verify({ passCode: sent.code, rememberDevice: true });
    const verifyReq = again.requests[again.requests.length - 1];
    assert.equal(verifyReq.url, `${srv.url}/api/v1/authn/factors/${act.factor.id}/verify?rememberDevice=true`);
    assert.deepEqual(verifyReq.args, { stateToken: again.tx.data.stateToken, passCode: sent.code });
    f.assertSuccess(ok);
    assert.notEqual(ok.sessionToken, done.sessionToken, 'each sign-in gets its own session token');
  }));

  it('tx.cancel() ends the transaction and its state token is dead afterwards (401 E0000011)', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const { auth, requests } = srv.auth();
    const tx = await auth.signInWithCredentials(user);
    assert.equal(tx.status, 'MFA_ENROLL');
    const mark = await srv.mark();
    const phone = h.phoneNumber();
    const act = await f.smsFactorOf(tx).enroll({ profile: { phoneNumber: phone } });
    assert.equal(act.status, 'MFA_ENROLL_ACTIVATE');
    const { code } = await srv.waitSMS(phone, mark);

    const res = await act.cancel();
    const cancelReq = requests[requests.length - 1];
    assert.equal(cancelReq.url, `${srv.url}/api/v1/authn/cancel`);
    assert.deepEqual(cancelReq.args, { stateToken: tx.data.stateToken });
    assert.equal(typeof res, 'object', 'cancel resolves to a transaction object');
    assert.equal(res.data && res.data.stateToken, undefined, 'the cancel response carries no stateToken');
    assert.ok(!auth.tx.exists(), 'auth-js dropped the saved state token');

    await f.rejects(act.activate({ passCode: code }), { status: 401, code: 'E0000011' });
    await f.rejects(auth.tx.resume({ stateToken: tx.data.stateToken }), { status: 401, code: 'E0000011' });
  }));

  it('tx.prev() goes from MFA_ENROLL_ACTIVATE back to MFA_ENROLL, then another number is enrolled and activated', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const { auth, requests } = srv.auth();
    const first = h.phoneNumber();
    const second = h.phoneNumber();
    const tx = await auth.signInWithCredentials(user);
    let mark = await srv.mark();
    const act = await f.smsFactorOf(tx).enroll({ profile: { phoneNumber: first } });
    assert.equal(act.status, 'MFA_ENROLL_ACTIVATE');
    const firstSMS = await srv.waitSMS(first, mark);

    const back = await act.prev();
    const prevReq = requests[requests.length - 1];
    assert.equal(prevReq.url, `${srv.url}/api/v1/authn/previous`);
    assert.deepEqual(prevReq.args, { stateToken: tx.data.stateToken });
    assert.equal(back.status, 'MFA_ENROLL');
    assert.equal(back.data.stateToken, tx.data.stateToken, '/previous keeps the same stateToken');
    const sms = f.smsFactorOf(back);
    assert.equal(typeof sms.enroll, 'function');

    mark = await srv.mark();
    const act2 = await sms.enroll({ profile: { phoneNumber: second, updatePhone: true } });
    assert.equal(h.lastRequest(requests, '/api/v1/authn/factors').url, `${srv.url}/api/v1/authn/factors?updatePhone=true`);
    assert.equal(act2.status, 'MFA_ENROLL_ACTIVATE');
    f.assertMasked(act2.factor.profile.phoneNumber, second);
    const { code } = await srv.waitSMS(second, mark);
    for (const m of await srv.since(mark)) assert.notEqual(m.to, first, 'nothing more went to the first number');

    // The code sent to the abandoned number does not activate the new one.
    if (firstSMS.code !== code) {
      await f.rejects(act2.activate({ passCode: firstSMS.code }), { status: 403, code: 'E0000068' });
    }
    const done = await act2.activate({ passCode: code });
    f.assertSuccess(done);

    const again = await f.signInRequired(srv, user);
    f.assertMasked(again.factor.profile.phoneNumber, second);
  }));

  it('a wrong password gives 401 E0000004 "Authentication failed", for an unknown user too', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const { auth } = srv.auth();
    const err = await f.rejects(auth.signInWithCredentials({ username: user.username, password: user.password + 'x' }), { status: 401, code: 'E0000004' });
    assert.equal(err.errorSummary, 'Authentication failed');
    const unknown = await f.rejects(auth.signInWithCredentials({ username: 'nobody-' + h.unique() + '@example.com', password: user.password }), { status: 401, code: 'E0000004' });
    assert.equal(unknown.errorSummary, 'Authentication failed', 'an unknown user gets the same answer');
  }));

  it('a dead or unknown stateToken gives 401 E0000011 and auth-js forgets its saved token', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const { auth } = srv.auth();
    const tx = await auth.signInWithCredentials(user);
    assert.equal(tx.status, 'MFA_ENROLL');
    assert.ok(auth.tx.exists(), 'the state token is saved after sign-in');
    await f.rejects(auth.tx.resume({ stateToken: '00' + 'x'.repeat(40) }), { status: 401, code: 'E0000011' });
    assert.ok(!auth.tx.exists(), 'auth-js deleted its saved state token after E0000011');
    // The real transaction is untouched by the bad call.
    const still = await auth.tx.resume({ stateToken: tx.data.stateToken });
    assert.equal(still.status, 'MFA_ENROLL');
  }));

  it('with the 30 s cooldown, a quick resend is refused with 429 E0000109 and X-Rate-Limit-Reset, and the first code still activates', track(async () => {
    const srv = await h.server('cooldown');
    const user = await srv.createUser();
    const { auth } = srv.auth();
    const phone = h.phoneNumber();
    const tx = await auth.signInWithCredentials(user);
    const mark = await srv.mark();
    const act = await f.smsFactorOf(tx).enroll({ profile: { phoneNumber: phone, updatePhone: true } });
    assert.equal(act.status, 'MFA_ENROLL_ACTIVATE');
    const { code } = await srv.waitSMS(phone, mark);

    const before = Math.floor(Date.now() / 1000);
    const err = await f.rejects(act.resend('sms'), { status: 429, code: 'E0000109' });
    const reset = err.xhr.headers['x-rate-limit-reset'];
    assert.match(String(reset), /^\d+$/, `X-Rate-Limit-Reset is epoch seconds (${reset})`);
    assert.ok(Number(reset) >= before && Number(reset) <= before + 31, `X-Rate-Limit-Reset ${reset} is within the 30 s cooldown from ${before}`);
    assert.equal((await srv.since(mark)).length, 1, 'the refused resend sent nothing');

    f.assertSuccess(await act.activate({ passCode: code }));
  }));
});
