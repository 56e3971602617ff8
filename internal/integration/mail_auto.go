package integration

import (
	"mime"
	"net/mail"
	"strings"
)

// automatedReason tells mail a machine sent from mail a person wrote, from the
// headers and the top-level content type, and returns why it is automated ("" for a
// person). Bounces, spam complaints, read receipts and out-of-office replies reach
// the feedback address as replies to our own mail; stored as feedback they would be
// "customer words" no customer wrote, one even attached to the customer's account.
//
// Deliberately not signals on their own: X-Auto-Response-Suppress (Outlook sets it on
// ordinary mail a person sends) and List-Id (a customer writing from a mailing list
// or a shared Google Group is still a person); Precedence: list likewise.
func automatedReason(h mail.Header, topType string, topParams map[string]string) string {
	if topType == "multipart/report" || topType == "message/delivery-status" || topType == "message/feedback-report" || topType == "message/disposition-notification" {
		switch strings.ToLower(topParams["report-type"]) {
		case "delivery-status":
			return "delivery status notification (bounce)"
		case "feedback-report":
			return "spam complaint (ARF feedback report)"
		case "disposition-notification":
			return "read receipt (message disposition notification)"
		}
		switch topType {
		case "message/delivery-status":
			return "delivery status notification (bounce)"
		case "message/feedback-report":
			return "spam complaint (ARF feedback report)"
		case "message/disposition-notification":
			return "read receipt (message disposition notification)"
		}
		return "automated report (multipart/report)"
	}
	// RFC 3834: anything but "no" (auto-generated, auto-replied, auto-notified, and
	// any extension) means no human sent it.
	if v := h.Get("Auto-Submitted"); v != "" {
		// The keyword may carry parameters and comments: "auto-generated (failure)".
		kw := strings.ToLower(strings.TrimSpace(strings.SplitN(v, ";", 2)[0]))
		if i := strings.IndexAny(kw, " \t("); i >= 0 {
			kw = kw[:i]
		}
		if kw != "no" && kw != "" {
			return "automated mail (Auto-Submitted: " + kw + ")"
		}
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"} {
		if v := strings.ToLower(strings.TrimSpace(h.Get(name))); v != "" && v != "no" && v != "false" && v != "0" {
			return "auto-reply (" + name + ")"
		}
	}
	// Apple's iCloud vacation reply carries only its own header.
	if strings.EqualFold(strings.TrimSpace(h.Get("X-Apple-Action")), "vacation") {
		return "auto-reply (X-Apple-Action: VACATION)"
	}
	switch p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); p {
	case "bulk", "junk", "auto_reply", "auto-reply":
		return "automated mail (Precedence: " + p + ")"
	}
	// A null reverse-path is what RFC 5321 and RFC 3834 require of bounces and
	// auto-replies; no person's mail carries one.
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" {
		return "automated mail (null Return-Path)"
	}
	// Old-style bounces (qmail, some Exchange and Notes servers) are plain text from
	// the mailer daemon, with none of the headers above.
	if local := fromLocalPart(h.Get("From")); local == "mailer-daemon" || local == "postmaster" {
		return "delivery status notification (bounce from " + local + ")"
	}
	return ""
}

// fromLocalPart is the lower-cased local part of the first address in a From header,
// read leniently ("MAILER-DAEMON@host (Mail Delivery System)").
func fromLocalPart(from string) string {
	addr := ""
	if a, err := (&mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}).Parse(from); err == nil {
		addr = a.Address
	} else if a := lenientAddress(from, ""); a != nil {
		addr = a.Address
	}
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		addr = addr[:at]
	}
	return strings.ToLower(addr)
}
