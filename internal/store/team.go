package store

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/id"
)

const memberCols = `id, email, name, role, password_hash, disabled, capacity, created_at`

func scanMember(sc interface{ Scan(...any) error }) (auth.Member, error) {
	var m auth.Member
	var role string
	var created int64
	err := sc.Scan(&m.ID, &m.Email, &m.Name, &role, &m.PasswordHash, &m.Disabled, &m.Capacity, &created)
	m.Role, m.CreatedAt = auth.Role(role), fromMS(created)
	return m, wrapf(notFound(err), "scan member")
}

func validateMember(m *auth.Member) error {
	m.Email = strings.ToLower(strings.TrimSpace(m.Email))
	m.Name = strings.TrimSpace(m.Name)
	if a, err := mail.ParseAddress(m.Email); err != nil || a.Address != m.Email {
		return errs.Invalidf("email", "%q is not an email address", m.Email)
	}
	if !m.Role.Valid() {
		return errs.Invalidf("role", "%q is not admin, member or viewer", m.Role)
	}
	if m.Capacity <= 0 {
		m.Capacity = 40
	}
	return nil
}

// CreateMember adds a team member; PasswordHash must already be set by the caller.
func (s *Store) CreateMember(ctx context.Context, m *auth.Member) error {
	if err := validateMember(m); err != nil {
		return err
	}
	now := s.Now()
	m.ID, m.CreatedAt = id.NewAt(now), now
	_, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO team_members (`+memberCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		m.ID, m.Email, m.Name, string(m.Role), m.PasswordHash, m.Disabled, m.Capacity, ms(now))
	if s.d.isUnique(err) {
		return errs.Invalidf("email", "%s is already on the team", m.Email)
	}
	return wrapf(err, "store: create member")
}

// ErrLastAdmin refuses a change that would leave the team with no enabled admin.
var ErrLastAdmin = errs.Conflict("role", "this is the last admin: make someone else an admin first")

// UpdateMember saves name, role, capacity, disabled and password hash. Disabling a
// member ends their sessions and suspends the API keys they created until they are
// enabled again (see apiKeyCols). The team always keeps one enabled admin.
func (s *Store) UpdateMember(ctx context.Context, m *auth.Member) error {
	if err := validateMember(m); err != nil {
		return err
	}
	return wrapf(s.tx(ctx, func(q q) error {
		// Lock the enabled admins first, so two admins demoting each other at once
		// cannot both see the other still in place.
		admins, err := collect(ctx, q, one[string], `SELECT id FROM team_members WHERE role = 'admin' AND disabled = FALSE`+s.d.forUpdate())
		if err != nil {
			return err
		}
		if slices.Contains(admins, m.ID) && len(admins) == 1 && (m.Role != auth.RoleAdmin || m.Disabled) {
			return ErrLastAdmin
		}
		if err := changed(q.exec(ctx, `UPDATE team_members SET name = ?, role = ?, capacity = ?, disabled = ?, password_hash = ? WHERE id = ?`,
			m.Name, string(m.Role), m.Capacity, m.Disabled, m.PasswordHash, m.ID)); err != nil {
			return err
		}
		if m.Disabled {
			_, err = q.exec(ctx, `DELETE FROM sessions WHERE member_id = ?`, m.ID)
		}
		return err
	}), "store: update member")
}

// GetMember returns a member by id.
func (s *Store) GetMember(ctx context.Context, memberID string) (auth.Member, error) {
	return scanMember(s.read().row(ctx, `SELECT `+memberCols+` FROM team_members WHERE id = ?`, memberID))
}

// GetMemberByEmail returns a member by email, any case.
func (s *Store) GetMemberByEmail(ctx context.Context, email string) (auth.Member, error) {
	return scanMember(s.read().row(ctx, `SELECT `+memberCols+` FROM team_members WHERE email = ?`, strings.ToLower(strings.TrimSpace(email))))
}

// ListMembers returns the whole team by name.
func (s *Store) ListMembers(ctx context.Context) ([]auth.Member, error) {
	out, err := collect(ctx, s.read(), scanMember, `SELECT `+memberCols+` FROM team_members ORDER BY name, email`)
	return out, wrapf(err, "store: list members")
}

// CountAdmins counts enabled admins, so the last one cannot be demoted or disabled.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.read().row(ctx, `SELECT COUNT(*) FROM team_members WHERE role = 'admin' AND disabled = FALSE`).Scan(&n)
	return n, wrapf(err, "store: count admins")
}

// CreateSession stores a session for the token's hash.
func (s *Store) CreateSession(ctx context.Context, tokenHash, memberID string, ttl time.Duration) (auth.Session, error) {
	now := s.Now()
	sess := auth.Session{TokenHash: tokenHash, MemberID: memberID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	_, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO sessions (token_hash, member_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		tokenHash, memberID, ms(now), ms(sess.ExpiresAt))
	return sess, wrapf(err, "store: create session %s", memberID)
}

// SessionMember returns the enabled member behind a live session.
func (s *Store) SessionMember(ctx context.Context, tokenHash string) (auth.Member, error) {
	return scanMember(s.read().row(ctx, `SELECT m.id, m.email, m.name, m.role, m.password_hash, m.disabled, m.capacity, m.created_at
		FROM sessions s JOIN team_members m ON m.id = s.member_id
		WHERE s.token_hash = ? AND s.expires_at > ? AND m.disabled = FALSE`, tokenHash, ms(s.Now())))
}

// DeleteSession signs a browser out.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash)
	return wrapf(err, "store: delete session")
}

// DeleteExpiredSessions removes dead sessions; a job calls it.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM sessions WHERE expires_at <= ?`), ms(s.Now()))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// apiKeyCols ends with whether the key is suspended: its creator is a disabled member.
// Disabling a person suspends the keys they made (and the keys made with those keys,
// which are attributed to the same person); enabling them again restores the keys.
const apiKeyCols = `id, name, prefix, hash, scopes, COALESCE(created_by, ''), created_at, last_used_at, revoked,
	EXISTS (SELECT 1 FROM team_members m WHERE m.id = api_keys.created_by AND m.disabled = TRUE)`

