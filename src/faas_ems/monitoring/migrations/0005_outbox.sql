-- Events queued in the transaction of the change they describe (ems_runtime.outbox):
-- alert.raised, device.offline and device.online leave only once their change committed.
CREATE TABLE outbox (seq bigserial PRIMARY KEY, envelope jsonb NOT NULL);
