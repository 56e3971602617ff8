package sentiment

import "strings"

// AboutService reports whether text is about the service people received (support,
// response time, an agent, onboarding) rather than the product itself: for the share
// of negative feedback that a support team, not the roadmap, can fix. A keyword
// match on whole words and phrases; product is everything else.
func AboutService(text string) bool {
	t := " " + normalizeForAspect(text) + " "
	for _, k := range serviceTerms {
		if strings.Contains(t, " "+k+" ") {
			return true
		}
	}
	return false
}

var serviceTerms = []string{
	"support", "customer service", "customer care", "helpdesk", "help desk", "service desk",
	"agent", "agents", "representative", "rep", "reps", "staff", "account manager", "csm",
	"response time", "response times", "responded", "respond", "responding", "response",
	"reply", "replied", "replies", "answer my", "answered", "no answer", "get back to",
	"got back to", "waiting", "waited", "wait", "on hold", "ticket", "tickets", "escalate",
	"escalated", "onboarding", "rude", "unhelpful", "live chat", "callback", "call back",
}

// normalizeForAspect lowercases text and turns everything but letters, digits and
// apostrophes into spaces, so terms match at word boundaries.
func normalizeForAspect(text string) string {
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(text) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '\'' || r > 127 {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
