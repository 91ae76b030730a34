-- SPDX-License-Identifier: MIT
-- 0011_site_time: the site's time zone (an IANA name of the system's
-- tzdata, checked by every writer), in which readers see dates and the
-- archive counts its months.  The date language is the older "language"
-- setting.  A change moves the content version like every setting
-- (0003's trigger on settings).
INSERT INTO settings (key, value) VALUES ('timezone', 'UTC')
ON CONFLICT (key) DO NOTHING;
