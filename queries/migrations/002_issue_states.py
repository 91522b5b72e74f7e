"""002: issue_transitions records every state an issue goes through — rectified, 挂账 (deferred) or
open — so a 挂账 or a reopening counts from the 报送时间 of the version that reports it and a past
month keeps its numbers (docs/time.md §某一时刻的状态). The derived tables are rebuilt from the
versions, which are kept as they are: no record is changed, the new `deferred` column is derived."""


def migrate(con) -> None:
    from wenming.core.db import refresh_derived
    refresh_derived(con)
