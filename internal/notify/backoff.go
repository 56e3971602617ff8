package notify

import "time"

// DefaultBackoff is the wait before each retry: six attempts over about 15 hours
// ride out an SMTP server's maintenance window or a receiver's deploy, then the row
// fails and stays visible in the delivery log for an admin to retry.
var DefaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}

// retryAt is when to try again after the attempts-th attempt failed, or zero to give
// up.
func retryAt(backoff []time.Duration, attempts int, now time.Time) time.Time {
	if attempts < 1 || attempts > len(backoff) {
		return time.Time{}
	}
	return now.Add(backoff[attempts-1])
}
