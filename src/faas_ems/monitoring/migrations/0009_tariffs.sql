-- Tariffs: what a kWh costs at each local hour of a site, and a fixed charge per day
-- (see docs/api.md, "Tariffs and cost"). Monitoring owns them because every consumption
-- view prices its hours with them.
CREATE TABLE tariffs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    currency char(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One price band: from valid_from (a local date) until the next valid_from of the same
-- tariff, on the days named, for the local hours [from_hour, to_hour) (to_hour <= from_hour
-- wraps past midnight). The bands of one valid_from cover every hour of every day once.
CREATE TABLE tariff_prices (
    tariff_id uuid NOT NULL REFERENCES tariffs (id) ON DELETE CASCADE,
    valid_from date NOT NULL,
    days text NOT NULL CHECK (days IN ('all', 'weekdays', 'weekends')),
    from_hour smallint NOT NULL CHECK (from_hour BETWEEN 0 AND 23),
    to_hour smallint NOT NULL CHECK (to_hour BETWEEN 1 AND 24),
    price_per_kwh numeric NOT NULL CHECK (price_per_kwh >= 0),
    PRIMARY KEY (tariff_id, valid_from, days, from_hour)
);

-- The fixed charge per local day, dated like the prices: changing it adds a row from the
-- next day that has not begun anywhere, so days already billed keep theirs.
CREATE TABLE tariff_fixed_charges (
    tariff_id uuid NOT NULL REFERENCES tariffs (id) ON DELETE CASCADE,
    valid_from date NOT NULL,
    amount numeric NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (tariff_id, valid_from)
);

-- The tariff inventory set on the device, copied with the device's other fields. Not a
-- foreign key: copies follow events, and a tariff deleted meanwhile prices nothing.
ALTER TABLE devices ADD COLUMN tariff_id uuid;
CREATE INDEX devices_by_tariff ON devices (tariff_id) WHERE tariff_id IS NOT NULL;
