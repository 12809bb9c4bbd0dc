package awstest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Auth is a parsed SigV4 Authorization header.
type Auth struct {
	AccessKeyID   string
	Date          string // YYYYMMDD
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
}

// ParseAuth parses "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
// SignedHeaders=a;b, Signature=hex". It returns an error for any other shape.
func ParseAuth(header string) (Auth, error) {
	rest, ok := strings.CutPrefix(header, "AWS4-HMAC-SHA256 ")
	if !ok {
		return Auth{}, errors.New("not an AWS4-HMAC-SHA256 authorization")
	}
	var a Auth
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return Auth{}, fmt.Errorf("malformed credential scope %q", v)
			}
			a.AccessKeyID, a.Date, a.Region, a.Service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			a.Signature = v
		}
	}
	if a.AccessKeyID == "" || len(a.SignedHeaders) == 0 || a.Signature == "" {
		return Auth{}, errors.New("incomplete authorization")
	}
	return a, nil
}

// Verify checks the SigV4 signature of r, whose body was body, against
// secret: it rebuilds the request from the signed headers only, signs it
// with the SDK's signer at the request's X-Amz-Date, and compares. It
// returns the parsed header and an error when the header is malformed, the
// scope's region or service differ from those given, or the signature does
// not match.
func Verify(r *http.Request, body []byte, secret, region, service string) (Auth, error) {
	a, err := ParseAuth(r.Header.Get("Authorization"))
	if err != nil {
		return a, err
	}
	if a.Region != region || a.Service != service {
		return a, fmt.Errorf("scope %s/%s, want %s/%s", a.Region, a.Service, region, service)
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return a, fmt.Errorf("X-Amz-Date: %w", err)
	}
	req, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return a, err
	}
	req.ContentLength = r.ContentLength
	for _, h := range a.SignedHeaders {
		switch h {
		case "host", "content-length":
		default:
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: a.AccessKeyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at); err != nil {
		return a, err
	}
	want, err := ParseAuth(req.Header.Get("Authorization"))
	if err != nil {
		return a, err
	}
	if strings.Join(want.SignedHeaders, ";") != strings.Join(a.SignedHeaders, ";") {
		return a, fmt.Errorf("signed headers %v, re-signed %v", a.SignedHeaders, want.SignedHeaders)
	}
	if want.Signature != a.Signature {
		return a, errors.New("signature does not match")
	}
	return a, nil
}
