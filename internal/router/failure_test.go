package router

import (
	"errors"
	"net/http"
	"testing"
)

func TestFailure(t *testing.T) {
	for _, tc := range []struct {
		e    *Error
		want bool
	}{
		{Classify(errors.New("db down")), true},
		{&Error{Status: http.StatusServiceUnavailable, Msg: "SSO is not set up"}, false},
		{&Error{Status: http.StatusServiceUnavailable, Msg: "busy", Err: errors.New("pool exhausted")}, true},
		{&Error{Status: http.StatusBadGateway, Msg: "upstream"}, true},
		{FieldErr("name", "is required"), false},
		{NotFound("tag"), false},
	} {
		if got := tc.e.Failure(); got != tc.want {
			t.Errorf("%d %q (err %v): Failure %v, want %v", tc.e.Status, tc.e.Msg, tc.e.Err, got, tc.want)
		}
	}
}
