-- campaigns: each station's outreach campaigns (county.Campaign, JSON), of each part
-- the report of the highest sequence stored; written by ingest with its entry.

-- +goose Up
CREATE TABLE campaigns (
	station_id text COLLATE "C" NOT NULL,
	id         text COLLATE "C" NOT NULL,
	part       integer NOT NULL,
	seq        bigint NOT NULL,
	data       bytea NOT NULL,
	PRIMARY KEY (station_id, id, part)
);

-- +goose Down
DROP TABLE campaigns;
