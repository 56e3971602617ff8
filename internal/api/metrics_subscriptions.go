package api

import (
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/revenue"
)

// subscriptionInput is one subscription period of the bulk import. Amounts are minor
// units, as everywhere in the API: mrr (quantity included), or amount per unit and
// billing_interval with quantity.
type subscriptionInput struct {
	AccountExternalID string `json:"account_external_id"`
	SubscriptionID    string `json:"subscription_id"`
	Plan              string `json:"plan"`
	Start             string `json:"start"`
	End               string `json:"end"`
	MRR               *int64 `json:"mrr"`
	Amount            *int64 `json:"amount"`
	BillingInterval   string `json:"billing_interval"`
	Quantity          *int   `json:"quantity"`
	Currency          string `json:"currency"`
}

func decodeSubscription(o object) (revenue.Subscription, error) {
	var in subscriptionInput
	if err := o.rejectNulls(); err != nil {
		return revenue.Subscription{}, err
	}
	if err := o.decode(&in); err != nil {
		return revenue.Subscription{}, err
	}
	s := revenue.Subscription{AccountExternalID: strings.TrimSpace(in.AccountExternalID), ID: strings.TrimSpace(in.SubscriptionID),
		Plan: in.Plan, Currency: strings.ToUpper(strings.TrimSpace(in.Currency)), Quantity: 1}
	var err error
	if in.Start == "" {
		return s, errs.Invalid("start", "start is required")
	}
	if s.Start, err = parseTime(in.Start); err != nil {
		return s, errs.Invalidf("start", "start %q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", in.Start)
	}
	if in.End != "" {
		if s.End, err = parseTime(in.End); err != nil {
			return s, errs.Invalidf("end", "end %q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", in.End)
		}
	}
	if in.Quantity != nil {
		if *in.Quantity < 1 || *in.Quantity > 1_000_000 {
			return s, errs.Invalid("quantity", "quantity must be from 1 to 1000000")
		}
		s.Quantity = *in.Quantity
	}
	switch {
	case in.MRR != nil && in.Amount != nil:
		return s, errs.Invalid("amount", "give mrr or amount with billing_interval, not both")
	case in.MRR != nil:
		s.MRR = *in.MRR
	case in.Amount != nil:
		if *in.Amount < 0 {
			return s, errs.Invalid("amount", "amount cannot be negative")
		}
		if s.MRR, err = revenue.MRRFromAmount(*in.Amount, in.BillingInterval, s.Quantity); err != nil {
			return s, err
		}
	default:
		return s, errs.Invalid("mrr", "give mrr, or amount with billing_interval")
	}
	return s, s.Check()
}

// bulkSubscriptions imports {"subscriptions": [...]} all or nothing, like
// 'closeloop import subscriptions'; a refused item is named by position and field.
func (a *API) bulkSubscriptions(w http.ResponseWriter, r *http.Request) error {
	subs, err := readBulk(w, r, "subscriptions", decodeSubscription)
	if err != nil {
		return err
	}
	if len(subs) > maxBulk*10 {
		return errs.Invalidf("subscriptions", "at most %d subscriptions per request", maxBulk*10)
	}
	res, err := a.Store.ImportSubscriptions(r.Context(), subs)
	if err != nil {
		if ie, ok := err.(*errs.ItemError); ok {
			return itemErr(ie.Index, ie.Err)
		}
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
