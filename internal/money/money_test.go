package money

import "testing"

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
	}
	for _, c := range cases {
		got, err := ParseMajor(c.in, c.cur)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseMajor(%q,%s) = %d,%v want %d ok=%v", c.in, c.cur, got, err, c.want, c.ok)
		}
	}
}

func TestFormat(t *testing.T) {
	cases := []struct {
		minor int64
		cur   string
		want  string
	}{
		{123400, "USD", "$1,234"},
		{9950, "EUR", "€99.50"},
		{120000, "CHF", "1,200 CHF"},
		{1500, "JPY", "¥1,500"},
		{-500, "GBP", "-£5"},
		{123456789, "USD", "$1,234,567.89"},
		{0, "", "0"},
	}
	for _, c := range cases {
		if got := Format(c.minor, c.cur); got != c.want {
			t.Errorf("Format(%d,%s) = %q want %q", c.minor, c.cur, got, c.want)
		}
	}
	for _, v := range []int64{0, 1, 99, 100, 123450, -1230} {
		if back, err := ParseMajor(FormatMajor(v, "USD"), "USD"); err != nil || back != v {
			t.Errorf("round trip %d → %q → %d %v", v, FormatMajor(v, "USD"), back, err)
		}
	}
}
