-- SPDX-License-Identifier: MIT
-- 0006_user_disable: a user an operator has disabled (inkwellctl user
-- disable) cannot sign in, and neither their sessions nor their API
-- tokens are accepted while disabled_at is set.  Nothing else about the
-- user changes: their posts stay, and enabling them again gives back
-- their tokens (not their sessions, which disabling deleted).
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
