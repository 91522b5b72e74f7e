-- The 网格 an import resolves 网格编码/名称 against (wenming/ingest/context.py). Params: none.
SELECT grid_code, grid_name, community_code, street_code, grid_worker FROM grids;
