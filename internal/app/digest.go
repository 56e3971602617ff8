package app

import "github.com/closeloop/closeloop/internal/digest"

// addDigestJob registers the daily email digest (internal/digest).
func (a *App) addDigestJob() {
	s := &digest.Sender{Store: a.Store, BaseURL: a.Config.BaseURL, Log: a.Log}
	a.Jobs.Add(s.Job(a.Store.Now))
}
