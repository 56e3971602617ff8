package api

import "strings"

// bearerToken reads "Bearer <token>" from an Authorization header. The scheme is
// case-insensitive (RFC 9110 §11.1: "bearer", "BEARER" are the same scheme), and any
// run of spaces may follow it.
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}
