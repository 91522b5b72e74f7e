-- 小类 → its 大类 in the latest version of the category rules (wenming/ingest/context.py). Params: none.
SELECT category, arg_max(major, effective_month) FROM category_rules GROUP BY category;
