package web

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/health"
)

// The weights of the set in use on Settings → Health: one row per profile — the
// default, then each tier (by tier) or each lifecycle stage (by stage) — and one
// input per component. A tier or stage row left blank has no profile of its own and
// uses the default's weights; a blank cell in a row with any number is 0.

type weightRow struct {
	Key, Label string // Key is the profile's name, "" for the default
	Own        bool   // the set has a profile of this name
	Cells      []weightCell
}

type weightCell struct {
	Comp, Field, Value string
}

// weightRows lays out ws's profiles: the default, the mode's tiers or stages, and any
// other profile the set has (a tier since removed from the configuration), so saving
// loses none.
func (ui *Web) weightRows(ws health.WeightSet) []weightRow {
	keys := []string{""}
	labels := map[string]string{"": "default"}
	if ws.ModeOrTier() == health.ByStage {
		for _, st := range account.Stages {
			keys, labels[string(st)] = append(keys, string(st)), st.Label()
		}
	} else {
		for _, t := range ui.Config.Tiers {
			keys, labels[t] = append(keys, t), t
		}
	}
	for _, k := range sortedProfileNames(ws.Profiles) {
		if _, ok := labels[k]; !ok {
			keys, labels[k] = append(keys, k), k
		}
	}
	rows := make([]weightRow, 0, len(keys))
	for i, k := range keys {
		p, own := ws.Profiles[k]
		row := weightRow{Key: k, Label: labels[k], Own: own}
		for _, c := range health.Components {
			cell := weightCell{Comp: c, Field: "w_" + strconv.Itoa(i) + "_" + c}
			if own {
				cell.Value = strconv.FormatFloat(p[c], 'f', -1, 64)
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

func sortedProfileNames(m map[string]map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// saveWeights reads the mode and the weights from the form into hs: another mode
// starts from that mode's shipped profiles (the rows shown were the old mode's);
// other weights make a new set. A set equal to one already kept is chosen again
// rather than copied; a new one gets the next version id and becomes active.
func (ui *Web) saveWeights(v url.Values, hs *health.Settings, d *healthSettingsData) {
	cur := hs.Weights()
	next := health.WeightSet{Mode: v.Get("mode"), Profiles: map[string]map[string]float64{}}
	switch next.Mode {
	case health.ByTier, health.ByStage:
	default:
		d.Errors["mode"] = "Choose by tier or by lifecycle stage."
		return
	}
	d.Mode = next.Mode
	if next.Mode != cur.ModeOrTier() {
		next.Profiles = health.DefaultProfiles(next.Mode)
	} else {
		for i, row := range d.Weights {
			blank := true
			w := map[string]float64{}
			for j, cell := range row.Cells {
				text := strings.TrimSpace(v.Get(cell.Field))
				d.Weights[i].Cells[j].Value = text
				if text == "" {
					continue
				}
				blank = false
				n, err := strconv.ParseFloat(text, 64)
				if err != nil || n < 0 || n > 1000 {
					d.Errors[cell.Field] = "Enter a number from 0 to 1000."
					continue
				}
				w[cell.Comp] = n
			}
			if !blank || row.Key == "" {
				next.Profiles[row.Key] = w
			}
		}
	}
	if len(d.Errors) > 0 || health.SameWeights(next, cur) {
		return
	}
	for _, w := range hs.Sets {
		if health.SameWeights(w, next) {
			hs.Active = w.Version
			return
		}
	}
	next.Version = health.NextVersion(hs.Sets)
	hs.Sets = append(hs.Sets, next)
	hs.Active = next.Version
}
