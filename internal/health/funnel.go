package health

import "sort"

// The onboarding funnel: signed up → onboarding started (any step done) → aha (the
// aha step done) → activated → upgraded to paid. It is strict: an account is counted
// at a stage only when it also reached every stage before it, so each conversion is a
// share of the previous stage and never exceeds 100%.

// Funnel stages, in order.
var FunnelStages = []string{"signed_up", "started", "aha", "activated", "paid"}

// FunnelStageLabels name the stages for people.
var FunnelStageLabels = map[string]string{
	"signed_up": "Signed up", "started": "Onboarding started", "aha": "Aha moment", "activated": "Activated", "paid": "Upgraded to paid",
}

// FunnelAccount is where one account got to.
type FunnelAccount struct {
	Signup                        string // YYYY-MM-DD
	Started, Aha, Activated, Paid bool
	TTVDays                       int // signup → activation, when activated
}

// FunnelStage is one stage's count and its conversions (0–1; 0 when the stage before
// is empty).
type FunnelStage struct {
	Stage    string  `json:"stage"`
	Label    string  `json:"label"`
	Accounts int     `json:"accounts"`
	FromPrev float64 `json:"from_previous"` // of the stage before
	FromTop  float64 `json:"from_signup"`   // of those who signed up
}

// FunnelRow is the funnel of one group of accounts (all of them, or a signup month).
type FunnelRow struct {
	Month  string        `json:"month,omitempty"` // YYYY-MM; "" for the overall row
	Stages []FunnelStage `json:"stages"`
	// MedianTTVDays is the median time to value of the activated accounts; nil when none.
	MedianTTVDays *float64 `json:"median_ttv_days"`
}

// Funnel is the overall row and one per signup month, oldest first.
type Funnel struct {
	Overall  FunnelRow   `json:"overall"`
	ByMonth  []FunnelRow `json:"by_signup_month"`
	Accounts int         `json:"accounts"`
}

// ComputeFunnel counts the accounts at each stage, overall and by signup month.
func ComputeFunnel(accts []FunnelAccount) Funnel {
	byMonth := map[string][]FunnelAccount{}
	for _, a := range accts {
		if len(a.Signup) >= 7 {
			byMonth[a.Signup[:7]] = append(byMonth[a.Signup[:7]], a)
		}
	}
	months := make([]string, 0, len(byMonth))
	for m := range byMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	f := Funnel{Overall: funnelRow("", accts), ByMonth: []FunnelRow{}, Accounts: len(accts)}
	for _, m := range months {
		f.ByMonth = append(f.ByMonth, funnelRow(m, byMonth[m]))
	}
	return f
}

func funnelRow(month string, accts []FunnelAccount) FunnelRow {
	counts := make([]int, len(FunnelStages))
	var ttv []int
	for _, a := range accts {
		reached := []bool{true, a.Started, a.Aha, a.Activated, a.Paid}
		for i, ok := range reached {
			if !ok {
				break
			}
			counts[i]++
		}
		if a.Started && a.Aha && a.Activated {
			ttv = append(ttv, a.TTVDays)
		}
	}
	row := FunnelRow{Month: month}
	for i, st := range FunnelStages {
		fs := FunnelStage{Stage: st, Label: FunnelStageLabels[st], Accounts: counts[i]}
		if i > 0 && counts[i-1] > 0 {
			fs.FromPrev = round4(float64(counts[i]) / float64(counts[i-1]))
		} else if i == 0 && counts[0] > 0 {
			fs.FromPrev = 1
		}
		if counts[0] > 0 {
			fs.FromTop = round4(float64(counts[i]) / float64(counts[0]))
		}
		row.Stages = append(row.Stages, fs)
	}
	if len(ttv) > 0 {
		sort.Ints(ttv)
		m := float64(ttv[len(ttv)/2])
		if len(ttv)%2 == 0 {
			m = float64(ttv[len(ttv)/2-1]+ttv[len(ttv)/2]) / 2
		}
		row.MedianTTVDays = &m
	}
	return row
}
