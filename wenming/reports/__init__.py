"""Documents and cross-cutting views: 月度通报, printable 红黑榜, 报送情况, 区级对比."""
