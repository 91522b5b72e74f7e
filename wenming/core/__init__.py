"""Shared foundations: the database, settings, scope, time, rules' defaults, formats, exports, geometry, accounts."""
