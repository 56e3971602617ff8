package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// SigningKey returns the HMAC key kept in the settings row name, creating a random
// 32-byte one at first use so a fresh install needs no configuration. The first
// instance to store one wins (InitSetting), so several instances agree. Changing the
// row invalidates every link signed with it; don't.
func (s *Store) SigningKey(ctx context.Context, name string) ([]byte, error) {
	var v string
	if ok, err := s.GetSetting(ctx, name, &v); err != nil {
		return nil, fmt.Errorf("store: signing key: %w", err)
	} else if !ok || v == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("store: signing key: %w", err)
		}
		if err := s.InitSetting(ctx, name, hex.EncodeToString(b)); err != nil {
			return nil, fmt.Errorf("store: signing key: %w", err)
		}
		if _, err := s.GetSetting(ctx, name, &v); err != nil {
			return nil, fmt.Errorf("store: signing key: %w", err)
		}
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("store: the signing secret in settings %q is damaged", name)
	}
	return key, nil
}
