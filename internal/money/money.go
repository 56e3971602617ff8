// Package money converts between integer minor units (how closeloop stores money)
// and the decimal major units people type and read.
package money

import (
	"fmt"
	"strconv"
	"strings"
)

// zeroDecimal currencies have no minor unit (ISO 4217 exponent 0).
var zeroDecimal = map[string]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "ISK": true, "JPY": true, "KMF": true, "KRW": true,
	"PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true,
}

// Exponent is the number of decimal places of the currency's minor unit.
func Exponent(currency string) int {
	if zeroDecimal[strings.ToUpper(currency)] {
		return 0
	}
	return 2
}

// ParseMajor reads "1234.5", "1,234.50" or "99" as minor units of currency. It refuses
// more decimal places than the currency has, rather than rounding money silently.
func ParseMajor(s, currency string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	exp := Exponent(currency)
	if whole == "" || !digits(whole) || hasFrac && (frac == "" || !digits(frac)) {
		return 0, fmt.Errorf("%q is not an amount such as 1234.50", s)
	}
	if len(frac) > exp {
		return 0, fmt.Errorf("%q has more than %d decimal places for %s", s, exp, currency)
	}
	frac += strings.Repeat("0", exp-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || len(whole) > 15 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	if neg {
		v = -v
	}
	return v, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// FormatMajor writes minor units as a plain decimal ("1234.50"), the inverse of ParseMajor.
func FormatMajor(minor int64, currency string) string {
	exp := Exponent(currency)
	if exp == 0 {
		return strconv.FormatInt(minor, 10)
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}

var symbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CAD": "CA$", "AUD": "A$"}

// Format writes minor units for people: "$1,234", "€99.50", "1,200 CHF". Whole amounts
// drop the cents, which is how people read MRR.
func Format(minor int64, currency string) string {
	exp := Exponent(currency)
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	unit := int64(1)
	for i := 0; i < exp; i++ {
		unit *= 10
	}
	s := group(minor / unit)
	if rem := minor % unit; rem != 0 {
		s += fmt.Sprintf(".%0*d", exp, rem)
	}
	if sym, ok := symbols[currency]; ok {
		return sign + sym + s
	}
	if currency == "" {
		return sign + s
	}
	return sign + s + " " + currency
}

func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
