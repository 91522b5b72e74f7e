-- The 加分/扣分 $adjustment_id (zero or one row, every column). Not scoped: /admin only.
-- Params: $adjustment_id.
SELECT * FROM adjustments WHERE adjustment_id = $adjustment_id;
