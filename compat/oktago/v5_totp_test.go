package oktago

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v5/okta"
)

// totpServer has the authenticator app factor on (and SMS, as every
// server of this suite).
func totpServer(t *testing.T) *server {
	return sharedServer(t, "totp", append([]string{"totp_enabled=true", "resend_cooldown=0s"}, roomy...)...)
}

// rfc6238 computes a 6-digit TOTP code (HMAC-SHA1, 30 s steps) of a
// base32 secret at time step step: the test's own implementation.
func rfc6238(t *testing.T, secret string, step int64) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatalf("sharedSecret %q is not base32: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[19] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:off+4])&0x7fffffff)%1000000)
}

// TestV5TOTPFactorLifecycle: okta-sdk-golang v5 enrolls
// token:software:totp (GOOGLE), reads the shared secret from
// _embedded.activation, activates and verifies with codes the test
// computes; a replayed code is 403 E0000082, a wrong one E0000068.
func TestV5TOTPFactorLifecycle(t *testing.T) {
	s := totpServer(t)
	c := v5Client(t, s, s.token)
	ctx := context.Background()
	u := v5CreateUser(t, c, true)
	uid := u.GetId()

	f := okta.NewUserFactorTOTP()
	f.FactorType = "token:software:totp"
	f.SetProvider("GOOGLE")
	res, resp, err := c.UserFactorAPI.EnrollFactor(ctx, uid).Body(okta.UserFactorTOTPAsListFactors200ResponseInner(f)).Execute()
	if err != nil {
		t.Fatalf("EnrollFactor(totp): %v %s", err, errBody(err))
	}
	if res == nil || res.UserFactorTOTP == nil {
		t.Fatalf("EnrollFactor: response did not decode as a UserFactorTOTP: %+v", res)
	}
	tf := res.UserFactorTOTP
	fid := tf.GetId()
	if resp.StatusCode != http.StatusOK || tf.GetStatus() != "PENDING_ACTIVATION" || tf.GetProvider() != "GOOGLE" {
		t.Fatalf("EnrollFactor: HTTP %d status %q provider %q", resp.StatusCode, tf.GetStatus(), tf.GetProvider())
	}
	if p, up := tf.GetProfile(), u.GetProfile(); p.GetCredentialId() != up.GetLogin() {
		t.Errorf("profile.credentialId %q, want the login %q", p.GetCredentialId(), up.GetLogin())
	}
	act := tf.GetEmbedded()["activation"]
	secret, _ := act["sharedSecret"].(string)
	if secret == "" || act["encoding"] != "base32" || act["timeStep"] != float64(30) || act["keyLength"] != float64(6) {
		t.Fatalf("_embedded.activation %v", act)
	}
	qr, _ := act["_links"].(map[string]interface{})["qrcode"].(map[string]interface{})
	if href, _ := qr["href"].(string); href == "" || qr["type"] != "image/png" {
		t.Fatalf("_embedded.activation._links.qrcode %v", qr)
	} else if status, hdr, body := s.rawRequest(t, "GET", href[len(s.url):], ""); status != 200 || hdr.Get("Content-Type") != "image/png" || len(body) < 8 || string(body[1:4]) != "PNG" {
		t.Fatalf("GET qrcode: %d %s", status, hdr.Get("Content-Type"))
	}

	step := time.Now().Unix() / 30
	_, resp, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": wrongCode(rfc6238(t, secret, step))}).Execute()
	checkV5Error(t, "ActivateFactor(wrong code)", err, resp, http.StatusForbidden, "E0000068", 1)
	res, _, err = c.UserFactorAPI.ActivateFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": rfc6238(t, secret, step)}).Execute()
	if err != nil {
		t.Fatalf("ActivateFactor: %v %s", err, errBody(err))
	}
	if res.UserFactorTOTP == nil || res.UserFactorTOTP.GetStatus() != "ACTIVE" {
		t.Fatalf("ActivateFactor: %+v", res)
	}

	// The step used at activation is spent: the next one (within ±1) passes.
	next := rfc6238(t, secret, step+1)
	vr, _, err := c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": next}).Execute()
	if err != nil {
		t.Fatalf("VerifyFactor: %v %s", err, errBody(err))
	}
	if vr.GetFactorResult() != "SUCCESS" {
		t.Fatalf("VerifyFactor: factorResult %q", vr.GetFactorResult())
	}
	_, resp, err = c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": next}).Execute()
	checkV5Error(t, "VerifyFactor(replay)", err, resp, http.StatusForbidden, "E0000082", -1)
	_, resp, err = c.UserFactorAPI.VerifyFactor(ctx, uid, fid).Body(map[string]interface{}{"passCode": wrongCode(rfc6238(t, secret, step+2))}).Execute()
	checkV5Error(t, "VerifyFactor(wrong code)", err, resp, http.StatusForbidden, "E0000068", 1)

	list, _, err := c.UserFactorAPI.ListFactors(ctx, uid).Execute()
	if err != nil {
		t.Fatalf("ListFactors: %v %s", err, errBody(err))
	}
	if len(list) != 1 || list[0].UserFactorTOTP == nil || list[0].UserFactorTOTP.GetId() != fid || len(list[0].UserFactorTOTP.GetEmbedded()) != 0 {
		t.Fatalf("ListFactors: %+v, want the one active TOTP factor without its secret", list)
	}
	if _, err := c.UserFactorAPI.UnenrollFactor(ctx, uid, fid).Execute(); err != nil {
		t.Fatalf("UnenrollFactor: %v %s", err, errBody(err))
	}
}
