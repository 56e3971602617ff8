package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// GetSetting decodes the JSON stored under key into dst; it reports false when unset.
func (s *Store) GetSetting(ctx context.Context, key string, dst any) (bool, error) {
	var raw string
	err := s.read().row(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: get setting: %w", err)
	}
	return true, wrapf(json.Unmarshal([]byte(raw), dst), "store: get setting")
}

// PutSetting stores v as JSON under key.
func (s *Store) PutSetting(ctx context.Context, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: put setting: %w", err)
	}
	_, err = s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`), key, string(raw), ms(s.Now()))
	return wrapf(err, "store: put setting")
}

// InitSetting stores v under key only when the key is unset, so two instances that
// both generate a secret at first use agree on the one stored first. Read the winner
// back with GetSetting.
func (s *Store) InitSetting(ctx context.Context, key string, v any) error {
	_, err := s.settingIfAbsent(ctx, key, v)
	return wrapf(err, "store: init setting")
}

// PutSettingIfAbsent stores v under key unless the key is set, and reports whether it
// stored. Used for generated secrets: when two instances race to create one, both end
// up reading the single winner instead of each signing with its own.
func (s *Store) PutSettingIfAbsent(ctx context.Context, key string, v any) (bool, error) {
	stored, err := s.settingIfAbsent(ctx, key, v)
	return stored, wrapf(err, "store: put setting if absent")
}

func (s *Store) settingIfAbsent(ctx context.Context, key string, v any) (bool, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	res, err := s.writer().exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		key, string(raw), ms(s.Now()))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// settingOr reads the setting under key over start and returns it, or def() when the
// key is unset or cannot be read: a policy an admin never saved is the shipped one.
func settingOr[T any](ctx context.Context, s *Store, key string, start T, def func() T) (T, error) {
	if ok, err := s.GetSetting(ctx, key, &start); err != nil || !ok {
		return def(), err
	}
	return start, nil
}

// putChecked stores a policy under key once it passes its own Validate.
func putChecked(ctx context.Context, s *Store, key string, v interface{ Validate() error }) error {
	if err := v.Validate(); err != nil {
		return err
	}
	return s.PutSetting(ctx, key, v)
}
