-- One row: how many current rows each fact table and place table holds (issues, patrols,
-- activities, volunteers, services, honor, communities, grids). Not scoped: the demo build's summary.
-- Params: none.
SELECT (SELECT count(*) FROM issue_current) AS issues, (SELECT count(*) FROM patrol_current) AS patrols,
    (SELECT count(*) FROM activity_current) AS activities, (SELECT count(*) FROM volunteer_current) AS volunteers,
    (SELECT count(*) FROM service_current) AS services, (SELECT count(*) FROM honor_current) AS honor,
    (SELECT count(*) FROM communities) AS communities, (SELECT count(*) FROM grids) AS grids;
