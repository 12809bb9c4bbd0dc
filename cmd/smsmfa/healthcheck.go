package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthcheck asks a running server's /healthz and exits 0 when it answers
// 200, 1 otherwise: the container image's HEALTHCHECK (which has no curl).
// Without --url it asks the address serve listens on (SMSMFA_ADDR, default
// 127.0.0.1:8080), on loopback when that is a wildcard address.
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smsmfa healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "the /healthz URL (default: http://SMSMFA_ADDR/healthz, loopback for a wildcard address)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: smsmfa healthcheck [--url URL] [--timeout D]")
		return errUsage
	}
	u := *target
	if u == "" {
		var err error
		if u, err = healthzURL(getenv("SMSMFA_ADDR")); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s: %s", u, res.Status, body)
	}
	fmt.Fprintf(stdout, "%s: %s\n", u, bytes.TrimSpace(body))
	return nil
}

// healthzURL is the /healthz URL of a server listening on addr.
func healthzURL(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("SMSMFA_ADDR %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}
