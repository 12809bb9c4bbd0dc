package httpx

import (
	"context"
	"log/slog"

	"smsmfa/internal/mfa"
)

// WithRequestID wraps h so that every record logged with a context that
// carries a request (mfa.WithClient, which Common sets) gets the attribute
// request_id. Code on a request's path logs with its context
// (slog.InfoContext, Logger.Log(ctx, …)) for the line to carry it. A handler
// already wrapped is returned as it is.
func WithRequestID(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := mfa.ClientFrom(ctx).RequestID; id != "" {
			r = r.Clone()
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
