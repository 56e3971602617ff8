package store

// record is a domain value that puts its own fields in one form (trimmed, lower-case
// emails, defaults) and then checks them: people, contracts, touchpoints, requests,
// playbooks, surveys, the key steps.
type record interface {
	Normalize()
	Validate() error
}

// clean normalizes r and validates it, so that every write stores a record in the
// form its package defines and refuses it in that package's words.
func clean(r record) error {
	r.Normalize()
	return r.Validate()
}
