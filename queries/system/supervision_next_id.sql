-- One row: the id the next 督办单 gets (n). Not scoped: run inside the issuing transaction, after the
-- caller checked the 社区 is within the issuer's 街道.
-- Params: none.
SELECT coalesce(max(order_id), 0) + 1 AS n FROM supervision_steps;
