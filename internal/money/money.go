// Package money converts between integer minor units (how closeloop stores money)
// and the decimal major units people type and read.
package money

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxAmount is the largest amount closeloop accepts, in minor units: 15 digits
// (999,999,999,999,999 — 9,999,999,999,999.99 in a two-decimal currency such as USD,
// 999,999,999,999,999 yen). It bounds every amount that enters, through any door
// (API, web, CSV, bulk loads): an account's MRR, a movement's delta and the MRR it
// leads to, a contract's value. ParseMajor refuses more, so the CSV import's limit
// and the API's are the same number.
//
// Why this value: it is far above any real monthly revenue, yet small enough that
// int64 arithmetic on amounts cannot overflow where it matters. The difference of two
// amounts fits trivially, and a sum of amounts stays exact up to 9,223 of them at the
// maximum (math.MaxInt64 / MaxAmount); at realistic figures (the largest companies
// bill ~10¹² minor units a month) a sum would need millions of accounts to overflow.
const MaxAmount int64 = 999_999_999_999_999

// InRange reports whether v is an amount closeloop accepts: |v| ≤ MaxAmount.
func InRange(v int64) bool { return v >= -MaxAmount && v <= MaxAmount }

// MinRate and MaxRate bound an exchange rate the team enters (reporting-currency units
// per unit of another currency). Every real pair sits well inside them (the widest
// today, rial to dinar, is about 1e-5); an absurd rate is refused where it is entered
// rather than turned into absurd figures.
const (
	MinRate = 1e-6
	MaxRate = 1e6
)

// RateProblem says what is wrong with an exchange rate, or "" when it is usable.
func RateProblem(x float64) string {
	if !(x >= MinRate && x <= MaxRate) { // also refuses NaN and ±Inf
		return "must be a number from 0.000001 to 1000000 (reporting-currency units per unit)"
	}
	return ""
}

// Convert turns v minor units of from into minor units of to at rate (units of to per
// unit of from), so a zero-decimal currency such as JPY converts by its whole units.
// It rounds half away from zero and holds a result beyond int64 at its limit: Go leaves
// an out-of-range float-to-int conversion undefined (on amd64 it gives a negative
// number), and a sum shown as negative would be worse than one shown as huge.
func Convert(v int64, from, to string, rate float64) int64 {
	if strings.EqualFold(from, to) || rate == 1 && Exponent(from) == Exponent(to) {
		return v
	}
	f := math.Round(float64(v) * rate * math.Pow10(Exponent(to)-Exponent(from)))
	switch {
	case f >= math.MaxInt64: // float64(MaxInt64) is 2⁶³, one past the largest int64
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// TooLarge is the message for an amount outside ±MaxAmount, in the currency's major
// units when the currency is known ("at most 9999999999999.99").
func TooLarge(currency string) string {
	if currency == "" {
		return fmt.Sprintf("must be at most %d in minor units", MaxAmount)
	}
	return fmt.Sprintf("must be at most %s %s (%d in minor units)", FormatMajor(MaxAmount, currency), strings.ToUpper(currency), MaxAmount)
}

// zeroDecimal currencies have no minor unit (ISO 4217 exponent 0).
var zeroDecimal = map[string]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "ISK": true, "JPY": true, "KMF": true, "KRW": true,
	"PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true,
}

// Exponent is the number of decimal places of the currency's minor unit.
func Exponent(currency string) int {
	c := strings.ToUpper(currency)
	if cf, ok := currencyFormat[c]; ok {
		return cf.exp
	}
	if zeroDecimal[c] {
		return 0
	}
	return 2
}

// ParseMajor reads "1234.5", "1,234.50" or "99" as minor units of currency. It refuses
// more decimal places than the currency has, rather than rounding money silently, and
// amounts beyond ±MaxAmount.
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
	if err != nil || v > MaxAmount {
		return 0, fmt.Errorf("%q is too large: amounts %s", s, TooLarge(currency))
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
	unit := int64(1)
	for range exp {
		unit *= 10
	}
	return fmt.Sprintf("%s%d.%0*d", sign, minor/unit, exp, minor%unit)
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

// currencyFormat is how a currency is written: symbol before the amount and the number
// of decimals of its minor unit. Unknown codes fall back to "1,234.00 XYZ".
var currencyFormat = map[string]struct {
	sym string
	exp int
}{
	"USD": {"$", 2}, "EUR": {"€", 2}, "GBP": {"£", 2}, "JPY": {"¥", 0}, "CNY": {"CN¥", 2},
	"CAD": {"CA$", 2}, "AUD": {"A$", 2}, "NZD": {"NZ$", 2}, "CHF": {"CHF ", 2}, "INR": {"₹", 2},
	"BRL": {"R$", 2}, "MXN": {"MX$", 2}, "SEK": {"SEK ", 2}, "NOK": {"NOK ", 2}, "DKK": {"DKK ", 2},
	"PLN": {"PLN ", 2}, "KRW": {"₩", 0}, "SGD": {"S$", 2}, "HKD": {"HK$", 2}, "ZAR": {"R ", 2},
	"ILS": {"₪", 2}, "CZK": {"CZK ", 2}, "ISK": {"ISK ", 0}, "CLP": {"CLP ", 0}, "VND": {"₫", 0},
	"KWD": {"KWD ", 3}, "BHD": {"BHD ", 3}, "OMR": {"OMR ", 3}, "JOD": {"JOD ", 3}, "TND": {"TND ", 3},
}

// Format writes minor units as people read them: "$1,234", "€99.50". Cents are
// shown only when there are any, because MRR is usually whole and the zeros are noise.
func Format(minor int64, currency string) string {
	return format(minor, currency, false)
}

// FormatSigned is Format with an explicit sign, for movements.
func FormatSigned(minor int64, currency string) string {
	return format(minor, currency, true)
}

func format(minor int64, currency string, sign bool) string {
	cf, known := currencyFormat[strings.ToUpper(currency)]
	if !known {
		cf.exp = 2
	}
	neg := minor < 0
	if neg {
		minor = -minor
	}
	unit := int64(1)
	for range cf.exp {
		unit *= 10
	}
	whole, frac := minor/unit, minor%unit
	s := group(whole)
	if frac != 0 || (!known && cf.exp > 0) {
		s += fmt.Sprintf(".%0*d", cf.exp, frac)
	}
	if known {
		s = cf.sym + s
	} else if currency != "" {
		s += " " + currency
	}
	switch {
	case neg:
		s = "−" + s
	case sign:
		s = "+" + s
	}
	return s
}

// Short is for chart axes: "$12k", "$1.2M".
func Short(minor int64, currency string) string {
	cf, known := currencyFormat[strings.ToUpper(currency)]
	if !known {
		cf.exp = 2
	}
	v := float64(minor)
	for range cf.exp {
		v /= 10
	}
	var s string
	switch {
	case v >= 1e6:
		s = strconv.FormatFloat(v/1e6, 'f', -1, 64)
		s = trimTo(s, 1) + "M"
	case v >= 1e3:
		s = trimTo(strconv.FormatFloat(v/1e3, 'f', -1, 64), 1) + "k"
	default:
		s = trimTo(strconv.FormatFloat(v, 'f', -1, 64), 0)
	}
	if known {
		return strings.TrimSpace(cf.sym) + s
	}
	return s
}

// trimTo keeps at most n decimals without rounding up past what the axis tick is.
func trimTo(s string, n int) string {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return s
	}
	if n == 0 {
		return s[:i]
	}
	if len(s) > i+1+n {
		s = s[:i+1+n]
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
