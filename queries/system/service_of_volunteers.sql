-- One row per stored service record of the volunteers $numbers (the weeks a new service file adds
-- to). Not scoped: the importer's check of a service file. Params: $numbers (list of volunteer_no).
SELECT record_no, volunteer_no, service_date, hours
FROM service_current
WHERE list_contains($numbers, volunteer_no);
