-- One row: the id the next 加分/扣分 gets (n). Not scoped: /admin only, under the write lock.
-- Params: none.
SELECT coalesce(max(adjustment_id), 0) + 1 AS n FROM adjustments;
