package radius

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"layeh.com/radius"

	"smsmfa/internal/mfa"
)

// Outcomes of a request, as counted by the Observer.
const (
	OutcomeAccept           = "accept"
	OutcomeReject           = "reject"
	OutcomeChallenge        = "challenge"
	OutcomeDuplicate        = "duplicate"         // a retransmission, answered from the replay cache (or dropped while in flight)
	OutcomeUnknownClient    = "unknown_client"    // dropped: the source is no registered client
	OutcomeNoAuthenticator  = "no_authenticator"  // dropped: no Message-Authenticator
	OutcomeBadAuthenticator = "bad_authenticator" // dropped: wrong secret, forged or damaged
	OutcomeMalformed        = "malformed"         // dropped: not a RADIUS packet
	OutcomeUnsupported      = "unsupported"       // dropped: not an Access-Request or Status-Server
	OutcomeBusy             = "busy"              // dropped: every worker busy and the queue full
	OutcomeError            = "error"             // dropped: an internal error (the NAS retries or fails over)
)

// Observer counts requests by outcome (metrics.Metrics).
type Observer interface {
	RadiusRequest(outcome string)
}

// Signin is what the server needs of mfa.Signin.
type Signin interface {
	PrimaryAuth(ctx context.Context, login, pw, relayState string) (*mfa.TxnView, error)
	TxnChallenge(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, *mfa.Sent, error)
	TxnResendChallenge(ctx context.Context, stateToken, factorID string) (*mfa.TxnView, *mfa.Sent, error)
	TxnVerify(ctx context.Context, stateToken, factorID, code string) (*mfa.TxnView, error)
	TxnCancel(ctx context.Context, stateToken string) (*mfa.TxnView, error)
	TxnRefuseNoFactor(ctx context.Context, stateToken, via string) error
	TxnPrevious(ctx context.Context, stateToken string) (*mfa.TxnView, error)
}

// Requests is the cluster-wide record of RADIUS requests and their sealed
// replies (mfa.Radius).
type Requests interface {
	ClaimRequest(ctx context.Context, key []byte, ttl time.Duration) (fresh bool, sealedReply []byte, err error)
	FinishRequest(ctx context.Context, key, sealedReply []byte) error
}

// Options configure a Server.
type Options struct {
	Signin   Signin
	Clients  ClientSource
	Requests Requests
	Sealer   Sealer
	// BaseURL is where users set up their factor, for the refusal of a
	// user without one.
	BaseURL  string
	Observer Observer // may be nil
	Logger   *slog.Logger
	Now      func() time.Time // time.Now when nil
	// Workers bounds the requests answered at once (default 16); up to
	// 4×Workers more wait, further ones are dropped (the NAS retransmits).
	Workers int
	// ClientsEvery is how often the client table is reloaded (default
	// 10 s): a client added or removed on any instance takes effect
	// within it.
	ClientsEvery time.Duration
	// ReplayTTL is how long this instance keeps a reply in memory for
	// retransmissions (default 2 min, longer than any NAS retransmits one
	// request).
	ReplayTTL time.Duration
	// RecordTTL is how long the cluster-wide record of a request lasts
	// (default 24 h): a retransmission that reaches another instance, and
	// a captured request replayed within it, get the reply already given
	// (no new SMS, no new try).
	RecordTTL time.Duration
}

// Server answers RADIUS Access-Requests on one UDP socket.
type Server struct {
	o       Options
	conn    *net.UDPConn
	clients clientTable
	replay  *replayCache
	jobs    chan job

	logMu      sync.Mutex
	lastLogged map[string]time.Time // per outcome: dropped packets are logged once a minute
}

type job struct {
	raw  []byte
	from netip.AddrPort
}

// Listen opens the UDP socket on addr and loads the client table; Serve
// answers on it. Errors: the address, or the client table not loading.
func Listen(ctx context.Context, addr string, o Options) (*Server, error) {
	if o.Signin == nil || o.Clients == nil || o.Sealer == nil || o.Requests == nil {
		return nil, errors.New("radius: Signin, Clients, Requests and Sealer are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Workers = cmpOr(o.Workers, 16)
	o.ClientsEvery = cmpOr(o.ClientsEvery, 10*time.Second)
	o.ReplayTTL = cmpOr(o.ReplayTTL, 2*time.Minute)
	o.RecordTTL = cmpOr(o.RecordTTL, 24*time.Hour)
	s := &Server{o: o, replay: newReplayCache(o.ReplayTTL, 8192), jobs: make(chan job, 4*o.Workers), lastLogged: map[string]time.Time{}}
	if err := s.reload(ctx); err != nil {
		return nil, err
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	if s.conn, err = net.ListenUDP("udp", ua); err != nil {
		return nil, err
	}
	return s, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.conn.LocalAddr() }

// reload loads the client table.
func (s *Server) reload(ctx context.Context) error {
	cs, err := s.o.Clients(ctx)
	if err != nil {
		return err
	}
	s.clients.set(cs)
	return nil
}

// Serve answers requests until ctx ends; then it closes the socket, lets
// the requests being answered finish and returns nil. Any other error of
// the socket is returned.
func (s *Server) Serve(ctx context.Context) error {
	var wg sync.WaitGroup
	// Answers in progress finish after ctx ends (each within
	// answerTimeout); only the reloading stops at once.
	work := context.WithoutCancel(ctx)
	for range s.o.Workers {
		wg.Go(func() {
			for j := range s.jobs {
				s.answer(work, j)
			}
		})
	}
	wg.Go(func() {
		t := time.NewTicker(s.o.ClientsEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.reload(ctx); err != nil && ctx.Err() == nil {
					s.o.Logger.Error("reload RADIUS clients", "err", err)
				}
			}
		}
	})
	go func() {
		<-ctx.Done()
		s.conn.Close() // ends the read loop; replies still being answered are not sent
	}()
	var err error
	buf := make([]byte, radius.MaxPacketLength)
	for {
		n, from, rerr := s.conn.ReadFromUDPAddrPort(buf)
		if rerr != nil {
			if ctx.Err() == nil {
				err = rerr
			}
			break
		}
		select {
		case s.jobs <- job{raw: append([]byte(nil), buf[:n]...), from: from}:
		default:
			s.drop(OutcomeBusy, from, "RADIUS request dropped: every worker is busy")
		}
	}
	close(s.jobs)
	wg.Wait()
	return err
}

// answer handles one datagram and sends its reply, if any.
func (s *Server) answer(ctx context.Context, j job) {
	reply := s.handle(ctx, j.raw, j.from)
	if reply == nil {
		return
	}
	if _, err := s.conn.WriteToUDPAddrPort(reply, j.from); err != nil && !errors.Is(err, net.ErrClosed) {
		s.o.Logger.Warn("send RADIUS reply", "to", j.from.String(), "err", err)
	}
}

// count tells the observer of an outcome.
func (s *Server) count(outcome string) {
	if s.o.Observer != nil {
		s.o.Observer.RadiusRequest(outcome)
	}
}

// drop counts a dropped request and logs it, at most once a minute per
// outcome, so a flood costs no log line per packet.
func (s *Server) drop(outcome string, from netip.AddrPort, msg string) {
	s.count(outcome)
	now := s.o.Now()
	s.logMu.Lock()
	log := now.Sub(s.lastLogged[outcome]) >= time.Minute
	if log {
		s.lastLogged[outcome] = now
	}
	s.logMu.Unlock()
	if log {
		s.o.Logger.Warn(msg+" (logged once a minute)", "outcome", outcome, "from", from.String())
	}
}