func scanAPIKey(sc interface{ Scan(...any) error }) (auth.APIKey, error) {
	var k auth.APIKey
	var scopes string
	var created, used int64
	err := sc.Scan(&k.ID, &k.Name, &k.Prefix, &k.Hash, &scopes, &k.CreatedBy, &created, &used, &k.Revoked, &k.Suspended)
	for _, sc := range strings.Split(scopes, ",") {
		if sc != "" {
			k.Scopes = append(k.Scopes, auth.Scope(sc))
		}
	}
	k.CreatedAt, k.LastUsedAt = fromMS(created), fromMS(used)
	return k, wrapf(notFound(err), "scan api key")
}

// CreateAPIKey makes a key and returns its secret, which is never stored and so can be
// shown only this once.
func (s *Store) CreateAPIKey(ctx context.Context, name string, scopes []auth.Scope, createdBy string) (auth.APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return auth.APIKey{}, "", errs.Invalid("name", "is required, so you can tell keys apart")
	}
	if len(scopes) == 0 {
		return auth.APIKey{}, "", errs.Invalid("scopes", "at least one scope is needed")
	}
	secret, prefix, hash := auth.NewAPIKey()
	now := s.Now()
	k := auth.APIKey{ID: id.NewAt(now), Name: name, Prefix: prefix, Hash: hash, Scopes: scopes, CreatedBy: createdBy, CreatedAt: now}
	ss := make([]string, len(scopes))
	for i, sc := range scopes {
		ss[i] = string(sc)
	}
	_, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO api_keys (id, name, prefix, hash, scopes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		k.ID, k.Name, k.Prefix, k.Hash, strings.Join(ss, ","), nullable(createdBy), ms(now))
	return k, secret, wrapf(err, "store: create api key")
}

// ErrBadKey is returned for a missing, unknown, revoked or suspended API key.
var ErrBadKey = errors.New("invalid or revoked API key")

// AuthenticateAPIKey finds the live key matching the presented secret and marks it used.
// A key whose creator is disabled is refused like a revoked one, checked on every
// request, so disabling a person stops their keys at once.
func (s *Store) AuthenticateAPIKey(ctx context.Context, secret string) (auth.APIKey, error) {
	prefix := auth.APIKeyPrefix(secret)
	if prefix == "" {
		return auth.APIKey{}, ErrBadKey
	}
	k, err := scanAPIKey(s.read().row(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE prefix = ?`, prefix))
	if errors.Is(err, ErrNotFound) {
		return auth.APIKey{}, ErrBadKey
	}
	if err != nil {
		return auth.APIKey{}, fmt.Errorf("api key lookup: %w", err) // a database failure is not a bad key
	}
	if k.Revoked || k.Suspended || !auth.SameHash(k.Hash, auth.HashToken(secret)) {
		return auth.APIKey{}, ErrBadKey
	}
	now := s.Now()
	// Record use at most once a minute per key: a busy pipeline must not turn every
	// read into a write.
	if now.Sub(k.LastUsedAt) > time.Minute {
		s.w.ExecContext(ctx, s.d.rebind(`UPDATE api_keys SET last_used_at = ? WHERE id = ?`), ms(now), k.ID)
	}
	return k, nil
}

// ListAPIKeys returns every key, newest first.
func (s *Store) ListAPIKeys(ctx context.Context) ([]auth.APIKey, error) {
	out, err := collect(ctx, s.read(), scanAPIKey, `SELECT `+apiKeyCols+` FROM api_keys ORDER BY id DESC`)
	return out, wrapf(err, "store: list api keys")
}

// RevokeAPIKey stops a key working at once.
func (s *Store) RevokeAPIKey(ctx context.Context, keyID string) error {
	return wrapf(changed(s.writer().exec(ctx, `UPDATE api_keys SET revoked = TRUE WHERE id = ?`, keyID)), "store: revoke api key %s", keyID)
}
