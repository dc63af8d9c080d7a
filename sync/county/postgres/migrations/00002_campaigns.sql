-- campaigns: each station's outreach campaigns (county.Campaign, JSON), the report of
-- the highest sequence stored; written by ingest with the entry that carries it.

-- +goose Up
CREATE TABLE campaigns (
	station_id text COLLATE "C" NOT NULL,
	id         text COLLATE "C" NOT NULL,
	seq        bigint NOT NULL,
	data       bytea NOT NULL,
	PRIMARY KEY (station_id, id)
);

-- +goose Down
DROP TABLE campaigns;
