'use strict';
// Shared steps and checks for the auth-js tests.

const assert = require('node:assert/strict');

// apiError checks that err is auth-js's AuthApiError for an Okta error body
// with the given HTTP status and errorCode (and, when causes is a number,
// that many errorCauses), and returns it.
function apiError(err, { status, code, causes }) {
  assert.equal(err.name, 'AuthApiError', `want AuthApiError, got ${err.name}: ${err.message}`);
  assert.equal(err.errorCode, code, `errorCode (${err.errorSummary})`);
  assert.equal(err.errorLink, code, 'errorLink');
  assert.ok(err.errorSummary, 'errorSummary is set');
  assert.ok(err.errorId, 'errorId is set');
  assert.ok(err.xhr, 'err.xhr is set');
  assert.equal(err.xhr.status, status, 'HTTP status');
  assert.ok(Array.isArray(err.errorCauses), 'errorCauses is an array');
  if (typeof causes === 'number') assert.equal(err.errorCauses.length, causes, `errorCauses ${JSON.stringify(err.errorCauses)}`);
  for (const c of err.errorCauses) assert.ok(c.errorSummary, 'each errorCause has an errorSummary');
  return err;
}

// rejects awaits p, which must fail with an Okta error as in apiError.
async function rejects(p, want) {
  let err;
  try {
    const v = await p;
    assert.fail(`resolved (status ${v && v.status}), want ${want.status} ${want.code}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  return apiError(err, want);
}

function smsFactorOf(tx) {
  assert.ok(Array.isArray(tx.factors), `tx.factors is an array in ${tx.status}`);
  const f = tx.factors.find((x) => x.factorType === 'sms');
  assert.ok(f, `an sms factor in ${JSON.stringify(tx.data._embedded && tx.data._embedded.factors)}`);
  assert.equal(f.provider, 'OKTA');
  return f;
}

// masked checks a phone number as the Authn API shows it: the last digits of
// e164, and not the whole number.
function assertMasked(shown, e164) {
  assert.equal(typeof shown, 'string', 'profile.phoneNumber is a string');
  assert.ok(shown.endsWith(e164.slice(-4)), `${shown} ends with the last 4 digits of ${e164}`);
  assert.ok(!shown.replace(/\D/g, '').includes(e164.slice(2, 8)), `${shown} hides the middle digits of ${e164}`);
}

// assertSuccess checks a SUCCESS transaction: a sessionToken, no stateToken.
function assertSuccess(tx) {
  assert.equal(tx.status, 'SUCCESS');
  assert.equal(typeof tx.sessionToken, 'string');
  assert.ok(tx.sessionToken.length > 0, 'sessionToken is set');
  assert.equal(tx.data.stateToken, undefined, 'a SUCCESS response carries no stateToken');
  assert.ok(tx.user && tx.user.id, 'SUCCESS has _embedded.user');
}

// enrollUser makes a user and enrolls and activates SMS on phone with
// auth-js; it returns {username, password, userId, factorId}.
async function enrollUser(srv, phone) {
  const user = await srv.createUser();
  const { auth } = srv.auth();
  const tx = await auth.signInWithCredentials(user);
  assert.equal(tx.status, 'MFA_ENROLL');
  const mark = await srv.mark();
  const act = await smsFactorOf(tx).enroll({ profile: { phoneNumber: phone, updatePhone: true } });
  assert.equal(act.status, 'MFA_ENROLL_ACTIVATE');
  const { code } = await srv.waitSMS(phone, mark);
  const done = await act.activate({ passCode: code });
  assertSuccess(done);
  return { ...user, userId: done.user.id, factorId: act.factor.id };
}

// signInRequired signs user in and expects MFA_REQUIRED with one sms factor.
async function signInRequired(srv, user) {
  const { auth, requests } = srv.auth();
  const tx = await auth.signInWithCredentials({ username: user.username, password: user.password });
  assert.equal(tx.status, 'MFA_REQUIRED');
  const factor = smsFactorOf(tx);
  assert.ok(factor.id, 'the MFA_REQUIRED factor has an id');
  assert.equal(typeof factor.verify, 'function', 'factor.verify() exists (a verify link with one POST hint)');
  return { auth, requests, tx, factor };
}

module.exports = { apiError, rejects, smsFactorOf, assertMasked, assertSuccess, enrollUser, signInRequired };

// tracker wraps test functions: it remembers whether one failed (so the
// servers' logs get printed) and makes an unexpected AuthApiError say what
// the server answered.
function tracker() {
  let failed = false;
  const track = (fn) => async (t) => {
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      if (e && e.name === 'AuthApiError' && e.xhr) {
        e.message = `${e.message} (HTTP ${e.xhr.status} ${e.errorCode || ''}: ${String(e.xhr.responseText).slice(0, 400)})`;
      }
      throw e;
    }
  };
  track.failed = () => failed;
  return track;
}

module.exports.tracker = tracker;
