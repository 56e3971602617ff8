package jobs

import (
	"fmt"
	"time"
)

// Schedule says when a periodic job is next due.
type Schedule interface {
	// Next is the first due time strictly after t.
	Next(t time.Time) time.Time
	// First is when a job never run before is first due, given the time now.
	First(now time.Time) time.Time
	String() string
}

// Every runs a job once in each period of d, periods counted from the Unix epoch, so
// that all instances agree on where a period starts and a job runs once in each.
func Every(d time.Duration) Schedule {
	if d <= 0 {
		panic("jobs: Every needs a positive period")
	}
	return every(d)
}

type every time.Duration

func (e every) Next(t time.Time) time.Time {
	d := time.Duration(e)
	return t.Truncate(d).Add(d)
}

// A job that runs every few seconds or minutes is due at once on first start.
func (e every) First(now time.Time) time.Time { return now }
func (e every) String() string                { return "every " + time.Duration(e).String() }

// DailyAt runs a job once a day at hour:minute in loc (the team's time zone), on the
// wall clock: at a DST change the day is 23 or 25 hours long. A time inside the hour
// that a spring change skips (02:30 when clocks jump from 02:00 to 03:00) runs that
// day an hour off, as time.Date normalises it; pick a time outside 01:00–03:00 for
// work that must not move.
func DailyAt(hour, minute int, loc *time.Location) Schedule {
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		panic(fmt.Sprintf("jobs: DailyAt(%d, %d) is not a time of day", hour, minute))
	}
	if loc == nil {
		loc = time.UTC
	}
	return daily{hour, minute, loc}
}

type daily struct {
	hour, minute int
	loc          *time.Location
}

func (d daily) Next(t time.Time) time.Time {
	lt := t.In(d.loc)
	for day := 0; day < 3; day++ {
		c := time.Date(lt.Year(), lt.Month(), lt.Day()+day, d.hour, d.minute, 0, 0, d.loc)
		if c.After(t) {
			return c
		}
	}
	panic("unreachable: a day later is always after t")
}

func (d daily) First(now time.Time) time.Time { return d.Next(now) }
func (d daily) String() string {
	return fmt.Sprintf("daily at %02d:%02d %s", d.hour, d.minute, d.loc)
}
