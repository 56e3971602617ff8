package money

import (
	"math"
	"testing"
)

func TestParseMajor(t *testing.T) {
	cases := []struct {
		in, cur string
		want    int64
		ok      bool
	}{
		{"1234.50", "USD", 123450, true},
		{"1,234.5", "USD", 123450, true},
		{"99", "EUR", 9900, true},
		{"0.01", "GBP", 1, true},
		{"-12.30", "USD", -1230, true},
		{"1500", "JPY", 1500, true},
		{"15.5", "JPY", 0, false}, // yen has no minor unit
		{"1.234", "USD", 0, false},
		{"abc", "USD", 0, false},
		{"1.", "USD", 0, false},
		{".5", "USD", 0, false},
		{"", "USD", 0, false},
		{"1e5", "USD", 0, false},
		{"9999999999999999", "USD", 0, false},
		// MaxAmount (15 digits of minor units) is the bound, whatever the exponent.
		{"9,999,999,999,999.99", "USD", MaxAmount, true},
		{"-9999999999999.99", "USD", -MaxAmount, true},
		{"10000000000000", "USD", 0, false},
		{"999999999999999", "JPY", MaxAmount, true},
		{"1000000000000000", "JPY", 0, false},
		{"999999999999.999", "KWD", MaxAmount, true},
		{"0000000000000000001", "USD", 100, true},
		{"99999999999999999999", "USD", 0, false},
	}
	for _, c := range cases {
		got, err := ParseMajor(c.in, c.cur)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseMajor(%q,%s) = %d,%v want %d ok=%v", c.in, c.cur, got, err, c.want, c.ok)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, 99, 100, 123450, -1230} {
		if back, err := ParseMajor(FormatMajor(v, "USD"), "USD"); err != nil || back != v {
			t.Errorf("round trip %d → %q → %d %v", v, FormatMajor(v, "USD"), back, err)
		}
	}
	for _, c := range []struct {
		v   int64
		cur string
	}{{1234, "KWD"}, {1500, "JPY"}, {-5, "EUR"}, {1, "BHD"}} {
		if back, err := ParseMajor(FormatMajor(c.v, c.cur), c.cur); err != nil || back != c.v {
			t.Errorf("round trip %d %s → %q → %d %v", c.v, c.cur, FormatMajor(c.v, c.cur), back, err)
		}
	}
	if Exponent("KWD") != 3 || Exponent("JPY") != 0 || Exponent("XYZ") != 2 {
		t.Error("exponents")
	}
}

func TestFormatForPeople(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{123400, "USD", "$1,234"},
		{9950, "EUR", "€99.50"},
		{5, "GBP", "£0.05"},
		{1500, "JPY", "¥1,500"},
		{-30000, "USD", "−$300"},
		{123456789, "USD", "$1,234,567.89"},
		{1000, "XYZ", "10.00 XYZ"},
		{1234, "KWD", "KWD 1.234"},
		{0, "USD", "$0"},
	} {
		if got := Format(c.minor, c.cur); got != c.want {
			t.Errorf("Format(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
	if got := FormatSigned(50000, "USD"); got != "+$500" {
		t.Errorf("delta %q", got)
	}
	for _, c := range []struct {
		minor int64
		want  string
	}{{0, "$0"}, {50000, "$500"}, {150000, "$1.5k"}, {1000000, "$10k"}, {250000000, "$2.5M"}} {
		if got := Short(c.minor, "USD"); got != c.want {
			t.Errorf("Short(%d) = %q, want %q", c.minor, got, c.want)
		}
	}
}

func TestConvert(t *testing.T) {
	cases := []struct {
		v        int64
		from, to string
		rate     float64
		want     int64
	}{
		{10000, "EUR", "USD", 1.08, 10800},                // €100.00 → $108.00
		{10000, "USD", "USD", 3, 10000},                   // same currency: no rate applies
		{10000, "JPY", "USD", 0.0067, 6700},               // ¥10,000 → $67.00: yen have no minor unit
		{6700, "USD", "JPY", 149.25, 10000},               // $67.00 → ¥10,000 (9999.75 rounds up)
		{1000, "KWD", "USD", 3.25, 325},                   // 1.000 KWD (3 decimals) → $3.25
		{-150, "EUR", "USD", 1.01, -152},                  // −151.5 rounds away from zero
		{MaxAmount, "JPY", "KWD", MaxRate, math.MaxInt64}, // beyond int64: held at the limit
		{-MaxAmount, "JPY", "KWD", MaxRate, math.MinInt64},
	}
	for _, c := range cases {
		if got := Convert(c.v, c.from, c.to, c.rate); got != c.want {
			t.Errorf("Convert(%d %s→%s at %g) = %d, want %d", c.v, c.from, c.to, c.rate, got, c.want)
		}
	}
}

func TestRateProblem(t *testing.T) {
	for _, x := range []float64{MinRate, 0.92, 1, 149.25, MaxRate} {
		if p := RateProblem(x); p != "" {
			t.Errorf("RateProblem(%g) = %q, want none", x, p)
		}
	}
	for _, x := range []float64{0, -1, MinRate / 2, MaxRate * 2, math.Inf(1), math.NaN()} {
		if RateProblem(x) == "" {
			t.Errorf("RateProblem(%g) accepted", x)
		}
	}
}
