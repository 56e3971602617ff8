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
