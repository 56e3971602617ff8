package integration

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"

	"github.com/closeloop/closeloop/internal/feedback"
)

// Raw deliveries. Each captured item's delivery (the body and the few headers the
// parsers read) is kept for Deps.RawRetention, so that a parsing fix can be re-run over
// recent items with `closeloop reparse --since` (Reparse): every vendor and email
// (parseEmailDelivery). The signature headers are
// not kept: a kept delivery is re-parsed, never re-verified or replayed.

// rawHeaderNames are the headers a parser reads besides the body.
var rawHeaderNames = []string{"Content-Type", "X-HelpScout-Event"}

func rawHeaders(r *http.Request) string {
	h := map[string]string{}
	for _, k := range rawHeaderNames {
		if v := r.Header.Get(k); v != "" {
			h[k] = v
		}
	}
	b, _ := json.Marshal(h)
	return string(b)
}

// ErrNoReparse means a kept delivery's source cannot be re-parsed here.
var ErrNoReparse = errors.New("this source is not re-parsed")

// Reparse runs the current parser over a kept delivery and returns the capture it
// makes now, or nil when it would now be ignored (with the reason).
// members, when set, tells team members' forwards from customers' (see email.go).
func Reparse(ctx context.Context, source, headers string, body []byte, members MemberLookup) (c *feedback.Capture, ignored string, err error) {
	var h map[string]string
	if headers != "" {
		if err := json.Unmarshal([]byte(headers), &h); err != nil {
			return nil, "", err
		}
	}
	var out *outcome
	switch feedback.Source(source) {
	case feedback.SourceIntercom:
		out, err = parseIntercom(body)
	case feedback.SourceZendesk:
		out, err = parseZendesk(body)
	case feedback.SourceHelpScout:
		out, err = parseHelpScout(h["X-HelpScout-Event"], body)
	case feedback.SourceFreshdesk:
		out, err = parseFreshdesk(body)
	case feedback.SourceSlack:
		ct, _, _ := mime.ParseMediaType(h["Content-Type"])
		out, err = parseSlack(ct, body)
	case feedback.SourceEmail:
		out, err = parseEmailDelivery(ctx, h["Content-Type"], body, members)
	default:
		return nil, "", ErrNoReparse
	}
	if err != nil {
		return nil, "", err
	}
	if out.capture == nil {
		return nil, out.ignored, nil
	}
	return out.capture, "", nil
}
