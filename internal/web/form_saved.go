package web

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/errs"
)

// saved ends a form whose fields were valid once the store has answered (err): kept,
// the flash is set and the browser goes back to the page; refused for a field, refused
// is told and done is false, so the caller shows the form again; any other error ends
// the request.
func (ui *Web) saved(w http.ResponseWriter, r *http.Request, err error, flash, back string, refused func(*errs.FieldError)) (done bool, _ error) {
	var fe *errs.FieldError
	switch {
	case err == nil:
		ui.setFlash(w, flash)
		return true, seeOther(w, r, back)
	case errors.As(err, &fe):
		refused(fe)
		return false, nil
	default:
		return true, err
	}
}

// besideField is the refusal of a form that shows each error next to its field.
func besideField(fieldErrors map[string]string) func(*errs.FieldError) {
	return func(fe *errs.FieldError) { fieldErrors[fe.Field] = fieldMsg(fe.Field, fe.Msg) }
}

// onTop is the refusal of a form that shows the store's one error above it.
func onTop(msg *string) func(*errs.FieldError) {
	return func(fe *errs.FieldError) { *msg = fe.Field + ": " + fe.Msg }
}
