-- The retention sweep finds read items by when they were read: a partial
-- index, so unread items (every new one) cost it nothing on insert.
CREATE INDEX inbox_items_read_at ON inbox_items (read_at) WHERE read_at IS NOT NULL;
