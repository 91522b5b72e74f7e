-- Every issue's latest status and 发现时间 (wenming/ingest/context.py: what a 回访 checks). Params: none.
SELECT community_code, issue_no, status, found_at FROM issue_current;
