package web

import (
	"net/http"
	"slices"

	"smsmfa/internal/httpx"
)

// devPage lists the development sink's messages, newest first.
func (h *Handler) devPage(w http.ResponseWriter, r *http.Request) {
	u, err := h.currentUser(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	msgs := h.dev.Messages()
	slices.Reverse(msgs)
	h.render(w, r, &devSMSPage{common: common{User: u}, Messages: msgs})
}

// devMessages returns the sink's messages as JSON, newest last.
func (h *Handler) devMessages(w http.ResponseWriter, r *http.Request) {
	httpx.JSON(w, http.StatusOK, h.dev.Messages())
}
