"""督办单 (supervision orders): the 街道 issues an order to a 社区 (on an issue, an area result or a
missing submission), the 社区 replies, the 街道 verifies (通过 = 办结) or returns it. Rules and rates
(metrics), writes (actions), photos beside the database (photos), group-robot notices (notify) and
the page model (model)."""
