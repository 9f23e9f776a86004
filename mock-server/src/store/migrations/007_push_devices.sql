-- Push devices (domain/devices/devices.ts). The table came with schema v2 and had no API, so it
-- holds no rows yet: its columns can be tightened. `platform` is the provider; `push_token` the
-- FCM or APNs token or the Web Push endpoint; `device_id` a digest of both (its old unique key
-- stays meaningful). One token belongs to one user of an app at a time.
ALTER TABLE app_user_devices
  ADD CONSTRAINT app_user_devices_platform_check CHECK (platform IN ('fcm', 'apns', 'web')),
  ADD COLUMN apns_environment text CHECK (apns_environment IN ('sandbox', 'production')),
  ADD COLUMN web_p256dh text,
  ADD COLUMN web_auth text,
  ADD COLUMN name text,
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE app_user_devices ALTER COLUMN push_token SET NOT NULL;
CREATE UNIQUE INDEX app_user_devices_token_key ON app_user_devices (app_id, platform, push_token);
