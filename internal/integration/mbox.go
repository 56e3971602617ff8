package integration

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// mbox import, for a support mailbox exported from Gmail (Takeout), Thunderbird,
// Apple Mail or a Unix mail spool: `closeloop import mbox FILE`.
//
// A message starts at a "From " line at the top of the file or after a blank line
// (mboxo/mboxrd writers leave one), or at any "From " line that looks like a real
// separator ("From sender date…" ending in a year), so an unescaped "From " sentence in
// a body written by a careless mboxo writer does not split a message. Body lines that
// were escaped as ">From ", ">>From "… lose one ">" (mboxrd; for mboxo this is also
// right for the ">From " lines it escapes).

// maxMboxMessage bounds one message so a file with no separators cannot exhaust memory.
const maxMboxMessage = 64 << 20

var mboxSeparator = regexp.MustCompile(`^From \S+.*\b\d{4}\s*$`)

// ReadMbox calls fn with each message of an mbox as a capture, in file order. A message
// that cannot be parsed, or an error from fn, stops the reading with an error that names
// the message number (1-based). Messages with no text at all, and automated mail
// (bounces, auto-replies, receipts), are skipped.
func ReadMbox(r io.Reader, fn func(feedback.Capture) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		msg      bytes.Buffer
		n        int  // messages started
		started  bool // inside a message
		prevEmpt = true
	)
	flush := func() error {
		if !started {
			return nil
		}
		raw := msg.Bytes()
		// The blank line before the next separator belongs to the mbox, not the message.
		raw = bytes.TrimSuffix(raw, []byte("\n"))
		c, err := ParseEmail(raw)
		if errors.Is(err, ErrNoText) || errors.Is(err, ErrAutomated) {
			return nil // bounces and auto-replies in a support mailbox are nobody's feedback
		}
		if err != nil {
			return fmt.Errorf("message %d: %w", n, err)
		}
		if err := fn(c); err != nil {
			return fmt.Errorf("message %d: %w", n, err)
		}
		return nil
	}
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			content := bytes.TrimRight(line, "\r\n")
			if bytes.HasPrefix(content, []byte("From ")) && (prevEmpt || mboxSeparator.Match(content)) {
				if ferr := flush(); ferr != nil {
					return ferr
				}
				msg.Reset()
				n++
				started = true
				prevEmpt = false
				continue
			}
			if !started {
				if len(bytes.TrimSpace(content)) == 0 {
					prevEmpt = true
					continue
				}
				return fmt.Errorf("message 1: not an mbox: the file does not start with a \"From \" line")
			}
			if unescaped, ok := unescapeFrom(content); ok {
				line = append(unescaped, line[len(content):]...)
			}
			if msg.Len()+len(line) > maxMboxMessage {
				return fmt.Errorf("message %d: larger than %d MB", n, maxMboxMessage>>20)
			}
			msg.Write(line)
			prevEmpt = len(content) == 0
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("message %d: reading: %w", n, err)
		}
	}
	return flush()
}

// unescapeFrom removes one ">" from a ">…>From " line.
func unescapeFrom(line []byte) ([]byte, bool) {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	if i == 0 || !bytes.HasPrefix(line[i:], []byte("From ")) {
		return nil, false
	}
	return append([]byte(nil), line[1:]...), true
}

// ImportMbox stores every message of an mbox through capture and counts what was new
// and what was already there (a re-import of the same file creates nothing). It stops
// at the first error, which names the message number.
func ImportMbox(ctx context.Context, r io.Reader, capture CaptureFunc) (created, duplicates int, err error) {
	err = ReadMbox(r, func(c feedback.Capture) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if sanitize(&c, time.Now()) != "" {
			return nil
		}
		_, isNew, err := capture(ctx, c)
		if err != nil {
			return err
		}
		if isNew {
			created++
		} else {
			duplicates++
		}
		return nil
	})
	return created, duplicates, err
}
