// Passkeys (Security Key or Biometric Authenticator): the only script of
// smsmfa, loaded on the passkey pages only. It reads the options the server
// put in the form's data-options, calls navigator.credentials.create or
// .get, and posts the answer back in the form's "credential" field. Binary
// fields travel as unpadded base64url. No inline script, no eval: it runs
// under script-src 'self'.
(function () {
  'use strict';

  function toBuffer(s) {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) {
      s += '=';
    }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }

  function toBase64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function descriptors(list) {
    return (list || []).map(function (c) {
      return { type: c.type, id: toBuffer(c.id), transports: c.transports };
    });
  }

  function start(form) {
    var status = document.getElementById('passkey-status');
    var button = document.getElementById('passkey-go');
    // The messages come in the page's language from the form's
    // data-msg-* attributes; the English ones are the fallback.
    function msg(name, english) {
      return form.getAttribute('data-msg-' + name) || english;
    }
    function say(text, isError) {
      status.textContent = text;
      status.className = isError ? 'alert error' : 'hint';
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      if (!window.PublicKeyCredential || !navigator.credentials) {
        say(msg('unsupported', 'This browser cannot use passkeys. Use another browser, or verify another way.'), true);
        return;
      }
      var opts;
      try {
        opts = JSON.parse(form.getAttribute('data-options'));
      } catch (e) {
        say(msg('damaged', 'This page is damaged. Reload it and try again.'), true);
        return;
      }
      var pending;
      opts.challenge = toBuffer(opts.challenge);
      if (form.getAttribute('data-ceremony') === 'create') {
        opts.user.id = toBuffer(opts.user.id);
        opts.excludeCredentials = descriptors(opts.excludeCredentials);
        pending = navigator.credentials.create({ publicKey: opts });
      } else {
        opts.allowCredentials = descriptors(opts.allowCredentials);
        pending = navigator.credentials.get({ publicKey: opts });
      }
      button.disabled = true;
      say(msg('follow', 'Follow your browser\u2019s steps\u2026'), false);
      pending.then(function (cred) {
        var r = cred.response;
        var out = { id: cred.id, rawId: toBase64url(cred.rawId), type: cred.type,
          response: { clientDataJSON: toBase64url(r.clientDataJSON) } };
        if (r.attestationObject) {
          out.response.attestationObject = toBase64url(r.attestationObject);
          out.response.transports = r.getTransports ? r.getTransports() : [];
        } else {
          out.response.authenticatorData = toBase64url(r.authenticatorData);
          out.response.signature = toBase64url(r.signature);
          if (r.userHandle) {
            out.response.userHandle = toBase64url(r.userHandle);
          }
        }
        form.elements.credential.value = JSON.stringify(out);
        form.submit();
      }, function (err) {
        button.disabled = false;
        var text = msg('cancelled', 'The passkey request was cancelled or timed out. Try again.');
        if (err && err.name === 'InvalidStateError') {
          text = msg('exists', 'This authenticator is already set up for your account.');
        }
        say(text, true);
      });
    });
  }

  var form = document.getElementById('passkey-form');
  if (form) {
    start(form);
  }
})();
