'use strict';
// One test per behaviour of shared/okta-api.md §7 that concerns auth-js
// (1–6 and 9), each named after it.

const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const h = require('../lib/harness');
const f = require('../lib/flows');

const track = f.tracker();
after(async () => { await h.stopAll({ printLogs: track.failed() }); });

describe('okta-api.md §7 behaviours (auth-js)', () => {
  it('§7.1 auth-js enroll with updatePhone: ?updatePhone=true only when asked, body {stateToken, factorType, provider, profile}', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const { auth, requests } = srv.auth();
    const tx = await auth.signInWithCredentials(user);
    assert.equal(tx.status, 'MFA_ENROLL');
    const a = h.phoneNumber();
    const b = h.phoneNumber();

    const act = await f.smsFactorOf(tx).enroll({ profile: { phoneNumber: a } });
    let req = h.lastRequest(requests, '/api/v1/authn/factors');
    assert.equal(req.url, `${srv.url}/api/v1/authn/factors`, 'without updatePhone the URL has no query string');
    assert.deepEqual(req.args, { profile: { phoneNumber: a }, stateToken: tx.data.stateToken, factorType: 'sms', provider: 'OKTA' });
    assert.equal(act.status, 'MFA_ENROLL_ACTIVATE');

    const back = await act.prev();
    assert.equal(back.status, 'MFA_ENROLL');
    const act2 = await f.smsFactorOf(back).enroll({ profile: { phoneNumber: b, updatePhone: true } });
    req = h.lastRequest(requests, '/api/v1/authn/factors');
    assert.equal(req.url, `${srv.url}/api/v1/authn/factors?updatePhone=true`);
    assert.deepEqual(req.args, { profile: { phoneNumber: b }, stateToken: tx.data.stateToken, factorType: 'sms', provider: 'OKTA' });
    assert.equal(act2.status, 'MFA_ENROLL_ACTIVATE');
    f.assertMasked(act2.factor.profile.phoneNumber, b);
  }));

  it('§7.2 auth-js cancel: POST /api/v1/authn/cancel {stateToken} answers 200 JSON and revokes the token', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const { auth, requests } = srv.auth();
    const tx = await auth.signInWithCredentials(user);
    assert.equal(tx.status, 'MFA_ENROLL');
    const res = await tx.cancel();
    const req = requests[requests.length - 1];
    assert.equal(req.method, 'POST');
    assert.equal(req.url, `${srv.url}/api/v1/authn/cancel`);
    assert.deepEqual(req.args, { stateToken: tx.data.stateToken });
    assert.equal(typeof res.data, 'object', 'the cancel response is a JSON object');
    await f.rejects(auth.tx.resume({ stateToken: tx.data.stateToken }), { status: 401, code: 'E0000011' });
  }));

  it('§7.3 auth-js MFA_CHALLENGE verify: tx.verify({passCode}) → SUCCESS; ?rememberDevice and ?autoPush are accepted', track(async () => {
    const srv = await h.server('fast');
    const phone = h.phoneNumber();
    const user = await f.enrollUser(srv, phone);
    const cases = [
      { opts: {}, query: '' },
      { opts: { rememberDevice: true }, query: '?rememberDevice=true' },
      { opts: { rememberDevice: false }, query: '?rememberDevice=false' },
      { opts: { autoPush: true, rememberDevice: false }, query: '?autoPush=true&rememberDevice=false' },
      { opts: { autoPush: false }, query: '?autoPush=false' },
    ];
    for (const c of cases) {
      const s = await f.signInRequired(srv, user);
      const mark = await srv.mark();
      const ch = await s.factor.verify();
      assert.equal(ch.status, 'MFA_CHALLENGE');
      const { code } = await srv.waitSMS(phone, mark);
      const done = await ch.verify({ passCode: code, ...c.opts });
      const req = s.requests[s.requests.length - 1];
      assert.equal(req.url, `${srv.url}/api/v1/authn/factors/${user.factorId}/verify${c.query}`, JSON.stringify(c.opts));
      assert.deepEqual(req.args, { stateToken: s.tx.data.stateToken, passCode: code });
      f.assertSuccess(done);
    }
  }));

  it('§7.4 Wrong code: activate and verify with a bad code give 403 E0000068 with one errorCause, and the transaction stays usable', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const phone = h.phoneNumber();
    const { auth } = srv.auth();
    const tx = await auth.signInWithCredentials(user);
    let mark = await srv.mark();
    const act = await f.smsFactorOf(tx).enroll({ profile: { phoneNumber: phone } });
    let { code } = await srv.waitSMS(phone, mark);
    let err = await f.rejects(act.activate({ passCode: h.wrongCode(code) }), { status: 403, code: 'E0000068', causes: 1 });
    assert.equal(err.errorSummary, 'Invalid Passcode/Answer');
    const done = await act.activate({ passCode: code });
    f.assertSuccess(done);

    const s = await f.signInRequired(srv, user);
    mark = await srv.mark();
    const ch = await s.factor.verify();
    ({ code } = await srv.waitSMS(phone, mark));
    err = await f.rejects(ch.verify({ passCode: h.wrongCode(code) }), { status: 403, code: 'E0000068', causes: 1 });
    assert.equal(err.errorSummary, 'Invalid Passcode/Answer');
    const still = await s.auth.tx.resume({ stateToken: s.tx.data.stateToken });
    assert.equal(still.status, 'MFA_CHALLENGE', 'still in MFA_CHALLENGE after a wrong code');
    f.assertSuccess(await ch.verify({ passCode: code }));
  }));

  it('§7.5 Errors by status: 429 E0000047 reaches auth-js with its body and X-Rate-Limit headers; 401 E0000011 makes auth-js forget the state token', track(async () => {
    const srv = await h.server('fast');
    const user = await srv.createUser();
    const phone = h.phoneNumber();
    const { auth } = srv.auth();
    const tx = await auth.signInWithCredentials(user);
    const mark = await srv.mark();
    const act = await f.smsFactorOf(tx).enroll({ profile: { phoneNumber: phone } });
    const { code } = await srv.waitSMS(phone, mark);
    // Five activation attempts per 5 minutes (activation_limit); the sixth is refused.
    for (let i = 1; i <= 5; i++) {
      const err = await act.activate({ passCode: h.wrongCode(code) }).then(() => null, (e) => e);
      assert.ok(err, `wrong activation ${i} was accepted`);
      assert.equal(err.xhr && err.xhr.status, 403, `wrong activation ${i}: ${err.errorCode} ${err.errorSummary}`);
    }
    const before = Math.floor(Date.now() / 1000);
    const err = await f.rejects(act.activate({ passCode: code }), { status: 429, code: 'E0000047' });
    assert.equal(err.errorSummary, 'API call exceeded rate limit due to too many requests.');
    const hd = err.xhr.headers;
    assert.match(String(hd['x-rate-limit-reset']), /^\d+$/, 'X-Rate-Limit-Reset is epoch seconds');
    assert.ok(Number(hd['x-rate-limit-reset']) >= before && Number(hd['x-rate-limit-reset']) <= before + 301, 'reset within the 5-minute window');
    assert.match(String(hd['x-rate-limit-limit']), /^\d+$/, 'X-Rate-Limit-Limit is set');
    assert.equal(hd['x-rate-limit-remaining'], '0', 'X-Rate-Limit-Remaining is 0');

    // 401 E0000011: the SDK deletes the saved token.
    assert.ok(auth.tx.exists(), 'the state token is still saved');
    await f.rejects(auth.tx.resume({ stateToken: 'deadbeef' + 'x'.repeat(34) }), { status: 401, code: 'E0000011' });
    assert.ok(!auth.tx.exists(), 'auth-js forgot the state token after E0000011');
  }));

  it('§7.5 Errors by status: a 5xx (500 E0000138 when the only SMS provider refuses the text for good) reaches auth-js as AuthApiError "Unknown error"', track(async () => {
    // A Twilio-compatible provider on loopback that refuses every message
    // as blocked by the carrier (Twilio error 30004: permanent, no failover).
    const sid = 'AC' + '0123456789abcdef'.repeat(2);
    const calls = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        calls.push({ url: req.url, auth: req.headers.authorization, form: new URLSearchParams(body) });
        res.statusCode = 400;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ code: 30004, message: 'Message blocked', more_info: 'https://www.twilio.com/docs/errors/30004', status: 400 }));
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const srv = await h.server('refusing-provider', {
        setup: (s) => s.cli('provider', 'add', '--name', 'tw', '--type', 'twilio',
          '--url', `http://127.0.0.1:${receiver.address().port}`, '--credential', `account_sid=${sid}`, '--credential', 'auth_token=compat-token', '--sender', '+15557654321'),
      });
      const user = await srv.createUser();
      const { auth } = srv.auth();
      const tx = await auth.signInWithCredentials(user);
      assert.equal(tx.status, 'MFA_ENROLL');
      const phone = h.phoneNumber();
      const err = await f.rejects(f.smsFactorOf(tx).enroll({ profile: { phoneNumber: phone } }), { status: 500, code: 'E0000138' });
      assert.equal(err.errorSummary, 'Unknown error', 'auth-js replaces the summary of a 5xx');
      assert.equal(JSON.parse(err.xhr.responseText).errorSummary, 'There was an internal error with call provider(s).');
      assert.equal(calls.length, 1, 'a permanent refusal is not retried');
      assert.equal(calls[0].url, `/2010-04-01/Accounts/${sid}/Messages.json`);
      assert.equal(calls[0].auth, 'Basic ' + Buffer.from(`${sid}:compat-token`).toString('base64'));
      assert.equal(calls[0].form.get('To'), phone);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  }));

  it('§7.6 Widget EnrollSms: phones listed after a factor reset, updatePhone enroll, resend with only the stateToken, prev + new number, activate; E0000098 then validatePhone:false is accepted', track(async () => {
    const srv = await h.server('fast');
    const phone = h.phoneNumber();
    const user = await f.enrollUser(srv, phone);
    // The admin resets the factor (Factors API): the verified phone stays on file.
    const del = await srv.api('DELETE', `/api/v1/users/${user.userId}/factors/${user.factorId}`);
    assert.equal(del.status, 204, `DELETE factor: ${JSON.stringify(del.body)}`);

    const { auth, requests } = srv.auth();
    const tx = await auth.signInWithCredentials({ username: user.username, password: user.password });
    assert.equal(tx.status, 'MFA_ENROLL');
    const sms = f.smsFactorOf(tx);
    // (a) the existing phone is listed, masked, so the widget sends updatePhone=true.
    assert.ok(Array.isArray(sms.phones) && sms.phones.length === 1, `factor.phones ${JSON.stringify(sms.phones)}`);
    assert.ok(sms.phones[0].id, 'the phone has an id');
    assert.equal(sms.phones[0].status, 'ACTIVE');
    f.assertMasked(sms.phones[0].profile.phoneNumber, phone);

    let mark = await srv.mark();
    const act = await sms.enroll({ profile: { phoneNumber: phone, updatePhone: true } });
    assert.equal(h.lastRequest(requests, '/api/v1/authn/factors').url, `${srv.url}/api/v1/authn/factors?updatePhone=true`);
    assert.equal(act.status, 'MFA_ENROLL_ACTIVATE');
    await srv.waitSMS(phone, mark);

    // (b) "Re-send code" posts only the stateToken to the resend link.
    mark = await srv.mark();
    const resent = await act.resend('sms');
    let req = requests[requests.length - 1];
    assert.equal(req.url, `${srv.url}/api/v1/authn/factors/${act.factor.id}/lifecycle/resend`);
    assert.deepEqual(req.args, { stateToken: tx.data.stateToken });
    assert.equal(resent.status, 'MFA_ENROLL_ACTIVATE');
    await srv.waitSMS(phone, mark);

    // (c) the user changes the number: /previous, then enroll ?updatePhone=true.
    const back = await resent.prev();
    assert.equal(back.status, 'MFA_ENROLL');
    const other = h.phoneNumber();
    mark = await srv.mark();
    const act2 = await f.smsFactorOf(back).enroll({ profile: { phoneNumber: other, updatePhone: true } });
    assert.equal(h.lastRequest(requests, '/api/v1/authn/factors').url, `${srv.url}/api/v1/authn/factors?updatePhone=true`);
    assert.equal(act2.status, 'MFA_ENROLL_ACTIVATE');
    f.assertMasked(act2.factor.profile.phoneNumber, other);
    const { code } = await srv.waitSMS(other, mark);

    // (d) activate posts {passCode, stateToken}.
    const done = await act2.activate({ passCode: code });
    req = requests[requests.length - 1];
    assert.equal(req.url, `${srv.url}/api/v1/authn/factors/${act2.factor.id}/lifecycle/activate`);
    assert.deepEqual(req.args, { passCode: code, stateToken: tx.data.stateToken });
    f.assertSuccess(done);

    // (e) a number that does not validate: 400 E0000098, then the widget's
    // retry with profile.validatePhone:false is accepted.
    const fresh = await srv.createUser();
    const w = srv.auth();
    const tx2 = await w.auth.signInWithCredentials(fresh);
    const bad = '+1-555-415-1337';
    const err = await f.rejects(f.smsFactorOf(tx2).enroll({ profile: { phoneNumber: bad } }), { status: 400, code: 'E0000098', causes: 0 });
    assert.equal(err.errorSummary, 'This phone number is invalid.');
    const still = await w.auth.tx.resume({ stateToken: tx2.data.stateToken });
    assert.equal(still.status, 'MFA_ENROLL', 'still in MFA_ENROLL after E0000098');
    mark = await srv.mark();
    const act3 = await f.smsFactorOf(still).enroll({ profile: { phoneNumber: bad, validatePhone: false } });
    assert.deepEqual(h.lastRequest(w.requests, '/api/v1/authn/factors').args.profile, { phoneNumber: bad, validatePhone: false });
    assert.equal(act3.status, 'MFA_ENROLL_ACTIVATE');
    const sent = await srv.waitSMS('+15554151337', mark);
    f.assertSuccess(await act3.activate({ passCode: sent.code }));
  }));

  it('§7.9 Authn state machine: cancelled token → 401 E0000011; an operation outside the current state → 403 E0000079; SUCCESS has sessionToken and no stateToken', track(async () => {
    const srv = await h.server('fast');
    const phone = h.phoneNumber();
    const user = await f.enrollUser(srv, phone);

    // Enroll while MFA_REQUIRED (the user has an active factor): 403 E0000079.
    const s = await f.signInRequired(srv, user);
    const err = await f.rejects(
      s.auth.tx.postToTransaction('/api/v1/authn/factors', {
        stateToken: s.tx.data.stateToken, factorType: 'sms', provider: 'OKTA', profile: { phoneNumber: h.phoneNumber() },
      }),
      { status: 403, code: 'E0000079' },
    );
    assert.equal(err.errorSummary, 'This operation is not allowed in the current authentication state.');
    // /previous from MFA_REQUIRED has no earlier state either.
    await f.rejects(s.auth.tx.postToTransaction('/api/v1/authn/previous', { stateToken: s.tx.data.stateToken }), { status: 403, code: 'E0000079' });

    // The refused calls left the transaction as it was: challenge and verify.
    const still = await s.auth.tx.resume({ stateToken: s.tx.data.stateToken });
    assert.equal(still.status, 'MFA_REQUIRED');
    const mark = await srv.mark();
    const ch = await f.smsFactorOf(still).verify();
    assert.equal(ch.status, 'MFA_CHALLENGE');
    const { code } = await srv.waitSMS(phone, mark);
    const done = await ch.verify({ passCode: code });
    f.assertSuccess(done);
    assert.equal(done.data.expiresAt !== undefined, true, 'SUCCESS carries expiresAt');

    // After SUCCESS the state token is spent; after cancel it is revoked.
    await f.rejects(s.auth.tx.resume({ stateToken: s.tx.data.stateToken }), { status: 401, code: 'E0000011' });
    const c = await f.signInRequired(srv, user);
    await c.tx.cancel();
    await f.rejects(c.factor.verify(), { status: 401, code: 'E0000011' });
  }));
});
