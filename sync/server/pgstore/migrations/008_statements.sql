-- Each device's enrollment statement signed by the province key
-- (internal/vouch, server.Storage.Vouch): NULL for devices enrolled
-- before statements were signed, until `lantian-server province-key
-- rotate --sign-unvouched` signs theirs.
ALTER TABLE devices ADD COLUMN statement bytea;
